/**
 * A Cookie header read one way for every reader: `name=value` pairs split at `;`, name and value trimmed, a
 * part without a name left out, the first of a repeated name kept.
 */

/** Each `name=value` pair of a Cookie header, in order. */
function* cookiePairs(header: string): Generator<readonly [string, string]> {
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (name !== '') yield [name, part.slice(at + 1).trim()];
  }
}

/** Every cookie by name, as own properties only (a cookie named `__proto__` stays a key). */
export function cookiesOf(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of cookiePairs(header ?? '')) if (!Object.hasOwn(out, name)) Object.defineProperty(out, name, { value, enumerable: true });
  return out;
}

/** One cookie's value (the first of that name), or undefined: what a reader of one name needs, without the record. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const [found, value] of cookiePairs(header ?? '')) if (found === name) return value;
  return undefined;
}
