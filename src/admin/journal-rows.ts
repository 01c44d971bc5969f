/**
 * The journal as the dashboard's live views read it: a client's entries (its frames, the broadcasts it got,
 * its connection opened, subscribed, closed) as rows of its log, and the HTTP side's entries (requests,
 * WebSocket upgrades and Server-Sent Events connects, refusals, the end of connections) as rows of the
 * request list. Every row is made from the masked view of its entry (src/journal/view.ts), so a secret is
 * never shown; a history is bounded to the last `max` rows.
 */
import { entryView, selectLast, type JournalEntry } from '../journal/index.ts';
import type { Redactor } from '../security/redact.ts';
import type { LoggedMessage, LoggedRequest } from './snapshot.ts';

/** What the live views read of the journal (the server provides it while the journal is on). */
export interface LiveJournal {
  /** Whether this client's traffic is kept (its endpoint has not left the journal); throws MW_UNKNOWN_CLIENT for an id not connected. */
  keeps(clientId: string): boolean;
  /** The topics the client is subscribed to now (the hub's own record, whatever the journal still holds). */
  topics(clientId: string): readonly string[];
  /** The path of the endpoint the client is on (a broadcast is one endpoint's). */
  endpointOf(clientId: string): string;
  entries(): Iterable<JournalEntry>;
  /** Calls `listener` with every entry kept from now on, until the function returned is called. */
  listen(listener: (entry: JournalEntry) => void): () => void;
}

export const TEXT_PREVIEW = 4096;
export const HEX_PREVIEW = 32;

/** A payload's text (JSON as written anew, its secrets masked) or bytes, as a log row shows it. */
function payload(view: { readonly json?: unknown; readonly text?: string; readonly base64?: string }, truncated: boolean): Pick<LoggedMessage, 'binary' | 'text' | 'hex' | 'truncated'> {
  if (view.base64 !== undefined) {
    const bytes = Buffer.from(view.base64, 'base64');
    return { binary: true, hex: bytes.subarray(0, HEX_PREVIEW).toString('hex'), truncated: truncated || bytes.length > HEX_PREVIEW };
  }
  const text = view.json !== undefined ? JSON.stringify(view.json) : (view.text ?? '');
  return text.length > TEXT_PREVIEW ? { binary: false, text: text.slice(0, TEXT_PREVIEW), truncated: true } : { binary: false, text, ...(truncated ? { truncated } : {}) };
}

const NOTES: Partial<Record<JournalEntry['kind'], (entry: JournalEntry) => string>> = {
  open: () => 'connected',
  close: (entry) => `closed ${entry.code ?? ''} ${entry.reason ?? ''}`.trim(),
  subscribe: (entry) => `subscribed to ${(entry.topics ?? []).join(', ')}`,
  unsubscribe: (entry) => `unsubscribed from ${(entry.topics ?? []).join(', ')}`,
  state: (entry) => `state ${entry.reason ?? 'change'} by ${entry.source ?? 'unknown'}`,
  broadcast: (entry) => `broadcast on ${(entry.topics ?? []).join(', ')} to ${entry.recipients ?? 0} client${entry.recipients === 1 ? '' : 's'}`,
};

/** One entry of a client's as a row of its log. */
export function loggedEntry(entry: JournalEntry, redact: Redactor): LoggedMessage {
  const kind = entry.kind as NonNullable<LoggedMessage['kind']>;
  const note = NOTES[entry.kind]?.(entry);
  const base = { seq: entry.seq, at: entry.at, size: entry.size, kind, ...(entry.direction === undefined ? {} : { direction: entry.direction }), ...(note === undefined ? {} : { note }) };
  if (entry.kind !== 'message' && entry.kind !== 'broadcast') return { ...base, binary: false };
  return { ...base, ...payload(entryView(entry, redact), entry.truncated) };
}

/**
 * Follows one client along the journal: its own entries, and the broadcasts of its endpoint it got at that
 * point (as `selectEntries` counts them: a topic it is subscribed to, or every topic before its first
 * subscription, unless the broadcast names it missed or names others as reached), so the tail of a log goes
 * on where its history ended.
 */
export class ClientFollower {
  readonly #client: string;
  readonly #topics = new Set<string>();
  /** It receives every topic until it first subscribes (its `open` said so: `topics: []`). */
  #everything = false;
  /** Its endpoint's path: a broadcast is one endpoint's. */
  #endpoint: string | undefined;

  constructor(client: string) {
    this.#client = client;
  }

  /** Takes the client's subscriptions as they are now: its `subscribe` entries may have left the ring. */
  subscribed(topics: readonly string[], endpoint: string): void {
    this.#topics.clear();
    for (const topic of topics) this.#topics.add(topic);
    this.#endpoint = endpoint;
  }

