/**
 * The one configuration schema: the source of the TypeScript types, the defaults, the validation and the
 * published JSON Schema (`schema/mockwave.schema.json`). The same schema validates a config file, the
 * environment, CLI flags and the library API, so the same JSON works everywhere.
 */
import { z } from 'zod';
import { pathConstraints, pathPatternProblem } from '../util/path-pattern.ts';
import { pathConstraintProblem } from '../rules/index.ts';
import { numberOrRangeSchema } from '../util/range.ts';
import { DIALECT_NAMES } from '../dialects/index.ts';
import { LEVELS as LOG_LEVELS } from '../log/logger.ts';
import { issueMessage } from '../errors/schema-issues.ts';
import { PRESET_NAMES } from './preset-names.ts';
import { actionListSchema, ruleSchema } from '../rules/schema.ts';
import { checkTemplates, conditionProblem } from '../templates/index.ts';
import { stateConditionSchema } from '../steps/index.ts';
import { GENERATOR_NAMES, GENERATOR_TABLE } from '../streams/generators/index.ts';
import { reservedPathProblem, routeName } from '../http/index.ts';
import { httpSettingsSchema } from '../http/settings.ts';
import { journalSettingsSchema } from '../journal/index.ts';
import { faultProfileSchema } from '../faults/index.ts';
import { stateSettingsSchema } from '../state/settings.ts';
import { proxySettingsSchema, type ProxyRouteConfig } from '../proxy/schema.ts';
import { deflateSchema, websocketSettingsSchema } from '../transport/settings.ts';

export const LOG_FORMATS = ['text', 'json'] as const;

/**
 * Cross-field checks run even when a sibling field failed, so a user sees every problem in one pass. They
 * guard every shape they read, since the value may be partly invalid.
 */
const ALWAYS = { when: () => true };

/** A fixed interval in ms, or a random range "2000-5000" drawn uniformly before every tick. */
export const intervalSchema = numberOrRangeSchema({ positiveRange: true }).describe('Milliseconds between ticks (0 or absent: on demand only), or a range "min-max" drawn per tick.');

const streamObject = z.strictObject({
    name: z.string().min(1).max(256).describe('Stream name; clients subscribe to it (the guide calls it an event).'),
    interval: intervalSchema.optional(),
    data: z.unknown().optional().describe('The payload sent with every message of this stream (or use `generator` or `sequence`).'),
    sequence: z
      .array(z.strictObject({ delay: intervalSchema.default(0).describe('Wait before this message (ms, or a range).'), data: z.unknown() }))
      .min(1)
      .optional()
      .describe('A scripted list of messages, each after its delay, instead of `data` and `interval`.'),
    loop: z.boolean().optional().describe('With `sequence`: start again after the last message (default false).'),
    mode: z.enum(['shared', 'perSubscriber']).optional().describe('With `sequence`: one playback for everyone (shared, default) or one per subscriber from its start.'),
    generator: z.enum(GENERATOR_NAMES).optional().describe('Built-in generator producing the payload instead of `data`.'),
    options: z.record(z.string(), z.unknown()).optional().describe("Options of the stream's generator."),
    topic: z.string().min(1).max(256).optional().describe('Topic the stream publishes to (default: its name).'),
    messageType: z
      .string()
      .min(1)
      .optional()
      .describe('The `type` that typed envelopes (cerberus) put on this stream\'s messages (default: "event").'),
    binary: z
      .boolean()
      .optional()
      .describe('Send its messages as binary frames: the dialect\'s JSON as bytes; on the raw dialect, data that renders to a string is base64 and is sent decoded.'),
    condition: z
      .string()
      .min(1)
      .optional()
      .describe('Whether a tick goes to a subscriber: an expression ("price > 100 && symbol == \'AAPL\'", a bare name being a field of the data; data, params and client in scope), a helper call ("eq data.symbol params.symbol"), or true / false / always.'),
    state: stateConditionSchema.optional().describe('What the state must hold for a tick to go to a subscriber, read as that subscriber reads it (global, its test scope, its own): the stream keeps ticking, and is sent only while it holds. As a rule\'s `state:`.'),
  });

