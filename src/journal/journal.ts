/**
 * The traffic journal: every WebSocket frame in and out, each broadcast once, every HTTP request with its
 * answer, every Server-Sent Event, every connection opened and closed, in one ring bounded in entries and in
 * bytes (the oldest dropped and counted). Producers hand it what they already hold (the frame's bytes, Node's
 * header object): nothing is parsed or masked on the way in; `view.ts` masks what it shows. A client's scope
 * (src/journal/scope.ts) is noted at its connection and copied onto each of its entries, so queries and
 * clearing can keep to one scope.
 */
import type { Peer } from '../hub/peer.ts';
import { ENTRY_OVERHEAD, type JournalEntry, type JournalHttp, type JournalKind, type JournalProtocol } from './entry.ts';
import { JOURNAL_PAYLOAD_BYTES, type JournalSettings } from './settings.ts';

/** What the journal reads of a peer. */
export type JournalPeer = Pick<Peer, 'id' | 'endpoint'>;

export interface JournalFigures {
  readonly entries: number;
  readonly bytes: number;
  /** Entries dropped to stay within the bounds since the start (or the last clearing of everything). */
  readonly dropped: number;
  /** The sequence number the next entry gets. */
  readonly next: number;
}

/**
 * One entry, made in one allocation with every field in one order: an entry is made per frame, and one
 * shape keeps that path monomorphic (entries spread from partial objects took three allocations of
 * different shapes). Filled by the journal before it is kept; read-only to everyone else (`JournalEntry`).
 */
class Entry implements JournalEntry {
  seq = 0;
  direction: 'in' | 'out' | undefined = undefined;
  route: string | undefined = undefined;
  size = 0;
  data: string | Buffer | undefined = undefined;
  truncated = false;
  topics: readonly string[] | undefined = undefined;
  recipients: number | undefined = undefined;
  code: number | undefined = undefined;
  reason: string | undefined = undefined;
  http: JournalHttp | undefined = undefined;

  constructor(
    readonly at: number,
    readonly protocol: JournalProtocol,
    readonly kind: JournalKind,
    readonly client: string | undefined,
    readonly scope: string | undefined,
    readonly endpoint: string | undefined,
  ) {}
}

/** A payload as kept: text as text; bytes copied (a frame's bytes may be a view into a larger read). */
function keep(entry: Entry, data: Buffer | string, isBinary: boolean): void {
  if (typeof data === 'string') {
    entry.truncated = data.length > JOURNAL_PAYLOAD_BYTES;
    entry.data = entry.truncated ? data.slice(0, JOURNAL_PAYLOAD_BYTES) : data;
    return;
  }
  entry.truncated = data.length > JOURNAL_PAYLOAD_BYTES;
  const bytes = entry.truncated ? data.subarray(0, JOURNAL_PAYLOAD_BYTES) : data;
  entry.data = isBinary ? Buffer.from(bytes) : bytes.toString('utf8');
}

export class Journal {
  readonly #max: { readonly entries: number; readonly bytes: number };
  readonly #now: () => number;
  /** The ring: `#count` entries from `#head`, oldest first. */
  #ring: (JournalEntry | undefined)[] = [];
  #head = 0;
  #count = 0;
  #bytes = 0;
  #dropped = 0;
  #seq = 1;
  /** The scope each client named when it connected (only clients that named one). */
  readonly #scopes = new WeakMap<JournalPeer, string>();
  /** Told of every entry kept (waits); empty while nobody waits. */
  readonly #listeners = new Set<(entry: JournalEntry) => void>();

  constructor(settings: Pick<JournalSettings, 'maxEntries' | 'maxBytes'>, now: () => number) {
    this.#max = { entries: settings.maxEntries, bytes: settings.maxBytes };
    this.#now = now;
  }

  /** A client connected, naming `scope` or none. */
  open(protocol: JournalProtocol, peer: JournalPeer, scope: string | undefined): void {
    if (scope !== undefined) this.#scopes.set(peer, scope);
    this.#push(this.#of(protocol, 'open', peer));
  }

  close(protocol: JournalProtocol, peer: JournalPeer, code: number, reason: string): void {
    const entry = this.#of(protocol, 'close', peer);
    entry.code = code;
    entry.reason = reason;
    this.#push(entry);
  }

  /** A frame to or from one client (never a broadcast: that is one entry, `broadcast`). */
  message(protocol: JournalProtocol, peer: JournalPeer, direction: 'in' | 'out', data: Buffer | string, isBinary: boolean): void {
    const entry = this.#of(protocol, 'message', peer);
    entry.direction = direction;
    entry.size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    keep(entry, data, isBinary);
    this.#push(entry);
  }

  subscription(protocol: JournalProtocol, peer: JournalPeer, topic: string, on: boolean): void {
    const entry = this.#of(protocol, on ? 'subscribe' : 'unsubscribe', peer);
    entry.topics = [topic];
    this.#push(entry);
  }

