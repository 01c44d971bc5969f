/**
 * Bytes written as text in a configuration: base64 for payloads (a binary reply, a binary stream's data) and
 * hex for short byte patterns (a rule's `binary.prefix`). One reader of each, used at load and at run time.
 */

/** Base64 as people write it: the standard or the URL-safe alphabet, padding optional. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Why `text` is not base64, or undefined when it is (Node would silently skip what it cannot read). */
export function base64Problem(text: string): string | undefined {
  if (!BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) return `is not base64: "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
  return undefined;
}

/** Why `text` is not an even number of hex digits, or undefined when it is. */
export function hexProblem(text: string): string | undefined {
  return HEX.test(text) ? undefined : 'expected bytes as hex digits, two per byte, e.g. "cafe01"';
}

/**
 * The bytes of a binary message made from a rendered value: a string is base64 and is decoded; any other
 * value is sent as its JSON text. Throws on a string that is not base64, naming `what`.
 */
export function binaryPayload(value: unknown, what: string): Buffer {
  if (typeof value !== 'string') return Buffer.from(JSON.stringify(value) ?? 'null');
  const problem = base64Problem(value);
  if (problem !== undefined) throw new TypeError(`${what} ${problem}`);
  return Buffer.from(value, 'base64');
}
