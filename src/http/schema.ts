/**
 * HTTP routes as data: a method and a path in the one path syntax (`/api/orders/:id`, `/files/*`), what else
 * the request must carry (query, headers, cookies, a body matched by the rule matchers), and the steps that
 * answer it. The same objects come from a config file, the admin API or the library API.
 */
import { z } from 'zod';
import { regexSchema, whenSchema } from '../rules/schema.ts';
import { pathConstraintProblem } from '../rules/regex.ts';
import { checkTemplates } from '../templates/index.ts';
import { numberOrRangeSchema } from '../util/range.ts';
import { oneKeySchema } from '../util/one-key.ts';
import { pathConstraints, pathPatternProblem } from '../util/path-pattern.ts';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const methodSchema = z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(HTTP_METHODS));

const routePathSchema = z.string().superRefine((path, ctx) => {
  const problem = pathPatternProblem(path) ?? pathConstraintProblem(pathConstraints(path));
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const httpWhenSchema = z.strictObject({
  query: z.record(z.string(), z.string()).optional().describe('Query parameters the request must carry, with exactly these values.'),
  headers: z.record(z.string(), regexSchema).optional().describe('Header name (any case) -> regular expression its value must match.'),
  cookies: z.record(z.string(), regexSchema).optional().describe('Cookie name -> regular expression its value must match.'),
  body: whenSchema.optional().describe('The body, matched as a rule matches a WebSocket message: partial JSON, or json/regex/text/jsonPath/schema.'),
});

const delaySchema = numberOrRangeSchema({ max: 3_600_000 });

/** One Server-Sent Event of a streamed answer: every field templated but `retry`. */
const sseEventSchema = z
  .strictObject({
    data: z.unknown().optional().describe('The data: a string as is (one `data:` line per line), anything else as JSON.'),
    event: z.string().min(1).optional().describe('The event name (what `addEventListener` listens for); none is a `message`.'),
    id: z.string().optional().describe('The event id (an EventSource sends the last one back as `Last-Event-ID` when it reconnects).'),
    retry: z.number().int().min(0).max(86_400_000).optional().describe('ms an EventSource waits before reconnecting.'),
    comment: z.string().optional().describe('A comment line (ignored by an EventSource).'),
  })
  .refine((event) => Object.keys(event).length > 0, 'an event needs at least one of data, event, id, retry or comment');

const respondSchema = z
  .strictObject({
    status: z.number().int().min(100).max(599).default(200),
    headers: z.record(z.string(), z.string()).default({}).describe('Response headers (values templated).'),
    body: z.unknown().optional().describe('The body, templated with `request` in scope: a string is sent as is (text/plain unless a content-type says otherwise), anything else as JSON.'),
    file: z.string().min(1).optional().describe('Send this file, read from the configuration\'s directory (never outside it).'),
    chunks: z.array(z.unknown()).min(1).optional().describe('A streamed body, sent piece by piece: each chunk templated.'),
    events: z.array(sseEventSchema).min(1).optional().describe('A Server-Sent Events body, event by event, each with its own `event` name, `id`, `retry` or `comment` besides its `data`.'),
    format: z.enum(['sse', 'ndjson']).default('sse').describe('With `chunks`: Server-Sent Events (`data: …` blocks) or JSON lines.'),
    chunkDelay: delaySchema.default(0).describe('With `chunks` or `events`: ms before each one (or a range).'),
    done: z.string().optional().describe('With `chunks` or `events`, as Server-Sent Events: a last `data:` line, e.g. "[DONE]".'),
  })
  .superRefine((respond, ctx) => {
    const given = (['body', 'file', 'chunks', 'events'] as const).filter((key) => respond[key] !== undefined);
    if (given.length > 1) ctx.addIssue({ code: 'custom', message: `give one of body, file, chunks or events (got ${given.join(' and ')})` });
    if (respond.events !== undefined && respond.format === 'ndjson') ctx.addIssue({ code: 'custom', path: ['format'], message: '`events` are Server-Sent Events: use `chunks` for JSON lines' });
    if (respond.done !== undefined && respond.chunks === undefined && respond.events === undefined) ctx.addIssue({ code: 'custom', path: ['done'], message: '`done` ends a streamed answer: give `chunks` or `events`' });
    else if (respond.done !== undefined && respond.format === 'ndjson') ctx.addIssue({ code: 'custom', path: ['done'], message: '`done` is a last Server-Sent Events `data:` line: JSON lines have none' });
  });

const publishSchema = z.union(
  [
    z.strictObject({ stream: z.string().min(1), endpoint: z.string().min(1).optional(), data: z.unknown().optional() }),
    z.strictObject({ endpoint: z.string().min(1), message: z.unknown() }),
  ],
  { error: 'expected { stream, endpoint?, data? } (a stream\'s subscribers) or { endpoint, message } (every client of an endpoint)' },
);

const forwardSchema = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

const ACTION_SCHEMAS = {
  respond: respondSchema,
  delay: delaySchema,
  publish: publishSchema,
  forward: forwardSchema.describe('Send the request on to this API (path and query appended) and answer with what it answers.'),
} as const;

type Single = { [K in keyof typeof ACTION_SCHEMAS]: { [P in K]: z.output<(typeof ACTION_SCHEMAS)[K]> } }[keyof typeof ACTION_SCHEMAS];
const SINGLE_NAMES = Object.keys(ACTION_SCHEMAS) as (keyof typeof ACTION_SCHEMAS)[];

/** Steps end with the one that answers: nothing runs after a respond or a forward. */
const ANSWERS = ['respond', 'forward'] as const;

/** A step's templates are checked at load (respond, publish), whether or not its schema accepted it. */
function checkStepTemplates(key: string, value: unknown, ctx: z.RefinementCtx): void {
  if (key !== 'respond' && key !== 'publish') return;
  for (const problem of checkTemplates(value)) ctx.addIssue({ code: 'custom', path: [key, ...problem.path], message: problem.message });
}

function stepOrder(steps: readonly unknown[], ctx: z.RefinementCtx): void {
  const keys = steps.map((step) => (step === null || typeof step !== 'object' ? undefined : Object.keys(step)[0]));
  const answersAt = keys.findIndex((key) => ANSWERS.some((a) => a === key) || key === 'sequence');
  if (answersAt !== -1 && answersAt < steps.length - 1) ctx.addIssue({ code: 'custom', path: [answersAt + 1], message: `nothing runs after "${keys[answersAt]}" (step ${answersAt}): the request is answered there` });
  if (answersAt === -1 && steps.length > 0) ctx.addIssue({ code: 'custom', path: [steps.length - 1], message: 'the last step must answer: respond, forward or a sequence' });
}

const singleSchema = oneKeySchema(ACTION_SCHEMAS, { expected: `expected one step: ${SINGLE_NAMES.join(', ')}`, check: checkStepTemplates });

const stepListSchema = z.array(singleSchema).min(1).superRefine(stepOrder);

/** `sequence`: the first call runs the first list of steps, the next call the next, per caller or for all. */
const sequenceSchema = z.strictObject({
  steps: z.array(stepListSchema).min(1).describe('One list of steps per call, in order.'),
  per: z
    .string()
    .regex(/^(global|header:[A-Za-z0-9-]+|cookie:[A-Za-z0-9_.-]+)$/, { message: 'expected global, header:<name> or cookie:<name>' })
    .default('global')
    .describe('Whose calls are counted: everyone\'s (global), or per caller, told apart by a header or a cookie.'),
  then: z.enum(['repeat-last', 'loop']).default('repeat-last').describe('After the last list: keep answering with it, or start again.'),
});

export type HttpStep = Single | { readonly sequence: z.output<typeof sequenceSchema> };

/** Calls `visit` with every step of a list, those inside sequences too, and where it is (`then[0].sequence.steps[1][0]`). */
export function eachStep(steps: readonly HttpStep[], where: string, visit: (step: HttpStep, where: string) => void): void {
  steps.forEach((step, i) => {
    const at = `${where}[${i}]`;
    visit(step, at);
    if ('sequence' in step) step.sequence.steps.forEach((list, j) => eachStep(list, `${at}.sequence.steps[${j}]`, visit));
  });
}

const STEP_SCHEMAS = { ...ACTION_SCHEMAS, sequence: sequenceSchema };

const stepSchema = oneKeySchema(STEP_SCHEMAS, { expected: `expected one step: ${Object.keys(STEP_SCHEMAS).join(', ')}`, check: checkStepTemplates });

export const httpRouteSchema = z.strictObject({
  name: z.string().min(1).max(200).optional().describe('Shown in the dashboard, stats and metrics (default: METHOD path).'),
  method: z
    .preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(methodSchema).min(1))
    .optional()
    .describe('One method or a list (default: any).'),
  path: routePathSchema.describe('The path: exact, with `:name` parameters, or a trailing `*`.'),
  when: httpWhenSchema.optional(),
  then: z.array(stepSchema).min(1).superRefine(stepOrder),
});

export type HttpRouteConfig = z.output<typeof httpRouteSchema>;
export type HttpRouteInput = z.input<typeof httpRouteSchema>;

/** Route loading refuses a route written inside mockwave's own paths: the one list is src/util/own-paths.ts. */
export { reservedPathProblem } from '../util/own-paths.ts';
