/**
 * The one reader and writer of paths into plain values: JSON Pointers (RFC 6901, `/a/b~1c`) for `$ref`
 * fragments and the `generate` action's copies, dotted paths (`order.id`) for rule matchers and templates.
 * Reading follows own properties only (never an inherited method such as `toString`), and no path may
 * name `__proto__`, `constructor` or `prototype`: a path is data that a document or a client may choose,
 * and through those names a write would reach every object's prototype.
 */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export function pointerKeys(pointer: string, decodeSegment: (segment: string) => string = (s) => s): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => decodeSegment(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function dottedKeys(path: string): string[] {
  return path.split('.');
}

/** The first key a path may not hold, or undefined: for checks at load, with the path in the message. */
export function forbiddenKey(keys: readonly string[]): string | undefined {
  return keys.find((key) => FORBIDDEN.has(key));
}

/** Why a path is refused, for schema checks; undefined when it is fine. */
export function pathProblem(keys: readonly string[]): string | undefined {
  const bad = forbiddenKey(keys);
  return bad === undefined ? undefined : `a path may not name "${bad}" (it would reach an object's prototype)`;
}

/** The value at `keys`, following own properties of any value (a string's `length` too); else undefined. */
export function readPath(value: unknown, keys: readonly string[]): unknown {
  let node = value;
  for (const key of keys) {
    if (node === null || node === undefined || FORBIDDEN.has(key) || !Object.hasOwn(Object(node), key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Sets the value at `keys`, creating plain objects on the way; throws on a forbidden key. */
export function writePath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  const bad = forbiddenKey(keys);
  if (bad !== undefined) throw new TypeError(`cannot write through "${bad}"`);
  let node = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value;
    else {
      if (!Object.hasOwn(node, key) || node[key] === null || typeof node[key] !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
  });
}

/** Removes the value at `keys` if it is there (an own property); nothing happens otherwise. */
export function deletePath(target: unknown, keys: readonly string[]): void {
  const parent = readPath(target, keys.slice(0, -1));
  const last = keys.at(-1);
  if (parent !== null && typeof parent === 'object' && last !== undefined && Object.hasOwn(parent, last)) delete (parent as Record<string, unknown>)[last];
}
