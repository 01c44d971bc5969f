/**
 * One journal entry: plain data, kept as it came (a payload is masked when it is shown, not when it is
 * kept, so the hot path parses nothing). A broadcast is one entry, whatever its number of recipients.
 */
/** `state`: a change of the state store (src/state/), whichever protocol made it. */
export const JOURNAL_PROTOCOLS = ['websocket', 'sse', 'http', 'state'] as const;

export type JournalProtocol = (typeof JOURNAL_PROTOCOLS)[number];

/** Every kind of entry, in one list (the query and matcher schemas take it). */
export const JOURNAL_KINDS = ['open', 'close', 'refuse', 'message', 'broadcast', 'subscribe', 'unsubscribe', 'request', 'state', 'fault'] as const;

export type JournalKind =
  /**
   * A client connected (WebSocket, Server-Sent Events); `topics: []` when it receives every topic until it
   * first subscribes (the cerberus, raw and SSE dialects).
   */
  | 'open'
  /** A client's connection ended, with its close code. */
  | 'close'
  /** A connection or request refused at the door: `code` the status, `reason` the error's code and message. */
  | 'refuse'
  /** A frame to or from one client. */
  | 'message'
  /** One message to every subscriber of its topics: `topics`, `recipients`. */
  | 'broadcast'
  /** A client subscribed to a topic (`topics` holds it), or unsubscribed. */
  | 'subscribe'
  | 'unsubscribe'
  /** An HTTP request with its answer. */
  | 'request'
  /**
   * A change of the state (protocol `state`): `endpoint` the state scope changed (`global`, `caller:…`),
   * `reason` what was done (change, replace, reset, evict), `data` the change as JSON, `source` who made it;
   * `client` and `scope` the connection and test scope it belongs to, when it is theirs.
   */
  | 'state'
  /** A fault injected into a client's connection (src/faults/): `reason` the fault and what it did ("drop: 120 bytes", "latency: 80 ms"), `direction` the message's way, if one. */
  | 'fault';

/** A header's value in a raw header list (any case; repeated ones joined with ", "), or undefined. */
export function rawHeader(raw: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== name) continue;
    value = value === undefined ? raw[i + 1] : `${value}, ${raw[i + 1] as string}`;
  }
  return value;
}

/** An HTTP exchange as the journal keeps it (and reads it back). */
export interface JournalHttp {
  readonly method: string;
  readonly path: string;
  /** The query as written (`?a=1`), or ''. */
  readonly search: string;
  /** Node's raw header list (name, value, name, value, …, names as sent, repeated ones apart), encoded as it is. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly status: number;
  readonly ms: number;
  /** The answer's head as the answering step wrote it, one string per name (undefined: a refusal). */
  readonly answerHeaders: Readonly<Record<string, string>> | undefined;
  /** The answer's body: a whole one, a streamed one's first MiB; undefined for a file or no body. */
  readonly answerBody: string | Buffer | undefined;
}

/** An HTTP exchange as a producer hands it: the answer's head as written (numbers and lists as they were). */
export interface JournalHttpInput extends Omit<JournalHttp, 'answerHeaders'> {
  readonly answerHeaders: Readonly<Record<string, string | number | readonly string[]>> | undefined;
}

export interface JournalEntry {
  readonly seq: number;
  /** ms since the epoch, from the server's clock. */
  readonly at: number;
  readonly protocol: JournalProtocol;
  readonly kind: JournalKind;
  readonly direction: 'in' | 'out' | undefined;
  readonly client: string | undefined;
  readonly scope: string | undefined;
  /** The WebSocket or Server-Sent Events endpoint's path, or the path an HTTP request asked for. */
  readonly endpoint: string | undefined;
  /** The HTTP route that answered; undefined for the fallback, a 404 or a preflight. */
  readonly route: string | undefined;
  /** The payload's bytes as they went (before any cut). */
  readonly size: number;
  /** A text frame's text, or a binary frame's bytes (cut at JOURNAL_PAYLOAD_BYTES). */
  readonly data: string | Buffer | undefined;
  readonly truncated: boolean;
  readonly topics: readonly string[] | undefined;
  readonly recipients: number | undefined;
  /**
   * A broadcast that did not reach every subscriber of its topics (a condition left some out, or a client too
   * far behind had it dropped) names either the clients it reached or those it missed, whichever is shorter.
   */
  readonly reached: readonly string[] | undefined;
  readonly missed: readonly string[] | undefined;
  /** What produced a message sent (src/util/source.ts: `rule:<name>`, `stream:<name>`, `admin`, …). */
  readonly source: string | undefined;
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly http: JournalHttp | undefined;
}
