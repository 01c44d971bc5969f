/**
 * What the admin API and the live dashboard show, as types: the one definition both the server and the
 * dashboard (dashboard/src/types.ts imports these) are checked against. Plain data only, importing only
 * other plain-data files (src/http/figures.ts), so the browser build can read it as it is.
 */
import type { HttpFigures } from '../http/figures.ts';

export type { HttpFigures, HttpRequestRecord, HttpRouteFigures } from '../http/figures.ts';

export interface StreamFigures {
  readonly name: string;
  /** Messages delivered (one per recipient). */
  readonly messages: number;
  readonly subscribers: number;
}

export interface RuleFigures {
  /** The rule's name, or its place (`rules[2]`). */
  readonly name: string;
  /** The rule in one line: `when {"type":"ping"} then reply {"type":"pong"}` (`on connect: …` for onConnect). */
  readonly explain: string;
  /** Client messages it matched since the rules were loaded (for `onConnect`: clients it ran for). */
  readonly hits: number;
  /** Steps that failed: a reply that would not match its schema, a publish to no stream, … (logged, limited). */
  readonly failures: number;
}

export interface EndpointFigures {
  readonly endpoint: string;
  readonly connections: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly dropped: number;
  readonly streams: readonly StreamFigures[];
  readonly rules: readonly RuleFigures[];
  /** Faults injected into its clients' connections since the start, by kind (src/faults/). */
  readonly faults: Readonly<Record<string, number>>;
}

export interface ProxyRouteFigures {
  readonly connections: number;
  readonly active: number;
  readonly failures: number;
  readonly clientGoneEarly: number;
  readonly messagesToUpstream: number;
  readonly bytesToUpstream: number;
  readonly messagesToClient: number;
  readonly bytesToClient: number;
  readonly dropped: number;
}

/** A recording folder's budget (`http.recordMaxBytes`, `proxy.recordMaxBytes`): what this run wrote there. */
export interface RecordingFolderFigures {
  /** The folder's absolute path. */
  readonly folder: string;
  readonly maxBytes: number;
  /** Bytes written there by this run (files already there do not count). */
  readonly bytes: number;
  /** The cap was reached: nothing more is recorded there. */
  readonly full: boolean;
  /** Lines left out since (frames, exchanges; a session not started counts as one). */
  readonly dropped: number;
}

export interface WebSocketStats {
  readonly enabled: boolean;
  /** WebSocket clients connected now (the guide's figure). */
  readonly connectedClients: number;
  /** Server-Sent Events clients connected now, counted apart. */
  readonly sseClients: number;
  readonly proxyConnections: number;
  /** Outgoing bytes queued for all clients at the last check (websocket.maxQueuedBytes caps it). */
  readonly queuedBytes: number;
  /** Per proxy route: connections, failures, clients gone before their upstream opened, messages and bytes each way, dropped messages. */
  readonly proxyRoutes?: Readonly<Record<string, ProxyRouteFigures>>;
  readonly uptimeMs: number;
  /** Per endpoint: clients, messages and bytes each way, dropped, its streams and its rules. */
  readonly endpoints: readonly EndpointFigures[];
  /** The HTTP side, beside the WebSocket figures: requests answered, each route's figures, the last requests. */
  readonly http: HttpFigures;
  /** Per recording folder (when recording): bytes written by this run against its cap, full, lines left out. */
  readonly recordings?: readonly RecordingFolderFigures[];
}

export interface ClientInfo {
  readonly id: string;
  readonly endpoint: string;
  /** The path and query the client connected with, secrets masked. */
  readonly url: string;
  readonly remoteAddress: string;
  /** Whether the connection negotiated permessage-deflate. */
  readonly compressed: boolean;
  readonly connectedAt: string;
  readonly subscriptions: readonly string[];
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly dropped: number;
}

export interface StreamInfo {
  readonly endpoint: string;
  readonly name: string;
  readonly topic: string;
  readonly schedule: string;
  readonly subscribers: number;
  readonly paused: boolean;
  /** Messages sent: its ticks (scheduled or by hand) and every publish (HTTP route, rule, admin API, library). */
  readonly ticks: number;
  /** The last payload(s) sent, by a tick or a publish. */
  readonly last?: readonly unknown[];
  readonly definition?: Readonly<Record<string, unknown>>;
}

