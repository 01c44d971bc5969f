/**
 * Compiles a rule's `when` into a predicate once, at load: regular expressions are built then, field paths
 * split then, so matching a message against many rules does no parsing per rule.
 */
import { dottedKeys, readPath } from '../util/path.ts';
import { compileJsonPath } from './json-path.ts';
import { compileRegex } from './regex.ts';
import { validatorFor } from '../data/json-schema.ts';
import { inRange, parseRange, type NumberRange } from '../util/range.ts';
import { MATCHER_KEYS, type MatcherConfig, type WhenConfig } from './schema.ts';

/**
 * An incoming message as rules see it: its bytes and frame kind, its text (undefined for binary that is not
 * UTF-8) and its JSON value if it parsed.
 */
export interface Incoming {
  readonly data: Buffer;
  readonly isBinary: boolean;
  readonly text: string | undefined;
  readonly value: unknown;
  readonly isJson: boolean;
}

export type Matcher = (message: Incoming) => boolean;

/** True when every field of `pattern` is in `value` with an equal value; arrays must match element-wise. */
export function partialEqual(pattern: unknown, value: unknown): boolean {
  return compilePartial(pattern)(value);
}

/** The matcher behind partialEqual, with the pattern's keys listed once, at load, not on every message. */
export function compilePartial(pattern: unknown): (value: unknown) => boolean {
  if (pattern === null || typeof pattern !== 'object') return (value) => value === pattern;
  if (Array.isArray(pattern)) {
    const items = pattern.map(compilePartial);
    return (value) => Array.isArray(value) && value.length === items.length && items.every((match, i) => match(value[i]));
  }
  const entries = Object.entries(pattern).map(([key, expected]) => [key, compilePartial(expected)] as const);
  return (value) => {
    if (value === null || typeof value !== 'object') return false;
    // Own properties only: a pattern { toString: … } must not see the method every object inherits.
    for (const [key, match] of entries) if (!match(Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined)) return false;
    return true;
  };
}

function compileBinary(spec: NonNullable<MatcherConfig['binary']>): Matcher {
  if (typeof spec === 'boolean') return (m) => m.isBinary === spec;
  // The schema accepted it, so it parses.
  const length = spec.length === undefined ? undefined : (parseRange(spec.length) as NumberRange);
  const prefix = spec.prefix === undefined ? undefined : Buffer.from(spec.prefix, 'hex');
  return (m) =>
    m.isBinary &&
    (length === undefined || inRange(length, m.data.length)) &&
    (prefix === undefined || (m.data.length >= prefix.length && m.data.subarray(0, prefix.length).equals(prefix)));
}

export function compileWhen(when: WhenConfig): Matcher {
  const explicit = MATCHER_KEYS.some((k) => k in when);
  const spec: MatcherConfig = explicit ? (when as MatcherConfig) : { json: when as Record<string, unknown> };
  const checks: Matcher[] = [];
  if (spec.json !== undefined) {
    const matches = compilePartial(spec.json);
    checks.push((m) => m.isJson && matches(m.value));
  }
  if (spec.regex !== undefined) {
    const fields = Object.entries(spec.regex).map(([path, pattern]) => ({ path: dottedKeys(path), test: compileRegex(pattern) }));
    checks.push((m) => {
      if (!m.isJson) return false;
      return fields.every(({ path, test }) => {
        const v = readPath(m.value, path);
        return v !== undefined && v !== null && typeof v !== 'object' && test(String(v));
      });
    });
  }
  if (spec.text !== undefined) {
    const test = compileRegex(spec.text);
    checks.push((m) => m.text !== undefined && test(m.text));
  }
  if (spec.jsonPath !== undefined) {
    const selects = compileJsonPath(spec.jsonPath);
    checks.push((m) => m.isJson && selects(m.value));
  }
  if (spec.binary !== undefined) checks.push(compileBinary(spec.binary));
  if (spec.schema !== undefined) {
    const check = validatorFor(spec.schema);
    // Text that is not JSON is checked as a string: how a text/plain payload (`type: string`) arrives.
    checks.push((m) => (m.isJson ? check(m.value) === undefined : m.text !== undefined && check(m.text) === undefined));
  }
  return checks.length === 1 ? (checks[0] as Matcher) : (m) => checks.every((c) => c(m));
}
