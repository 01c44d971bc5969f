/**
 * Dotted paths into a state document, and the changes made along them. Documents are never written to: a
 * change copies the objects on its path and shares the rest, so a document handed out (to a template, to
 * the admin API) stays as it was.
 */
import { MockwaveError } from '../errors/catalog.ts';
import type { Document, StateChange } from './store.ts';

/** Parts no path may have: writing them would reach an object's prototype. */
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_PARTS = 32;

/** `cart.items` as its parts; throws MW_STATE_REFUSED for a path that may not be written. */
export function pathParts(path: string): readonly string[] {
  const parts = path.split('.');
  const bad = parts.find((part) => part === '' || FORBIDDEN.has(part));
  if (bad !== undefined || parts.length > MAX_PARTS) {
    const why = bad === undefined ? `more than ${MAX_PARTS} parts` : bad === '' ? 'an empty part' : `"${bad}" may not be written`;
    throw new MockwaveError('MW_STATE_REFUSED', `State path ${JSON.stringify(path)}: ${why}`);
  }
  return parts;
}

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A marker: the update removes the field. */
export const REMOVE: unique symbol = Symbol('mockwave.stateRemove');

/**
 * `doc` with the value at `parts` replaced by what `update` makes of the old one: the objects on the path
 * copied (missing ones made), the rest shared. Removing what is not there gives `doc` itself.
 */
function updateIn(doc: Obj, parts: readonly string[], at: number, update: (old: unknown) => unknown): Obj {
  const key = parts[at] as string;
  const has = Object.hasOwn(doc, key);
  const old = has ? doc[key] : undefined;
  let next: unknown;
  if (at === parts.length - 1) next = update(old);
  else {
    const inner = isObject(old) ? old : {};
    next = updateIn(inner, parts, at + 1, update);
    if (next === inner) return doc;
  }
  if (next === REMOVE && !has) return doc;
  const copy: Obj = { ...doc };
  if (next === REMOVE) delete copy[key];
  else copy[key] = next;
  return copy;
}

/** The value at a path, own properties only. */
export function readAt(doc: Document | undefined, parts: readonly string[]): unknown {
  let value: unknown = doc;
  for (const part of parts) {
    if (!isObject(value) || !Object.hasOwn(value, part)) return undefined;
    value = value[part];
  }
  return value;
}

/** The document after a change; the top-level keys it touched (for the store's byte count). */
export function applyChange(doc: Document, change: StateChange): { readonly doc: Document; readonly touched: ReadonlySet<string> } {
  const touched = new Set<string>();
  let next = doc as Obj;
  const each = (fields: Readonly<Record<string, unknown>> | undefined, update: (old: unknown, value: unknown, path: string) => unknown) => {
    for (const [path, value] of Object.entries(fields ?? {})) {
      const parts = pathParts(path);
      touched.add(parts[0] as string);
      next = updateIn(next, parts, 0, (old) => update(old, value, path));
    }
  };
  each(change.set, (_old, value) => value);
  each(change.merge, (old, value) => (isObject(old) && isObject(value) ? { ...old, ...value } : value));
  each(change.increment, (old, by, path) => {
    if (old !== undefined && typeof old !== 'number') throw new MockwaveError('MW_STATE_REFUSED', `State path ${JSON.stringify(path)}: cannot increment ${JSON.stringify(old)}, not a number`);
    return ((old as number | undefined) ?? 0) + (by as number);
  });
  each(change.append, (old, value, path) => {
    if (old !== undefined && !Array.isArray(old)) throw new MockwaveError('MW_STATE_REFUSED', `State path ${JSON.stringify(path)}: cannot append to ${JSON.stringify(old)}, not an array`);
    return [...((old as unknown[] | undefined) ?? []), value];
  });
  each(Object.fromEntries((change.delete ?? []).map((path) => [path, undefined])), () => REMOVE);
  return { doc: next, touched };
}
