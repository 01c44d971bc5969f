/**
 * How a recording stores a body or a frame's payload without blowing it up on disk. JSON text that JSON
 * writes back exactly as it came (compact, as APIs send it) is stored as the JSON value itself, so it costs
 * its own size instead of a string with every quote escaped; other text is stored as text; what is not text
 * (not UTF-8, or holding control characters, which JSON writes as six-byte `\u0000` escapes: a body of zero
 * bytes took six times its size) is stored as base64 (four thirds). Readers turn each form back into the
 * text or base64 older files held (`storedText`), so everything after reading sees one shape.
 */
import { isUtf8 } from 'node:buffer';
import { deeperThan } from '../util/json-depth.ts';

export type Payload =
  /** `raw` is the value's JSON text, which is also the recorded text exactly. */
  | { readonly form: 'json'; readonly raw: string }
  | { readonly form: 'text'; readonly text: string }
  | { readonly form: 'base64'; readonly base64: string };

/** C0 control characters other than tab, LF and CR: JSON escapes each as six bytes; text rarely has them. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Bytes that read as text: UTF-8 without control characters other than tab, LF and CR. */
export function isText(bytes: Buffer): boolean {
  // UTF-8 sequences never hold bytes below 0x80, so the latin1 view finds controls exactly, without decoding.
  return isUtf8(bytes) && !CONTROL.test(bytes.toString('latin1'));
}

/**
 * The payload of `text`, with the secret fields of JSON masked by `mask` (which changes a value in place and
 * says whether it did). JSON that was masked is written anew, compact; JSON that writes back otherwise
 * (spaces, `1.0`, escapes JSON would not use) stays text, so the recording always holds the bytes that came.
 */
export function textPayload(text: string, mask: (value: unknown) => boolean): Payload {
  if (CONTROL.test(text)) return { form: 'base64', base64: Buffer.from(text, 'utf8').toString('base64') };
  if (!/^\s*[[{"]/.test(text)) return { form: 'text', text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { form: 'text', text };
  }
  // JSON nested deeper than anything real stays text: masking or writing it again would overflow the stack.
  if (deeperThan(value)) return { form: 'text', text };
  if (mask(value)) return { form: 'json', raw: JSON.stringify(value) };
  return JSON.stringify(value) === text ? { form: 'json', raw: text } : { form: 'text', text };
}

/**
 * The payload of bytes: text as `textPayload` stores it, anything else as base64 made from the bytes
 * themselves (a body of zero bytes is UTF-8 too: it is told apart before any decoding, so it is not decoded
 * to a string and encoded back before its base64 is made).
 */
export function bytesPayload(bytes: Buffer, mask: (value: unknown) => boolean): Payload {
  return isText(bytes) ? textPayload(bytes.toString('utf8'), mask) : { form: 'base64', base64: bytes.toString('base64') };
}

/**
 * The JSON text of `fields` with the payload's members added (`"json":…`, or `textKey` holding the text or
 * the base64 with `"encoding":"base64"`), in pieces whose joining is that text: the payload's own text is a
 * piece of its own, so a line that carries a large body is written without being copied into one string.
 * A JSON payload is spliced in as its text, not parsed and written again, so recording a JSON message costs
 * one parse.
 */
export function objectPieces(fields: Readonly<Record<string, unknown>>, payload: Payload, textKey: 'body' | 'data'): string[] {
  const fieldsText = JSON.stringify(fields);
  const head = fieldsText.length === 2 ? '{' : `${fieldsText.slice(0, -1)},`;
  if (payload.form === 'json') return [`${head}"json":`, payload.raw, '}'];
  if (payload.form === 'text') return [`${head}"${textKey}":`, JSON.stringify(payload.text), '}'];
  return [`${head}"${textKey}":"`, payload.base64, '","encoding":"base64"}'];
}

/** `objectPieces` joined: for lines that carry a frame, not a body. */
export function objectWith(fields: Readonly<Record<string, unknown>>, payload: Payload, textKey: 'body' | 'data'): string {
  return objectPieces(fields, payload, textKey).join('');
}

/**
 * What a line read from a file holds under `textKey` in the shape older files wrote: the text (a stored
 * JSON value written back, base64 of text decoded when `decodeText`), or base64 of binary; undefined when
 * the line has none of the forms.
 */
export function storedText(line: Readonly<Record<string, unknown>>, textKey: 'body' | 'data', decodeText: boolean): string | undefined {
  if ('json' in line) return JSON.stringify(line['json']);
  const stored = line[textKey];
  if (typeof stored !== 'string') return undefined;
  return decodeText && line['encoding'] === 'base64' ? Buffer.from(stored, 'base64').toString('utf8') : stored;
}
