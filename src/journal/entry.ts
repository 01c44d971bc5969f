/**
 * One journal entry: plain data, kept as it came (a payload is masked when it is shown, not when it is
 * kept, so the hot path parses nothing). A broadcast is one entry, whatever its number of recipients.
 */
export type JournalProtocol = 'websocket' | 'sse' | 'http';

export type JournalKind =
  /** A client connected (WebSocket, Server-Sent Events). */
  | 'open'
  /** A client's connection ended, with its close code. */
  | 'close'
  /** A frame to or from one client. */
  | 'message'
  /** One message to every subscriber of its topics: `topics`, `recipients`. */
  | 'broadcast'
  /** A client subscribed to a topic (`topics` holds it), or unsubscribed. */
  | 'subscribe'
  | 'unsubscribe'
  /** An HTTP request with its answer. */
  | 'request';

/** An HTTP exchange as the journal keeps it. */
export interface JournalHttp {
  readonly method: string;
  readonly path: string;
  /** The query as written (`?a=1`), or ''. */
  readonly search: string;
  /** Node's header object (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly status: number;
  readonly ms: number;
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
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly http: JournalHttp | undefined;
}

/** What an entry costs the journal's byte budget: its payload or body, and a fixed share for the rest. */
export const ENTRY_OVERHEAD = 200;
