/**
 * Rules as data: `when` an incoming message matches, `then` actions run in order. The same objects come from
 * a config file, the admin API or the library API; this schema validates all of them.
 */
import { jsonSchemaValue, schemaProblem } from '../data/json-schema.ts';
import { z } from 'zod';
import { issueMessage } from '../errors/schema-issues.ts';
import { checkTemplates } from '../templates/index.ts';
import { numberOrRangeSchema } from '../util/range.ts';
import { INNER_SCHEMAS, oneKeySchema } from '../util/one-key.ts';
import { base64Problem, hexProblem } from '../util/binary.ts';
import { isSendableCloseCode, SENDABLE_CLOSE_CODES_TEXT } from '../util/close-codes.ts';
import { dottedKeys, pathProblem, pointerKeys } from '../util/path.ts';
import { checkJsonPath } from './json-path.ts';
import { regexVerdict } from './regex.ts';

export const closeCodeSchema = z
  .number()
  .int()
  .refine(isSendableCloseCode, { message: `expected a close code a server may send: ${SENDABLE_CLOSE_CODES_TEXT}` });

/** A regular expression checked at load for catastrophic backtracking (regex.ts). */
export const regexSchema = z.string().superRefine((pattern, ctx) => {
  const verdict = regexVerdict(pattern);
  if (!verdict.ok) ctx.addIssue({ code: 'custom', message: verdict.problem });
});

/**
 * A record whose keys are paths, each checked by `keyProblem`. Checked on the record rather than as a key
 * schema so the message says what is wrong with the key, under the key's own path.
 */
function pathRecord<T extends z.ZodType>(value: T, keyProblem: (key: string) => string | undefined) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const problem = keyProblem(key);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });
}

const jsonPathSchema = z.string().superRefine((path, ctx) => {
  const problem = checkJsonPath(path);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const delaySchema = numberOrRangeSchema({ max: 3_600_000 });

/** A `when` with these keys says how to match; any other object is a partial JSON match. */
export const MATCHER_KEYS = ['json', 'regex', 'text', 'jsonPath', 'binary', 'schema'] as const;

const hexSchema = z.string().superRefine((hex, ctx) => {
  const problem = hexProblem(hex);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** A JSON Schema that ajv compiles (checked at load, so a broken one is a configuration error). */
const compilableSchema = jsonSchemaValue.superRefine((schema, ctx) => {
  const problem = schemaProblem(schema);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const binaryMatcherSchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      length: numberOrRangeSchema({ unit: 'bytes' }).optional().describe('Size in bytes, or a range "16-1024".'),
      prefix: hexSchema.optional().describe('The first bytes, as hex ("cafe01").'),
    }),
  ],
  { error: 'expected true (any binary frame), false (text frames only) or { length, prefix }' },
);

const matcherSchema = z
  .strictObject({
    json: z.record(z.string(), z.unknown()).optional().describe('Partial deep equality with the message parsed as JSON.'),
    regex: pathRecord(regexSchema, (key) => pathProblem(dottedKeys(key))).optional().describe('Dotted field path -> regular expression its value (as text) must match.'),
    text: regexSchema.optional().describe('Regular expression the raw text must match (for non-JSON messages too).'),
    jsonPath: jsonPathSchema.optional().describe('JSONPath that must select at least one value of the message, e.g. $.orders[?(@.qty > 10)].'),
    binary: binaryMatcherSchema.optional().describe('true: a binary frame; false: a text frame; { length, prefix }: a binary frame of that size and first bytes.'),
    schema: compilableSchema.optional().describe('A JSON Schema the message must be valid against (its JSON; text that is not JSON is checked as a string), formats checked.'),
  })
  .refine((w) => MATCHER_KEYS.some((key) => w[key] !== undefined), { message: 'say what to match: json, regex, text, jsonPath, binary or schema' });

export type MatcherConfig = z.output<typeof matcherSchema>;
export type WhenConfig = MatcherConfig | Record<string, unknown>;

/**
 * Either the explicit matcher object or, when it names none of json/regex/text, the partial JSON to match.
 * Chosen by its keys rather than by a union, so a mistake is reported in the branch the user meant.
 */
export const whenSchema = z.record(z.string(), z.unknown()).superRefine((when, ctx) => {
  const explicit = Object.keys(when).filter((k) => (MATCHER_KEYS as readonly string[]).includes(k));
  if (explicit.length === 0) return;
  const result = matcherSchema.safeParse(when, { error: issueMessage });
  if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, message: issue.message, path: issue.path } as never);
}) as unknown as z.ZodType<WhenConfig>;
INNER_SCHEMAS.set(whenSchema, { whole: matcherSchema });

