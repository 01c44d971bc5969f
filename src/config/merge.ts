import { isPlainObject } from '../util/plain-object.ts';

/** A configuration before validation: plain JSON-like data from presets, files, env and flags. */
export type Patch = Record<string, unknown>;

/**
 * Later wins: objects merge key by key, everything else (arrays included) is replaced whole. Keys are
 * defined, not assigned, so a `__proto__` key in a file stays a key (which validation then refuses as
 * unknown) instead of replacing the merged object's prototype.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Patch = structuredClone(base);
  for (const [key, value] of Object.entries(over)) {
    Object.defineProperty(out, key, { value: deepMerge(Object.hasOwn(out, key) ? out[key] : undefined, value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function getIn(target: unknown, path: readonly (string | number)[]): unknown {
  let node = target;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Sets a value, creating objects (or arrays, before a numeric key) on the way. */
export function setIn(target: Patch, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
}