/** A partial stream merged onto every stream of that name (see `streamOverrides`). */
export const streamPatchSchema = streamObject.omit({ name: true }).partial();

export const streamSchema = streamObject
  .superRefine((stream, ctx) => {
    const hasData = stream.data !== undefined;
    const generator = typeof stream.generator === 'string' ? GENERATOR_TABLE[stream.generator] : undefined;
    const sources = [hasData, stream.generator !== undefined, stream.sequence !== undefined].filter(Boolean).length;
    if (sources === 0) ctx.addIssue({ code: 'custom', path: ['data'], message: 'is required (or name a `generator`, or give a `sequence`)' });
    if (sources > 1) ctx.addIssue({ code: 'custom', path: ['data'], message: 'give one of `data`, `generator` or `sequence`' });
    if (stream.sequence !== undefined && stream.interval !== undefined) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'a `sequence` times itself with each step\'s `delay`: remove `interval`' });
    for (const key of ['loop', 'mode'] as const) {
      if (stream[key] !== undefined && stream.sequence === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only applies to a `sequence`' });
    }
    (Array.isArray(stream.sequence) ? stream.sequence : []).forEach((step, index) => {
      for (const problem of checkTemplates(step?.data)) ctx.addIssue({ code: 'custom', path: ['sequence', index, 'data', ...problem.path], message: problem.message });
    });
    if (stream.options !== undefined && stream.generator === undefined) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'options are for a `generator`; this stream has none' });
    }
    if (typeof stream.condition === 'string') {
      const problem = conditionProblem(stream.condition);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['condition'], message: problem });
    }
    for (const problem of hasData ? checkTemplates(stream.data) : []) {
      ctx.addIssue({ code: 'custom', path: ['data', ...problem.path], message: problem.message });
    }
    if (generator !== undefined) {
      const result = (generator.options as z.ZodType).safeParse(stream.options ?? {}, { error: issueMessage });
      if (!result.success) {
        for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: ['options', ...issue.path] } as never);
      }
    }
  }, ALWAYS);

