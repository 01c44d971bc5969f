/**
 * A slice of the journal as recordings in the formats mockwave already reads (src/recording/format.ts and
 * http-format.ts), so `mockwave recording to-config` and `mockwave replay` turn a test run into a mock. One
 * WebSocket client's entries make one session (a session is one connection: that is the format), the
 * client's frames `from: client`, what it was sent and the broadcasts it received `from: upstream`; a
 * slice's HTTP requests make one HTTP recording. Secrets are masked as the recorders mask them. Lines are
 * made one at a time, so a large slice is written out as it is read.
 */
import { bytesPayload, objectPieces, objectWith, textPayload, type Payload } from '../recording/payload.ts';
import type { Redactor } from '../security/redact.ts';
import type { JournalEntry } from './entry.ts';
import { queryView, rawHeadersView } from './view.ts';

/** A session's route name from its endpoint's path: `/ws/prices` -> `ws-prices`. */
const routeNameOf = (path: string): string => path.replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9_-]+/g, '-') || 'root';

function payloadOf(data: string | Buffer, mask: (value: unknown) => boolean): Payload {
  return typeof data === 'string' ? textPayload(data, mask) : { form: 'base64', base64: data.toString('base64') };
}

/**
 * One WebSocket client's entries, as a query by client gives them (its own and the broadcasts it received),
 * as a session recording's lines. Its close is written as the client's (the journal does not say which side
 * closed), so a replay does not close its clients by itself.
 */
export function* sessionLines(entries: Iterable<JournalEntry>, client: string, redact: Redactor): Generator<string> {
  const mask = (value: unknown): boolean => redact.json(value);
  let start: number | undefined;
  for (const entry of entries) {
    if (start === undefined) {
      start = entry.at;
      // The connection's request (on its `open`) gives the path it asked for and its headers, masked.
      const asked = entry.kind === 'open' ? entry.http : undefined;
      const path = asked === undefined ? (entry.endpoint ?? '/') : redact.url(`${asked.path}${asked.search}`);
      const headers = asked === undefined ? {} : rawHeadersView(asked.rawHeaders, redact);
      yield JSON.stringify({ kind: 'session', version: 2, route: routeNameOf(entry.endpoint ?? '/'), url: `journal:${client}`, path, startedAt: new Date(entry.at).toISOString(), headers, protocol: '', announced: false });
    }
    const t = entry.at - start;
    if ((entry.kind === 'message' || entry.kind === 'broadcast') && entry.data !== undefined) {
      const fields = { kind: 'frame', t, from: entry.direction === 'in' ? 'client' : 'upstream', type: typeof entry.data === 'string' ? 'text' : 'binary', ...(entry.truncated ? { truncated: true } : {}) };
      yield objectWith(fields, payloadOf(entry.data, mask), 'data');
    } else if (entry.kind === 'close') yield JSON.stringify({ kind: 'close', t, from: 'client', code: entry.code ?? 1005, reason: entry.reason ?? '' });
  }
}

/**
 * The HTTP requests among `entries` as an HTTP recording's lines. A request mockwave refused itself (a 404
 * with no route, a 405, a 413, a route's failure) is left out: its answer was mockwave's error envelope, not
 * the mock's, and a route made from it would only repeat the refusal.
 */
export function* exchangeLines(entries: Iterable<JournalEntry>, redact: Redactor): Generator<string> {
  const mask = (value: unknown): boolean => redact.json(value);
  let start: number | undefined;
  for (const entry of entries) {
    const http = entry.http;
    if (entry.kind !== 'request' || http === undefined || http.answerHeaders === undefined) continue;
    // The entry's time is when the answer ended: its exchange began `ms` before.
    const began = entry.at - http.ms;
    if (start === undefined) {
      start = began;
      yield JSON.stringify({ kind: 'http', version: 2, startedAt: new Date(began).toISOString() });
    }
    const request = objectPieces({ method: http.method, path: http.path, query: queryView(http.search, redact), headers: rawHeadersView(http.rawHeaders, redact), ...(entry.truncated ? { truncated: true } : {}) }, bytesPayload(http.body, mask), 'body');
    const answer = http.answerBody ?? '';
    const response = objectPieces({ status: http.status, headers: redact.headers(http.answerHeaders) }, typeof answer === 'string' ? textPayload(answer, mask) : bytesPayload(answer, mask), 'body');
    yield [`{"kind":"exchange","t":${Math.max(0, Math.round(began - start))},"ms":${Math.round(http.ms)},"request":`, ...request, ',"response":', ...response, '}'].join('');
  }
}
