/**
 * A message made wrong on purpose, in a copy (a broadcast's bytes are shared by every subscriber), so that
 * only that message is lost to the client: a Server-Sent Event is corrupted inside its last `data:` field and
 * keeps its framing (the blank line that ends it), an NDJSON line keeps its newline, and a cut never splits a
 * UTF-8 character (a WebSocket client fails the whole connection on invalid text, with 1007).
 */

/** How the endpoint frames its messages: whole WebSocket messages, events of an event stream, or NDJSON lines. */
export type Framing = 'message' | 'event' | 'line';

const OPEN = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const CLOSE_BRACKET = 0x5d; // ]
const NEWLINE = 0x0a;
const DATA_LINE = Buffer.from('\ndata:');

/** The copy's last closing bracket or brace turned into `{`; none: a `{` added. Either way its JSON does not parse. */
function breakJson(part: Buffer): Buffer {
  const copy = Buffer.from(part);
  for (let i = copy.length - 1; i >= 0; i--) {
    if (copy[i] === CLOSE_BRACE || copy[i] === CLOSE_BRACKET) {
      copy[i] = OPEN;
      return copy;
    }
  }
  return Buffer.concat([copy, Buffer.of(OPEN)]);
}

/** The first half of `part`, cut at a character's start (at least one byte shorter, unless it is empty). */
function firstHalf(part: Buffer): Buffer {
  let cut = Math.floor(part.length / 2);
  while (cut > 0 && ((part[cut] as number) & 0xc0) === 0x80) cut--;
  return Buffer.from(part.subarray(0, cut));
}

function corruptPart(part: Buffer, how: 'json' | 'truncate'): Buffer {
  return how === 'json' ? breakJson(part) : firstHalf(part);
}

/** The value of an event's last `data:` line, corrupted in place; the lines before and after it kept. */
function corruptEvent(event: Buffer, how: 'json' | 'truncate'): Buffer {
  const at = event.lastIndexOf(DATA_LINE);
  const start = at < 0 ? (event.subarray(0, 5).toString() === 'data:' ? 5 : -1) : at + DATA_LINE.length;
  // An event without data (a comment) dispatches nothing: left as it is.
  if (start < 0) return event;
  const end = event.indexOf(NEWLINE, start);
  const stop = end < 0 ? event.length : end;
  return Buffer.concat([event.subarray(0, start), corruptPart(event.subarray(start, stop), how), event.subarray(stop)]);
}

export function corrupted(data: Buffer, how: 'json' | 'truncate', framing: Framing): Buffer {
  if (framing === 'event') return corruptEvent(data, how);
  if (framing === 'line' && data.at(-1) === NEWLINE) return Buffer.concat([corruptPart(data.subarray(0, -1), how), Buffer.of(NEWLINE)]);
  return corruptPart(data, how);
}