  /** One message to the subscribers of `topics` on an endpoint: one entry, however many got it. */
  broadcast(protocol: JournalProtocol, endpoint: string, topics: readonly string[], frame: Buffer, isBinary: boolean, recipients: number): void {
    const entry = new Entry(this.#now(), protocol, 'broadcast', undefined, undefined, endpoint);
    entry.direction = 'out';
    entry.topics = topics;
    entry.recipients = recipients;
    entry.size = frame.length;
    keep(entry, frame, isBinary);
    this.#push(entry);
  }

  /**
   * A connection or request refused at the door (a bad token, a full endpoint, an origin not allowed, a rate
   * limit): `code` is the status it was answered with, `reason` the error's code and message.
   */
  refused(protocol: JournalProtocol, path: string, scope: string | undefined, status: number, reason: string): void {
    const entry = new Entry(this.#now(), protocol, 'refuse', undefined, scope, path);
    entry.direction = 'in';
    entry.code = status;
    entry.reason = reason;
    this.#push(entry);
  }

  /** An HTTP request with its answer; `route` is the route that answered (undefined: none did). */
  request(http: JournalHttp, route: string | undefined, scope: string | undefined): void {
    const body = http.body.length > JOURNAL_PAYLOAD_BYTES ? http.body.subarray(0, JOURNAL_PAYLOAD_BYTES) : http.body;
    const answer = http.answerBody;
    const answerBody = answer !== undefined && answer.length > JOURNAL_PAYLOAD_BYTES ? answer.slice(0, JOURNAL_PAYLOAD_BYTES) : answer;
    const entry = new Entry(this.#now(), 'http', 'request', undefined, scope, http.path);
    entry.route = route;
    entry.direction = 'in';
    entry.size = http.body.length;
    entry.truncated = body !== http.body || answerBody !== answer;
    entry.http = body === http.body && answerBody === answer ? http : { ...http, body, answerBody };
    this.#push(entry);
  }

  /** The entries kept, oldest first. */
  *entries(): Generator<JournalEntry> {
    for (let i = 0; i < this.#count; i++) yield this.#ring[(this.#head + i) % this.#ring.length] as JournalEntry;
  }

  /** Calls `listener` with every entry kept from now on, until the function returned is called. */
  listen(listener: (entry: JournalEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** The scope a connected client named, if any. */
  scopeOf(peer: JournalPeer): string | undefined {
    return this.#scopes.get(peer);
  }

  /** Forgets every entry, or only those of one scope; returns how many were removed. */
  clear(scope?: string): number {
    const before = this.#count;
    const keep = scope === undefined ? [] : [...this.entries()].filter((entry) => entry.scope !== scope);
    this.#ring = [];
    this.#head = 0;
    this.#count = 0;
    this.#bytes = 0;
    if (scope === undefined) this.#dropped = 0;
    for (const entry of keep) this.#store(entry);
    return before - keep.length;
  }

  figures(): JournalFigures {
    return { entries: this.#count, bytes: this.#bytes, dropped: this.#dropped, next: this.#seq };
  }

  /** A new entry of one client's, with the scope it named. */
  #of(protocol: JournalProtocol, kind: JournalKind, peer: JournalPeer): Entry {
    return new Entry(this.#now(), protocol, kind, peer.id, this.#scopes.get(peer), peer.endpoint);
  }

  #push(entry: Entry): void {
    entry.seq = this.#seq++;
    this.#store(entry);
    if (this.#listeners.size > 0) this.#tell(entry);
  }

  /** Tells the listeners; one that throws (a bug) is dropped, never the traffic that made the entry. */
  #tell(entry: JournalEntry): void {
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch {
        this.#listeners.delete(listener);
      }
    }
  }

  /** Keeps `entry`, dropping the oldest entries while the ring is full or over its bytes. */
  #store(entry: JournalEntry): void {
    const cost = costOf(entry);
    while (this.#count > 0 && (this.#count >= this.#max.entries || this.#bytes + cost > this.#max.bytes)) this.#dropOldest();
    if (this.#ring.length < this.#max.entries) {
      // The ring grows as entries come, up to its bound, and stays that size.
      this.#ring.push(entry);
    } else this.#ring[(this.#head + this.#count) % this.#ring.length] = entry;
    this.#count += 1;
    this.#bytes += cost;
  }

  #dropOldest(): void {
    const oldest = this.#ring[this.#head] as JournalEntry;
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#count -= 1;
    this.#bytes -= costOf(oldest);
    this.#dropped += 1;
    // Emptied: it grows again from the start (while growing, its entries end at its end).
    if (this.#count === 0) {
      this.#ring = [];
      this.#head = 0;
    }
  }
}

function costOf(entry: JournalEntry): number {
  const http = entry.http;
  const payload = http === undefined ? (entry.data?.length ?? 0) : http.body.length + (http.answerBody?.length ?? 0);
  return ENTRY_OVERHEAD + payload;
}
