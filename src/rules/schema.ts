/**
 * Rules as data: `when` an incoming message matches, `then` actions run in order. The same objects come from
 * a config file, the admin API or the library API; this schema validates all of them.
 */
import { jsonSchemaValue, schemaProblem } from '../data/json-schema.ts';
import { z } from 'zod';
import { issueMessage } from '../errors/schema-issues.ts';
import { scenarioFields, scenarioProblem, stateConditionSchema, stepSchemas } from '../steps/index.ts';
import { numberOrRangeSchema } from '../util/range.ts';
import { INNER_SCHEMAS } from '../util/one-key.ts';
import { hexProblem } from '../util/binary.ts';
import { dottedKeys, pathProblem } from '../util/path.ts';
import { ACTION_TABLE } from './actions.ts';
import { checkJsonPath } from './json-path.ts';
import { pathRecord, regexSchema } from './value-schemas.ts';

export { closeCodeSchema, closeReasonSchema, regexSchema } from './value-schemas.ts';

const jsonPathSchema = z.string().superRefine((path, ctx) => {
  const problem = checkJsonPath(path);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

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

/**
 * One action (an object with one key naming it) and a list of them in an order that can run: `close` and
 * `drop` end the steps, so nothing may follow them. Both come from the table of actions (actions.ts).
 */
const actions = stepSchemas(ACTION_TABLE, { noun: 'action', afterFinal: (key) => `remove this step or move it before the ${key}` });

export const actionSchema = actions.step;
export const actionListSchema = actions.list;

export const ruleSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    when: whenSchema,
    state: stateConditionSchema.optional(),
    ...scenarioFields,
    then: actionListSchema.min(1),
    onFailure: actionListSchema.optional().describe('Steps run instead when a step of `then` fails (a reply that would not match its schema): an error reply, say. They run once; a failure in them is only logged.'),
    continue: z.boolean().default(false).describe('Keep matching later rules after this one.'),
  })
  .superRefine((rule, ctx) => {
    const problem = scenarioProblem(rule);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['scenario'], message: problem });
  });

export type RuleConfig = z.output<typeof ruleSchema>;
