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
import { GENERATOR_NAMES, GENERATOR_TABLE } from '../streams/generators/index.ts';
import { httpRouteSchema, reservedPathProblem, routeName } from '../http/index.ts';

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

const windowBits = z.number().int().min(8).max(15);

/** permessage-deflate: off (default), on with ws's defaults, or tuned. */
const deflateSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        threshold: z.number().int().min(0).optional().describe('Messages smaller than this many bytes are sent uncompressed (default 1024). ws applies it only with serverNoContextTakeover: with context takeover it compresses every message.'),
        level: z.number().int().min(0).max(9).optional().describe('zlib compression level, 0-9 (default 6).'),
        memLevel: z.number().int().min(1).max(9).optional().describe('zlib memory level, 1-9: lower uses less memory per connection and compresses less (default 8).'),
        serverMaxWindowBits: windowBits.optional().describe('Largest window the server compresses with, 8-15 (default 15): smaller saves memory per connection.'),
        clientMaxWindowBits: windowBits.optional().describe('Largest window the peer may compress with, 8-15.'),
        serverNoContextTakeover: z.boolean().optional().describe('Compress each server message on its own (no shared history between messages).'),
        clientNoContextTakeover: z.boolean().optional().describe('Ask the peer to compress each message on its own.'),
        concurrencyLimit: z.number().int().min(1).optional().describe('zlib operations run at once, across all connections (default 10).'),
      }),
    ],
    { error: 'expected true, false or an object of permessage-deflate options (threshold, level, memLevel, serverMaxWindowBits, clientMaxWindowBits, serverNoContextTakeover, clientNoContextTakeover, concurrencyLimit)' },
  )
  .default(false);

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

/** A host of `http.forwardAllow`: a name or an address (IPv6 in brackets), without scheme, port or path. */
const forwardHostSchema = z.string().refine((host) => {
  if (!/^(?:\[[0-9A-Fa-f:.]+\]|[^:/?#@[\]\s]+)$/.test(host)) return false;
  try {
    return new URL(`http://${host}`).hostname !== '';
  } catch {
    return false;
  }
}, 'expected a host name or address without scheme, port or path (example.com, 10.0.0.5, [::1])');
/** A recording folder's default cap (http.recordMaxBytes, proxy.recordMaxBytes): 1 GiB. */
const RECORD_MAX_BYTES = 1024 * 1024 * 1024;

export const proxyRouteSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'expected letters, digits, "_", "." or "-"' }),
  url: z.url({ protocol: /^wss?$/, error: 'expected a ws:// or wss:// URL' }),
  announce: z.boolean().default(true).describe('Send the guide\'s proxy_connected message once the upstream is open.'),
  forwardAuth: z.boolean().default(true).describe('Forward the client\'s Authorization and Cookie headers and its subprotocols.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Headers added to the upstream handshake (an API key kept out of front-end code).'),
  dropHeaders: z.array(z.string()).default([]).describe('Client headers never forwarded.'),
  query: z.record(z.string(), z.string()).default({}).describe('Query parameters added to the upstream URL.'),
  connectTimeout: z.number().int().min(1).default(10_000).describe('ms to wait for the upstream handshake.'),
  tls: z
    .strictObject({
      ca: z.string().min(1).optional().describe('Path of a PEM file with the CA that signed the upstream certificate.'),
      rejectUnauthorized: z.boolean().default(true).describe('false accepts a self-signed upstream (local only).'),
    })
    .optional(),
  maxQueue: z.number().int().min(0).default(1000).describe('Client messages held while the upstream opens; more closes the client with 1013.'),
  maxQueueBytes: z.number().int().min(0).optional().describe('Bytes of client messages held while the upstream opens (default: websocket.maxPayload); more closes the client with 1013.'),
  slowPeer: z.enum(['pause', 'drop']).default('pause').describe('When one side cannot keep up: stop reading the other side, or drop its messages (counted).'),
  record: z.string().min(1).optional().describe('Directory where each session of this route is recorded as JSON Lines.'),
  recordMaxBytes: z.number().int().min(1).optional().describe('Bytes this route\'s recording folder may take from this run (default: proxy.recordMaxBytes); then recording there stops, logged once and counted.'),
  perMessageDeflate: deflateSchema.describe('Negotiate permessage-deflate with clients of this route that offer it: false (default), true, or options.'),
  upstreamPerMessageDeflate: deflateSchema.describe('Offer permessage-deflate to the upstream (used if it accepts): false (default), true, or options. Each side is negotiated on its own.'),
});

const websocketSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Accept WebSocket upgrades at all.'),
  heartbeatInterval: z.number().int().min(0).default(30_000).describe('Protocol ping every N ms; a client silent until the next one is dropped. 0 turns it off.'),
  maxPayload: z.number().int().min(1).default(10 * 1024 * 1024).describe('Largest client message in bytes; larger closes with 1009.'),
  handshakeTimeout: z
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('ms a connection may take to send its request headers (a handshake that never finishes is closed with 408).'),
  rateLimit: z
    .strictObject({
      messagesPerSecond: z.number().positive().describe('Average client messages per second.'),
      burst: z.number().int().min(1).optional().describe('Messages allowed at once (default: twice the rate).'),
      closeAfter: z.number().int().min(1).default(100).describe('Refused messages in a row before the client is closed with 1008.'),
    })
    .optional()
    .describe('Per-client limit on incoming messages: over it a client gets an error and the message is ignored.'),
  maxSubscriptions: z.number().int().min(1).default(100).describe('Topics one client may subscribe to at once.'),
  maxConnections: z.number().int().min(1).optional().describe('Most WebSocket clients at once; more are refused with 503.'),
  maxBufferedBytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024)
    .describe('Outgoing bytes a client may have queued before messages to it are dropped (and counted): broadcasts, replies, pongs, scripts, admin sends.'),
  slowClientGrace: z.number().int().min(0).default(10_000).describe('ms a client may stay over maxBufferedBytes before it is closed with 1013 (its socket is destroyed 1 s later if it does not answer).'),
  maxQueuedBytes: z
    .number()
    .int()
    .min(1024)
    .default(128 * 1024 * 1024)
    .describe('Outgoing bytes all clients together may have queued; while over, messages to clients that have bytes waiting are dropped (and counted).'),
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of the JSON Schema, for editors.'),
    preset: z.enum(PRESET_NAMES).optional().describe('Built-in starting point merged under this file.'),
    seed: z.number().int().optional().describe('Makes generators and random intervals reproducible.'),
    port: z.number().int().min(0).max(65535).default(3000).describe('HTTP and WebSocket port (0 picks a free port).'),
    host: z.string().min(1).optional().describe('Interface to bind; absent binds every interface.'),
    websocket: websocketSchema.prefault({}),
    endpoints: z.array(endpointSchema).default([]),
    streamOverrides: z
      .record(z.string(), streamPatchSchema)
      .optional()
      .describe('Stream name -> fields merged onto every stream of that name, e.g. to change a preset stream\'s interval.'),
    proxy: z
      .strictObject({
        enabled: z.boolean().default(false),
        record: z.string().min(1).optional().describe('Directory where every proxied session is recorded (also --record).'),
        recordMaxBytes: z.number().int().min(1).default(RECORD_MAX_BYTES).describe('Bytes the recording folder may take from this run (what this process writes; files already there do not count); then recording there stops, logged once and counted.'),
        path: z.string().regex(/^\/[^\s?#]*[^/\s?#]$/, { message: 'expected a path like /ws/proxy' }).optional().describe('Where routes live; default: the first endpoint\'s path + /proxy.'),
        routes: z.array(proxyRouteSchema).default([]),
      })
      .prefault({}),
    http: z
      .strictObject({
        routes: z.array(httpRouteSchema).default([]).describe('HTTP routes on the same port: a method and path, conditions, and the steps that answer.'),
        fallback: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional().describe('A real API that gets every request no route answers (instead of 404).'),
        maxBodyBytes: z.number().int().min(0).default(1024 * 1024).describe('Largest request body a route or the fallback takes; larger is refused with 413.'),
        bodyTimeout: z.number().int().min(100).default(10_000).describe('ms a request body may take to arrive; slower is refused with 408.'),
        rateLimit: z
          .strictObject({
            requestsPerSecond: z.number().positive().describe('Average requests per second from one client address.'),
            burst: z.number().int().min(1).optional().describe('Requests allowed at once (default: twice the rate).'),
          })
          .optional()
          .describe('Per-client-address limit on HTTP requests (routes, the fallback, Server-Sent Events connects; not the admin API): over it, 429 with Retry-After.'),
        forwardTimeout: z.number().int().min(100).default(30_000).describe('ms a forwarded request (forward steps, the fallback) may wait for the real API\'s answer.'),
        record: z.string().min(1).optional().describe('Directory where every exchange with the real API (fallback, forward) is recorded as JSON Lines (also --record).'),
        recordMaxBodyBytes: z.number().int().min(0).default(1024 * 1024).describe('Bytes of a body kept in a recording; longer bodies are cut and marked.'),
        adminFilesDir: z.string().min(1).optional().describe('Folder (relative to the configuration\'s) whose files routes added through the admin API may send with `file` (never a `.env` file); unset, such routes may send no file.'),
        forwardAllow: z
          .array(forwardHostSchema)
          .optional()
          .describe('Hosts (names or addresses, any port) that routes added through the admin API may `forward` to; default: loopback names and the hosts this configuration itself forwards or proxies to.'),
        recordMaxBytes: z.number().int().min(1).default(RECORD_MAX_BYTES).describe('Bytes the recording folder may take from this run (what this process writes; files already there do not count); then recording there stops, logged once and counted.'),
      })
      .prefault({})
      .describe('The REST side: HTTP routes answered by the same templates and matchers, and a fallback to a real API.'),
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
export type ProxyRouteConfig = z.output<typeof proxyRouteSchema>;
export type { HttpRouteConfig } from '../http/index.ts';