export interface EndpointInfo {
  readonly path: string;
  readonly dialect: string;
  readonly url: string;
  readonly streams: readonly { readonly name: string; readonly topic: string; readonly interval: string }[];
  /** Each rule in one line (`when {"type":"ping"} then reply {"type":"pong"}`), then `on connect: …` when it has onConnect steps. */
  readonly rules: readonly string[];
}

export interface ServerDescription {
  readonly name: string;
  readonly version: string;
  readonly uptimeMs: number;
  readonly endpoints: readonly EndpointInfo[];
}

/** GET /admin/live: everything the overview shows, once a second. */
export interface LiveSnapshot {
  readonly at: number;
  readonly server: ServerDescription;
  readonly stats: WebSocketStats;
  readonly clients: readonly ClientInfo[];
  readonly streams: readonly StreamInfo[];
  /** Whether the journal is on: the client log and the request list then read it, from the first message. */
  readonly journal: boolean;
}

/**
 * One row of a watched client's log (GET /admin/live/clients/:id): a frame, or (from the journal) what
 * happened to its connection: opened, subscribed, unsubscribed, closed. Secrets in JSON are masked.
 */
export interface LoggedMessage {
  /** `in`: from the client; `out`: to it. Absent for what is not a frame. */
  readonly direction?: 'in' | 'out';
  readonly at: number;
  readonly size: number;
  readonly binary: boolean;
  /** Text messages: the text (JSON with its secrets masked), cut at 4 KiB. */
  readonly text?: string;
  /** Binary messages: the first 32 bytes in hex. */
  readonly hex?: string;
  readonly truncated?: boolean;
  /** The journal's sequence number (absent while the journal is off). */
  readonly seq?: number;
  /** The journal's kind (absent while the journal is off: a frame). A broadcast is a frame the client got. */
  readonly kind?: 'message' | 'broadcast' | 'open' | 'close' | 'subscribe' | 'unsubscribe' | 'state';
  /** What happened, for a row that is not a frame or is a broadcast: `subscribed to ticker`, `closed 1000 bye`. */
  readonly note?: string;
}

/** The first event of a client's log: what the journal kept of it (the last 1,000 entries at most), or why nothing. */
export interface LogHistory {
  /** True when the rows come from the journal (history from the first message), false for a tap from now on. */
  readonly journal: boolean;
  /** Why there is no history, in a sentence the page shows (the journal is off, or the endpoint leaves it). */
  readonly note?: string;
  readonly messages: readonly LoggedMessage[];
  /** Older entries of the client's left out of the history (its bound). */
  readonly earlier: number;
}

/** A batch of new rows (every 100 ms at most); `skipped` counts rows left out while the page was behind. */
export interface LogBatch<T> {
  readonly messages: readonly T[];
  readonly skipped: number;
}

/**
 * One row of the request list read from the journal (GET /admin/live/requests): an HTTP request with its
 * answer, a WebSocket upgrade (101) or Server-Sent Events connect (200), a refusal at the door, or the end of
 * a connection (`close`, which the page puts on its upgrade's row). Headers and bodies are read on click
 * (GET /admin/journal?since=seq-1&limit=1), masked.
 */
export interface LoggedRequest {
  readonly seq: number;
  readonly at: number;
  readonly kind: 'request' | 'open' | 'refuse' | 'close';
  readonly protocol: 'http' | 'websocket' | 'sse';
  /** Absent for a refusal over HTTP (its method is not kept). */
  readonly method?: string;
  /** The path, with the query (secret parameters masked) for HTTP. */
  readonly path: string;
  /** The status answered (101 an upgrade, 200 a connect); for `close`, the close code. */
  readonly status: number;
  readonly ms?: number;
  /** The answer's body in bytes, when it is known. */
  readonly size?: number;
  readonly route?: string;
  readonly client?: string;
  readonly scope?: string;
  /** A refusal's error code and message; a close's reason. */
  readonly reason?: string;
  /** In a history, the end of an upgrade's or connect's connection when it has come (later ones come as `close` rows). */
  readonly closed?: { readonly at: number; readonly code: number; readonly reason?: string };
}