  /** Whether the entry is the client's (or a broadcast it got); follows its subscriptions on the way. */
  counts(entry: JournalEntry): boolean {
    if (entry.client === this.#client) {
      const topic = entry.topics?.[0];
      // A state entry's endpoint is the state scope it changed, not the client's endpoint.
      if (entry.kind !== 'state') this.#endpoint = entry.endpoint ?? this.#endpoint;
      if (entry.kind === 'open') this.#everything = entry.topics?.length === 0;
      else if (entry.kind === 'subscribe' && topic !== undefined) {
        this.#topics.add(topic);
        this.#everything = false;
      } else if (entry.kind === 'unsubscribe' && topic !== undefined) this.#topics.delete(topic);
      else if (entry.kind === 'close') this.#topics.clear();
      return true;
    }
    if (entry.kind !== 'broadcast' || entry.endpoint !== this.#endpoint) return false;
    // A broadcast that names who it reached, or who it missed (a condition, a client too far behind), says.
    if (entry.reached !== undefined) return entry.reached.includes(this.#client);
    if (entry.missed?.includes(this.#client) === true) return false;
    return this.#everything || (entry.topics ?? []).some((topic) => this.#topics.has(topic));
  }
}

export interface History<T> {
  readonly rows: T[];
  /** Matching entries older than those in `rows` (left out by the bound). */
  readonly earlier: number;
  /** The last sequence number looked at: the tail starts after it. */
  readonly last: number;
}

/**
 * A client's history: its last `max` entries (with the broadcasts it got), from the journal's own query,
 * and a follower for the tail that starts from the client's endpoint and subscriptions now (the journal may
 * have dropped the entries that made them, and a broadcast to them is still the client's).
 */
export function clientHistory(journal: LiveJournal, client: string, max: number, redact: Redactor): History<LoggedMessage> & { readonly follower: ClientFollower } {
  // The last `max` only are held, however large the ring (the rest counted as `earlier`).
  const { entries, earlier } = selectLast(journal.entries(), { client }, max);
  const follower = new ClientFollower(client);
  // Its own entries first (its endpoint, and its open: whether it receives every topic), then its subscriptions as they are now.
  for (const entry of entries) if (entry.client === client) follower.counts(entry);
  follower.subscribed(journal.topics(client), journal.endpointOf(client));
  return { rows: entries.map((entry) => loggedEntry(entry, redact)), earlier, last: entries.at(-1)?.seq ?? 0, follower };
}

/** Whether an entry is a row of the request list: a request, a connection opened, refused or closed. */
export function isRequestRow(entry: JournalEntry): boolean {
  return entry.kind === 'request' || entry.kind === 'refuse' || ((entry.kind === 'open' || entry.kind === 'close') && entry.protocol !== 'http' && entry.protocol !== 'state');
}

/** A query as one string, its secret parameters masked ('' when there is none). */
function queryText(query: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(query).map(([name, value]) => `${name}=${value}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

/** An HTTP answer's body in bytes: its Content-Length, or the body kept; undefined when neither is known. */
function answerSize(entry: JournalEntry): number | undefined {
  const http = entry.http;
  const length = Number(http?.answerHeaders?.['content-length'] ?? Number.NaN);
  if (Number.isInteger(length)) return length;
  const body = http?.answerBody;
  return body === undefined ? undefined : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

/** One entry as a row of the request list (only entries `isRequestRow` lets through). */
export function loggedRequest(entry: JournalEntry, redact: Redactor): LoggedRequest {
  const who = { ...(entry.client === undefined ? {} : { client: entry.client }), ...(entry.scope === undefined ? {} : { scope: entry.scope }) };
  const base = { seq: entry.seq, at: entry.at, protocol: entry.protocol as LoggedRequest['protocol'] /* isRequestRow lets no state entry through */, path: entry.endpoint ?? '', ...who };
  if (entry.kind === 'request') {
    const view = entryView(entry, redact);
    const size = answerSize(entry);
    return { ...base, kind: 'request', method: view.request?.method ?? '', path: `${entry.endpoint ?? ''}${queryText(view.request?.query ?? {})}`, status: view.response?.status ?? 0, ms: view.response?.ms ?? 0, ...(size === undefined ? {} : { size }), ...(entry.route === undefined ? {} : { route: entry.route }) };
  }
  if (entry.kind === 'open') return { ...base, kind: 'open', method: 'GET', status: entry.protocol === 'websocket' ? 101 : 200 };
  const reason = entry.reason === undefined ? {} : { reason: entry.reason };
  if (entry.kind === 'close') return { ...base, kind: 'close', status: entry.code ?? 0, ...reason };
  return { ...base, kind: 'refuse', ...(entry.protocol === 'http' ? {} : { method: 'GET' }), status: entry.code ?? 0, ...reason };
}

/**
 * The last `max` rows of the request list, oldest first: requests, upgrades, connects and refusals, each
 * connection's end folded onto its row (`closed`), so a crowd of closed connections cannot push the
 * requests out of the history.
 */
export function requestHistory(journal: LiveJournal, max: number, redact: Redactor): History<LoggedRequest> {
  const found: JournalEntry[] = [];
  const closes = new Map<string, JournalEntry>();
  let count = 0;
  let last = 0;
  for (const entry of journal.entries()) {
    last = entry.seq;
    if (!isRequestRow(entry)) continue;
    if (entry.kind === 'close') {
      if (entry.client !== undefined) closes.set(entry.client, entry);
      continue;
    }
    count += 1;
    found.push(entry);
    // Trimmed in halves, so keeping the last `max` of many costs one copy per `max` entries.
    if (found.length >= 2 * max) found.splice(0, found.length - max);
  }
  const kept = found.slice(-max);
  const rows = kept.map((entry): LoggedRequest => {
    const row = loggedRequest(entry, redact);
    const close = entry.kind === 'open' && entry.client !== undefined ? closes.get(entry.client) : undefined;
    return close === undefined ? row : { ...row, closed: { at: close.at, code: close.code ?? 0, ...(close.reason === undefined ? {} : { reason: close.reason }) } };
  });
  return { rows, earlier: count - kept.length, last };
}
