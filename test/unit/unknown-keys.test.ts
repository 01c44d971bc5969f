/**
 * Every object of the configuration schema, found by walking the schema itself (so an object added later is
 * covered without a word here): a minimal valid configuration reaching it is built, an unknown key is put
 * there, and the result must be exactly one named problem at that object's path, never an exception.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { checkConfig } from '../../src/config/validate.ts';
import { configSchema, streamSchema } from '../../src/config/schema.ts';
import { formatPath } from '../../src/errors/schema-issues.ts';
import { GENERATOR_TABLE } from '../../src/streams/generators/index.ts';
import { INNER_SCHEMAS } from '../../src/util/one-key.ts';

/** The unknown key: far from every real key, so no "did you mean" is added to the expected line. */
const UNKNOWN = 'zzqxUnknownKey';

type Schema = z.ZodType;
type Def = { type: string; [key: string]: unknown };
const defOf = (schema: Schema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const shapeOf = (schema: Schema): Record<string, Schema> => defOf(schema)['shape'] as Record<string, Schema>;

/** Valid, or invalid only because of the unknown key we placed (the parents are chosen with it inside). */
function acceptable(schema: Schema, value: unknown): boolean {
  const result = schema.safeParse(value);
  return result.success || result.error.issues.every((issue) => issue.code === 'unrecognized_keys' && issue.keys.every((key) => key === UNKNOWN));
}

const OPTIONAL = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch']);
const isOptional = (schema: Schema): boolean => OPTIONAL.has(defOf(schema).type) && defOf(schema).type !== 'nullable';

/** Values to try for a schema, plausible first; `minimal` keeps the first the schema accepts. */
function candidates(schema: Schema): unknown[] {
  const def = defOf(schema);
  const inner = INNER_SCHEMAS.get(schema);
  if (inner?.oneKey !== undefined) return Object.entries(inner.oneKey).flatMap(([key, value]) => candidates(value as Schema).map((c) => ({ [key]: c })));
  if (inner?.whole !== undefined) return candidates(inner.whole as Schema);
  switch (def.type) {
    case 'string':
      return ['x', '/x', 'http://127.0.0.1:9', 'ws://127.0.0.1:9', 'abcdefgh', '/reqid', 'global'];
    case 'number':
      return [1, 0, 200, 2000];
    case 'boolean':
      return [true, false];
    case 'enum':
      return Object.values(def['entries'] as Record<string, unknown>);
    case 'literal':
      return [...(def['values'] as unknown[])];
    case 'unknown':
    case 'any':
      return ['x', {}];
    case 'array':
      return [[], ...candidates(def['element'] as Schema).slice(0, 4).map((c) => [c])];
    case 'record':
      return [{}];
    case 'union':
      return (def['options'] as Schema[]).flatMap(candidates);
    case 'pipe':
      return candidates((defOf(def['in'] as Schema).type === 'transform' ? def['out'] : def['in']) as Schema);
    case 'lazy':
      return candidates((def['getter'] as () => Schema)());
    case 'object': {
      const shape = shapeOf(schema);
      const required = Object.entries(shape).filter(([, field]) => !isOptional(field));
      const base = Object.fromEntries(required.map(([key, field]) => [key, minimal(field)]));
      // The required keys at their first accepted values; then one optional key more, or one required key at
      // another of its values (an object whose fields depend on each other: `max` above `min`).
      const another = required.flatMap(([key, field]) => candidates(field).filter((c) => c !== base[key] && field.safeParse(c).success).map((c) => ({ ...base, [key]: c })));
      return [base, ...Object.entries(shape).filter(([, field]) => isOptional(field)).map(([key, field]) => ({ ...base, [key]: minimal(field) })), ...another];
    }
    default:
      if (OPTIONAL.has(def.type)) return candidates(def['innerType'] as Schema);
      return [];
  }
}

const minimals = new WeakMap<Schema, unknown>();
function minimal(schema: Schema): unknown {
  if (!minimals.has(schema)) minimals.set(schema, candidates(schema).find((value) => schema.safeParse(value).success));
  return minimals.get(schema);
}

/** An object of `schema` holding `fixed`, with what else it needs to be valid (its required keys, or one more). */
function objectWith(schema: Schema, fixed: Record<string, unknown>): unknown {
  const tries = (candidates(schema) as Record<string, unknown>[]).map((c) => ({ ...c, ...fixed }));
  return tries.find((value) => acceptable(schema, value)) ?? tries[0];
}

/** Places a value at a location: returns the whole configuration holding it. */
type Place = (value: unknown) => unknown;
interface Reached {
  readonly path: readonly PropertyKey[];
  /** What tells apart objects at the same path (a generator's options). */
  readonly label?: string;
  readonly schema: Schema;
  readonly place: Place;
}

function walk(schema: Schema, path: readonly PropertyKey[], place: Place, out: Reached[], label?: string): void {
  const def = defOf(schema);
  const inner = INNER_SCHEMAS.get(schema);
  if (inner?.oneKey !== undefined) {
    for (const [key, value] of Object.entries(inner.oneKey)) walk(value as Schema, [...path, key], (v) => place({ [key]: v }), out, label);
    return;
  }
  if (inner?.whole !== undefined) return walk(inner.whole as Schema, path, place, out, label);
  switch (def.type) {
    case 'object': {
      out.push({ path, schema, place, label });
      for (const [key, field] of Object.entries(shapeOf(schema))) walk(field, [...path, key], (v) => place(objectWith(schema, { [key]: v })), out, label);
      // A stream's `options` are checked by its generator's own schema: each generator's options are objects too.
      if (schema === (streamSchema as unknown)) {
        for (const [name, generator] of Object.entries(GENERATOR_TABLE)) {
          walk(generator.options as unknown as Schema, [...path, 'options'], (v) => place(objectWith(schema, { generator: name, options: v })), out, `generator: ${name}`);
        }
      }
      return;
    }
    case 'array': {
      const element = def['element'] as Schema;
      // Alone, or followed by what may end the list (a route's steps must end with one that answers).
      const list = (v: unknown): unknown[] => [[v], ...candidates(element).map((c) => [v, c])].find((l) => acceptable(schema, l)) ?? [v];
      return walk(element, [...path, 0], (v) => place(list(v)), out, label);
    }
    case 'record':
      return walk(def['valueType'] as Schema, [...path, 'k'], (v) => place({ k: v }), out, label);
    case 'union':
      for (const option of def['options'] as Schema[]) walk(option, path, place, out, label);
      return;
    case 'pipe':
      walk(def['in'] as Schema, path, place, out, label);
      if (defOf(def['out'] as Schema).type !== 'transform') walk(def['out'] as Schema, path, place, out, label);
      return;
    case 'lazy':
      return walk((def['getter'] as () => Schema)(), path, place, out, label);
    default:
      if (OPTIONAL.has(def.type)) walk(def['innerType'] as Schema, path, place, out, label);
  }
}

const reached: Reached[] = [];
walk(configSchema as unknown as Schema, [], (v) => v, reached);

describe('an unknown key in any object of the configuration schema', () => {
  it('reaches the objects behind steps, actions, matchers and generators', () => {
    const paths = new Set(reached.map((r) => formatPath(r.path)));
    for (const path of ['(root)', 'http.routes[0].then[0].respond', 'http.routes[0].then[0].sequence', 'endpoints[0].rules[0].then[0].close', 'endpoints[0].rules[0].then[0].generate', 'endpoints[0].rules[0].when', 'endpoints[0].rules[0].when.binary', 'endpoints[0].streams[0].options', 'http.routes[0].then[0].sequence.steps[0][0].publish']) {
      assert.ok(paths.has(path), `${path} not reached; reached: ${[...paths].join(', ')}`);
    }
    assert.ok(reached.length >= 30, `only ${reached.length} objects reached`);
  });

  for (const { path, schema, place, label } of reached) {
    it(`${formatPath(path)}${label === undefined ? '' : ` (${label})`}`, () => {
      const base = minimal(schema) as Record<string, unknown> | undefined;
      assert.ok(base !== undefined, `no valid value found for the object at ${formatPath(path)}`);
      const valid = checkConfig(place(base));
      assert.deepEqual(valid.ok ? [] : valid.problems, [], 'the configuration reaching it is valid without the unknown key');
      const result = checkConfig(place({ ...base, [UNKNOWN]: 1 }));
      assert.deepEqual(result.ok ? [] : result.problems, [`${formatPath(path)}: unknown key "${UNKNOWN}"`]);
    });
  }
});
