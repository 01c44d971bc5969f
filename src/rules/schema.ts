/**
 * Rules as data: `when` an incoming message matches, `then` actions run in order. The same objects come from
 * a config file, the admin API or the library API; this schema validates all of them.
 */
import { z } from 'zod';

const CLOSE_CODES = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014]);

export const closeCodeSchema = z
  .number()
  .int()
  .refine((code) => CLOSE_CODES.has(code) || (code >= 3000 && code <= 4999), { message: 'expected a close code a server may send: 1000-1003, 1007-1014 or 3000-4999' });

const regexSchema = z.string().superRefine((pattern, ctx) => {
  try {
    new RegExp(pattern);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
  }
});

const delaySchema = z.union([z.number().int().min(0).max(3_600_000), z.string().regex(/^\s*\d+\s*-\s*\d+\s*$/)], {
  error: 'expected ms (0 to 3600000) or a range like "100-200"',
});

/** A `when` with these keys says how to match; any other object is a partial JSON match. */
export const MATCHER_KEYS = ['json', 'regex', 'text'] as const;

export const whenSchema = z.union([
  z.strictObject({
    json: z.record(z.string(), z.unknown()).optional().describe('Partial deep equality with the message parsed as JSON.'),
    regex: z.record(z.string(), regexSchema).optional().describe('Dotted field path -> regular expression its value (as text) must match.'),
    text: regexSchema.optional().describe('Regular expression the raw text must match (for non-JSON messages too).'),
  }).refine((w) => w.json !== undefined || w.regex !== undefined || w.text !== undefined, { message: 'say what to match: json, regex or text' }),
  z.record(z.string(), z.unknown()).refine((w) => !MATCHER_KEYS.some((k) => k in w), { message: 'mixes matcher keys (json, regex, text) with message fields' }),
]);

export const actionSchema = z.union(
  [
    z.strictObject({ reply: z.unknown().refine((v) => v !== undefined, { message: 'is required' }).describe('A message (or a list of them) sent back, templated with `message` and `client` in scope.') }),
    z.strictObject({ delay: delaySchema }),
    z.strictObject({
      publish: z.union([z.string().min(1), z.strictObject({ stream: z.string().min(1), data: z.unknown().optional() })]).describe('A stream of this endpoint to send to its subscribers now.'),
    }),
    z.strictObject({ close: z.strictObject({ code: closeCodeSchema.default(1000), reason: z.string().max(123).default('') }) }),
    z.strictObject({ drop: z.literal(true) }),
  ],
  { error: 'expected one action: reply, delay, publish, close or drop' },
);

export const ruleSchema = z.strictObject({
  name: z.string().min(1).optional(),
  when: whenSchema,
  then: z.array(actionSchema).min(1),
  continue: z.boolean().default(false).describe('Keep matching later rules after this one.'),
});

export type RuleConfig = z.output<typeof ruleSchema>;
export type ActionConfig = z.output<typeof actionSchema>;
export type WhenConfig = z.output<typeof whenSchema>;
