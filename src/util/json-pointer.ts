/**
 * JSON Pointers (RFC 6901, `/a/b~1c`) over plain JSON values: reading follows own properties only, writing
 * creates the objects on the way. Used for AsyncAPI `$ref` fragments and for the `generate` action's copies.
 */
export function pointerKeys(pointer: string, decodeSegment: (segment: string) => string = (s) => s): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => decodeSegment(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function readPath(value: unknown, keys: readonly string[]): unknown {
  let node = value;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function writePath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value;
    else {
      if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
  });
}
