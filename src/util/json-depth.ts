/**
 * How deeply nested a parsed JSON or YAML value is, found without recursion: the value may be 200,000 levels
 * deep, which is exactly what would overflow the stack of any recursive walk that comes after.
 */

/** The deepest nesting accepted from a file or a request body; far beyond any real configuration. */
export const MAX_DEPTH = 100;

/** True when `value` nests objects or arrays more than `max` levels deep. */
export function deeperThan(value: unknown, max: number = MAX_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  const seen = new Set<object>();
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    if (depth >= max) return true;
    seen.add(node);
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
