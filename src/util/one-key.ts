/**
 * An object with exactly one key naming what it is (a rule's action, a route's step), whose value that key's
 * schema checks: `{ respond: { status: 404 } }`. Chosen by its key rather than by a union, so a mistake is
 * reported in the branch the user meant, under its own path.
 */
import { z } from 'zod';
import { didYouMean } from '../errors/closest.ts';
import { issueMessage } from '../errors/schema-issues.ts';

/**
 * The schemas behind a schema that parses its value by hand, which zod cannot see into: a one-key schema's
 * table, or the schema a value is checked against as a whole (a rule's `when` with a matcher key). Whatever
 * walks the configuration schema (the test that puts an unknown key into every object) looks them up here.
 */
export interface InnerSchemas {
  readonly oneKey?: Readonly<Record<string, z.ZodType>>;
  readonly whole?: z.ZodType;
}

export const INNER_SCHEMAS = new WeakMap<z.ZodType, InnerSchemas>();

type OneOf<T extends Record<string, z.ZodType>> = { [K in keyof T]: { [P in K]: z.output<T[K]> } }[keyof T];

export interface OneKeyOptions {
  /** `expected one step: respond, delay, …`: said when the object has no key, several, or an unknown one. */
  readonly expected: string;
  /** Further checks of a value (its templates), run whether or not its schema accepted it. */
  readonly check?: (key: string, value: unknown, ctx: z.RefinementCtx) => void;
}

/**
 * The value is parsed once, in the transform, and every problem becomes an issue under the key's path. (A
 * refinement that parsed, then a transform that parsed again with `.parse`, threw on a value with an unknown
 * key: zod runs a transform after issues that are only unknown keys, and the exception escaped as a raw dump.)
 */
export function oneKeySchema<T extends Record<string, z.ZodType>>(table: T, options: OneKeyOptions): z.ZodType<OneOf<T>, Record<string, unknown>> {
  const names = Object.keys(table);
  const schema = z.record(z.string(), z.unknown(), { error: options.expected }).transform((object, ctx) => {
    const keys = Object.keys(object);
    const key = keys[0] as string;
    if (keys.length !== 1 || !Object.hasOwn(table, key)) {
      const got = keys.map((k) => `"${k}"${Object.hasOwn(table, k) ? '' : didYouMean(k, names)}`).join(', ');
      ctx.addIssue({ code: 'custom', message: `${options.expected}${keys.length === 0 ? '' : `, got ${got}`}` });
      return z.NEVER;
    }
    const result = (table[key] as z.ZodType).safeParse(object[key], { error: issueMessage });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as never);
    options.check?.(key, object[key], ctx);
    return result.success ? ({ [key]: result.data } as OneOf<T>) : z.NEVER;
  });
  INNER_SCHEMAS.set(schema, { oneKey: table });
  return schema;
}