function pointerProblem(pointer: string): string | undefined {
  return pointer.startsWith('/') ? pathProblem(pointerKeys(pointer)) : 'expected a JSON pointer such as /reqid';
}

const jsonPointer = z.string().superRefine((pointer, ctx) => {
  const problem = pointerProblem(pointer);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const ACTION_SCHEMAS = {
  reply: z.unknown().refine((v) => v !== undefined, { message: 'is required' }).describe('A message (or a list of them) sent back, templated with `message` and `client` in scope.'),
  replyBinary: z
    .unknown()
    .refine((v) => v !== undefined, { message: 'is required' })
    .superRefine((value, ctx) => {
      const problem = typeof value === 'string' && !value.includes('{{') ? base64Problem(value) : undefined;
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('A binary message sent back: a string is base64 (templated, e.g. "{{messageBase64}}" echoes), any other value its JSON text as bytes.'),
  delay: delaySchema,
  publish: z.union([z.string().min(1), z.strictObject({ stream: z.string().min(1), data: z.unknown().optional() })], { error: 'expected a stream name or { stream, data }' }),
  close: z.strictObject({ code: closeCodeSchema.default(1000), reason: z.string().max(123).default('') }),
  drop: z.literal(true),
  log: z.string().min(1).max(1000).describe('A line for the log (templated), at most one per client per second with a count of those left out: to see what no rule expected.'),
  generate: z
    .strictObject({
      schema: jsonSchemaValue,
      examples: z.array(z.unknown()).default([]),
      copy: pathRecord(jsonPointer, pointerProblem).default({}),
    })
    .describe('A reply valid against a JSON Schema (its examples in turn, else generated), with fields copied from the request: `copy: { "/reqid": "/reqid" }` (reply pointer: request pointer). A field the request does not have is left out of the reply unless its schema requires it; a reply that no longer matches its schema is not sent (the failure is logged and counted).'),
} as const;

export type ActionConfig = { [K in keyof typeof ACTION_SCHEMAS]: { [P in K]: z.output<(typeof ACTION_SCHEMAS)[K]> } }[keyof typeof ACTION_SCHEMAS];
export type ActionName = keyof typeof ACTION_SCHEMAS;
const ACTION_NAMES = Object.keys(ACTION_SCHEMAS) as ActionName[];

const ACTION_LIST = `${ACTION_NAMES.slice(0, -1).join(', ')} or ${ACTION_NAMES.at(-1) ?? ''}`;

/** An action's templates are checked at load (reply, replyBinary, publish's data, log), whether or not its schema accepted it. */
function checkActionTemplates(key: string, value: unknown, ctx: z.RefinementCtx): void {
  if (key !== 'reply' && key !== 'replyBinary' && key !== 'publish' && key !== 'log') return;
  const templated = key === 'publish' ? (value as { data?: unknown } | undefined)?.data : value;
  for (const problem of checkTemplates(templated)) ctx.addIssue({ code: 'custom', path: key === 'publish' ? [key, 'data', ...problem.path] : [key, ...problem.path], message: problem.message });
}

/** One action: an object with exactly one key naming it (reply, replyBinary, delay, publish, close, drop, generate). */
export const actionSchema = oneKeySchema(ACTION_SCHEMAS, { expected: `expected one action: ${ACTION_LIST}`, check: checkActionTemplates });

/** Actions after which nothing runs: a step after one of them is a mistake, said at load. */
const FINAL_ACTIONS = ['close', 'drop'] as const;

/**
 * A list of actions in an order that can run: `close` and `drop` end the steps, so nothing may follow them
 * (mockttp checks its step order the same way).
 */
export const actionListSchema = z.array(actionSchema).superRefine((actions, ctx) => {
  const last = actions.length - 1;
  actions.forEach((action, index) => {
    const key = action === null || typeof action !== 'object' ? undefined : Object.keys(action)[0];
    const final = FINAL_ACTIONS.find((name) => name === key);
    if (final !== undefined && index < last) {
      ctx.addIssue({ code: 'custom', path: [index + 1], message: `nothing runs after "${final}" (steps[${index}]): remove this step or move it before the ${final}` });
    }
  });
});

export const ruleSchema = z.strictObject({
  name: z.string().min(1).optional(),
  when: whenSchema,
  then: actionListSchema.min(1),
  onFailure: actionListSchema.optional().describe('Steps run instead when a step of `then` fails (a reply that would not match its schema): an error reply, say. They run once; a failure in them is only logged.'),
  continue: z.boolean().default(false).describe('Keep matching later rules after this one.'),
});

export type RuleConfig = z.output<typeof ruleSchema>;