const pathSchema = z
  .string()
  .regex(/^\/[^\s?#]*$/, { message: 'expected a path starting with "/" (no spaces, query or fragment)' })
  .superRefine((path, ctx) => {
    // A path not starting with "/" is already reported by the regex above.
    const problem = path.startsWith('/') ? (pathPatternProblem(path) ?? pathConstraintProblem(pathConstraints(path))) : undefined;
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

export const endpointSchema = z
  .strictObject({
    path: pathSchema.describe('WebSocket path: exact ("/ws"), with parameters ("/rooms/:id", one segment each; ":id(a|b)" limits its values) or a trailing "*" for any rest ("/*" matches all).'),
    protocol: z.enum(['websocket', 'sse']).default('websocket').describe('How clients connect: WebSocket upgrades, or Server-Sent Events (GET with Accept: text/event-stream; its own format, so `dialect` does not apply).'),
    dialect: z.enum(DIALECT_NAMES).default('guide').describe('Wire format of a WebSocket endpoint.'),
    sse: z
      .strictObject({
        format: z.enum(['events', 'ndjson']).default('events').describe('events: text/event-stream, named and numbered (resumable); ndjson: one JSON line per message, a newline as heartbeat (HTTP streaming APIs).'),
        retry: z.number().int().min(0).default(3000).describe('ms an EventSource waits before reconnecting (sent as `retry:`).'),
        history: z.number().int().min(0).max(100_000).default(1000).describe('Events kept for clients that resume with Last-Event-ID.'),
        heartbeat: z.number().int().min(0).default(15_000).describe('ms between comment lines that keep proxies from closing an idle stream (0: none).'),
        maxConnections: z.number().int().min(1).optional().describe('Most Server-Sent Events clients of this endpoint at once; more are refused with 503.'),
      })
      .prefault({})
      .describe('Server-Sent Events settings (protocol: sse).'),
    streams: z.array(streamSchema).default([]),
    replay: z
      .preprocess((value) => (typeof value === 'string' ? { file: value } : value), z.strictObject({
        file: z.string().min(1).describe('A recording (JSON Lines) made by the proxy.'),
        speed: z.number().min(0).default(1).describe('Timing factor: 10 plays ten times faster, 0 as fast as possible.'),
        waitForClient: z.boolean().default(false).describe('At each recorded client message, wait until the client sends one.'),
        loop: z.boolean().default(false).describe('Start again after the last frame.'),
      }))
      .optional()
      .describe('Serve a recording: every client receives the recorded upstream frames with their timing.'),
    perMessageDeflate: deflateSchema.describe('Negotiate permessage-deflate compression with clients that offer it (browsers always do): false (default), true, or options.'),
    onConnect: actionListSchema.default([]).describe('Actions run for every new client: greet, wait, close with a code.'),
    rules: z.array(ruleSchema).default([]).describe('`when` a client message matches, `then` actions run; unmatched messages reach the dialect.'),
    journal: z.boolean().optional().describe('While the journal is on (`--journal`), keep this endpoint\'s traffic in it (default true); false leaves it out.'),
    faults: faultProfileSchema.optional(),
  })
  .superRefine((endpoint, ctx) => {
    if (endpoint.protocol === 'sse') {
      // An EventSource sends nothing and can read no answer: what only makes sense for senders is refused.
      for (const key of ['rules', 'onConnect'] as const) if (Array.isArray(endpoint[key]) && endpoint[key].length > 0) ctx.addIssue({ code: 'custom', path: [key], message: 'Server-Sent Events clients send nothing and get no greeting: remove it, or use protocol: websocket' });
      if (endpoint.replay !== undefined) ctx.addIssue({ code: 'custom', path: ['replay'], message: 'a recording is replayed to WebSocket clients: use protocol: websocket' });
      if (endpoint.perMessageDeflate !== false) ctx.addIssue({ code: 'custom', path: ['perMessageDeflate'], message: 'permessage-deflate is WebSocket\'s: use HTTP compression for Server-Sent Events' });
    }
    const seen = new Map<string, number>();
    (Array.isArray(endpoint.streams) ? endpoint.streams : []).forEach((stream, index) => {
      if (typeof stream?.name !== 'string') return;
      const first = seen.get(stream.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['streams', index, 'name'], message: `duplicate stream name "${stream.name}" (also streams[${first}])` });
      } else seen.set(stream.name, index);
    });
  }, ALWAYS);

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of the JSON Schema, for editors.'),
    preset: z.enum(PRESET_NAMES).optional().describe('Built-in starting point merged under this file.'),
    seed: z.number().int().optional().describe('Makes generators and random intervals reproducible.'),
    port: z.number().int().min(0).max(65535).default(3000).describe('HTTP and WebSocket port (0 picks a free port).'),
    host: z.string().min(1).optional().describe('Interface to bind; absent binds every interface.'),
    websocket: websocketSettingsSchema.prefault({}),
    endpoints: z.array(endpointSchema).default([]),
    streamOverrides: z
      .record(z.string(), streamPatchSchema)
      .optional()
      .describe('Stream name -> fields merged onto every stream of that name, e.g. to change a preset stream\'s interval.'),
    proxy: proxySettingsSchema,
    http: httpSettingsSchema,
    journal: journalSettingsSchema,
    stateStore: stateSettingsSchema,
    dashboard: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Serve the live dashboard at / (to browsers; it obeys the admin token).'),
        maxLiveConnections: z.number().int().min(1).default(32).describe('Live views (/admin/live and client message logs) open at once; more are refused with 503.'),
      })
      .prefault({})
      .describe('The web dashboard (also --no-dashboard).'),
    tls: z
      .strictObject({
        cert: z.string().min(1).describe('PEM certificate file (chain) for https and wss.'),
        key: z.string().min(1).describe('PEM private key file.'),
      })
      .optional()
      .describe('Serve https and wss on the same port.'),
    auth: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Require a token on every WebSocket handshake and admin request.'),
        tokens: z.array(z.string().min(8, { message: 'a token needs at least 8 characters' })).default([]).describe('Accepted client tokens.'),
        adminToken: z.string().min(8, { message: 'a token needs at least 8 characters' }).optional().describe('Token for the admin API; default: any client token.'),
      })
      .prefault({})
      .superRefine((auth, ctx) => {
        if (auth.enabled && auth.tokens.length === 0 && auth.adminToken === undefined) {
          ctx.addIssue({ code: 'custom', path: ['tokens'], message: 'auth is enabled but no token is configured: nobody could connect' });
        }
      }),
    cors: z
      .strictObject({
        origins: z.array(z.string().min(1)).default([]).describe('Origins allowed to open WebSockets and call the HTTP routes, Server-Sent Events and the admin API from a browser; "*" for any; empty: no check (the admin API then answers no other origin).'),
        credentials: z
          .boolean()
          .default(false)
          .describe('Let pages on another origin send cookies (fetch credentials: "include", EventSource withCredentials): granted to the origins listed by name in origins; with no list (or "*"), to loopback origins only (localhost, 127.0.0.1, [::1]) on the routes and Server-Sent Events. The admin API grants them to listed origins only.'),
      })
      .prefault({}),
    redact: z
      .array(z.string().min(1))
      .default([])
      .describe('Names of headers, query parameters and JSON fields whose values are masked wherever traffic is logged, recorded or shown, beside the built-in ones (authorization, cookie, token, key, secret, password, signature, session, auth, sig, credential).'),
    log: z
      .strictObject({
        format: z.enum(LOG_FORMATS).default('text'),
        level: z.enum(LOG_LEVELS).default('info'),
        traffic: z.boolean().default(false).describe('Log every client message and every broadcast at info level.'),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    (Array.isArray(config.endpoints) ? config.endpoints : []).forEach((endpoint, index) => {
      if (typeof endpoint?.path !== 'string') return;
      const first = seen.get(endpoint.path);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['endpoints', index, 'path'], message: `duplicate endpoint path "${endpoint.path}" (also endpoints[${first}])` });
      } else seen.set(endpoint.path, index);
    });
    const httpNames = new Map<string, number>();
    (Array.isArray(config.http?.routes) ? config.http.routes : []).forEach((route, index) => {
      if (typeof route?.path !== 'string') return;
      const reserved = reservedPathProblem(route.path, config.dashboard?.enabled !== false);
      if (reserved !== undefined) ctx.addIssue({ code: 'custom', path: ['http', 'routes', index, 'path'], message: reserved });
      const name = routeName(route);
      const first = httpNames.get(name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['http', 'routes', index, 'name'], message: `two HTTP routes are named "${name}" (also http.routes[${first}]): give one a name` });
      else httpNames.set(name, index);
    });
    const routes = new Map<string, number>();
    (Array.isArray(config.proxy?.routes) ? config.proxy.routes : []).forEach((route, index) => {
      if (typeof route?.name !== 'string') return;
      const first = routes.get(route.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['proxy', 'routes', index, 'name'], message: `duplicate route name "${route.name}" (also routes[${first}])` });
      } else routes.set(route.name, index);
    });
  }, ALWAYS);

export type MockwaveConfig = z.output<typeof configSchema>;
export type MockwaveConfigInput = z.input<typeof configSchema>;
export type EndpointConfig = z.output<typeof endpointSchema>;
export type EndpointConfigInput = z.input<typeof endpointSchema>;
export type StreamConfig = z.output<typeof streamSchema>;
export type { ProxyRouteConfig };
export type { HttpRouteConfig } from '../http/index.ts';
