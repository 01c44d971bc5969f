/**
 * The text of a Server-Sent Events stream, written in one place. A line ends at CR, LF or CRLF (HTML's event
 * stream grammar), so data or a comment with any of them is split into several lines, and a name or an id
 * has them replaced by spaces: nothing a template or a client renders can end an event early or forge a field.
 */

const LINE_BREAK = /\r\n|\r|\n/g;

/** One event as the wire carries it: every field optional, `data` already text. */
export interface SseEventFields {
  /** Comment lines first (ignored by an EventSource; read by people, and they keep proxies from timing out). */
  readonly comment?: string | undefined;
  readonly id?: string | undefined;
  readonly event?: string | undefined;
  readonly data?: string | undefined;
  /** ms an EventSource waits before reconnecting. */
  readonly retry?: number | undefined;
}

function oneLine(value: string): string {
  return value.replace(LINE_BREAK, ' ');
}

/** An event block, ended by its blank line. An id with a NUL is dropped by browsers, so NUL becomes a space too. */
export function sseEvent(fields: SseEventFields): string {
  let text = fields.comment === undefined ? '' : `: ${fields.comment.replace(LINE_BREAK, '\n: ')}\n`;
  if (fields.id !== undefined) text += `id: ${oneLine(fields.id).replace(/\0/g, ' ')}\n`;
  if (fields.event !== undefined) text += `event: ${oneLine(fields.event)}\n`;
  if (fields.retry !== undefined) text += `retry: ${Math.max(0, Math.trunc(fields.retry))}\n`;
  if (fields.data !== undefined) text += `data: ${fields.data.replace(LINE_BREAK, '\ndata: ')}\n`;
  return `${text}\n`;
}

/** A value as one JSON line (JSON lines / ndjson): a string as is with its line breaks made spaces. */
export function jsonLine(data: string): string {
  return `${oneLine(data)}\n`;
}

/** One block of an event stream as read back. */
export interface ParsedSseEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

/**
 * Splits recorded stream text into its events, by the same grammar an EventSource reads (used to turn a
 * recorded stream back into a mock; never on the hot path). A block of comments only is kept as a comment; a
 * block of nothing an EventSource understands (an unknown field, a retry that is not a number) is left out, and
 * so is a last block with no blank line after it, as an EventSource drops it.
 */
export function parseSseText(text: string): ParsedSseEvent[] {
  const events: ParsedSseEvent[] = [];
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  // What follows the last blank line is an event not yet ended (a stream cut mid-event): never dispatched.
  blocks.pop();
  for (const block of blocks) {
    const event: ParsedSseEvent = {};
    for (const line of block.split('\n')) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === '') event.comment = event.comment === undefined ? value : `${event.comment}\n${value}`;
      else if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
      else if (field === 'id' || field === 'event') event[field] = value;
      else if (field === 'retry' && /^\d+$/.test(value)) event.retry = Number(value);
    }
    if (Object.keys(event).length > 0) events.push(event);
  }
  return events;
}
