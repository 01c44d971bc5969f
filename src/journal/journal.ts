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

/** A payload as kept: text as text; bytes copied (a frame's bytes may be a view into a larger read). */
function kept(data: Buffer | string, isBinary: boolean): { data: string | Buffer; truncated: boolean } {
  if (typeof data === 'string') return data.length > JOURNAL_PAYLOAD_BYTES ? { data: data.slice(0, JOURNAL_PAYLOAD_BYTES), truncated: true } : { data, truncated: false };
  const cut = data.length > JOURNAL_PAYLOAD_BYTES;
  const bytes = cut ? data.subarray(0, JOURNAL_PAYLOAD_BYTES) : data;
  return { data: isBinary ? Buffer.from(bytes) : bytes.toString('utf8'), truncated: cut };
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
    this.#add(protocol, 'open', peer, {});
  }

  close(protocol: JournalProtocol, peer: JournalPeer, code: number, reason: string): void {
    this.#add(protocol, 'close', peer, { code, reason });
  }

  /** A frame to or from one client (never a broadcast: that is one entry, `broadcast`). */
  message(protocol: JournalProtocol, peer: JournalPeer, direction: 'in' | 'out', data: Buffer | string, isBinary: boolean): void {
    this.#add(protocol, 'message', peer, { direction, size: typeof data === 'string' ? Buffer.byteLength(data) : data.length, ...kept(data, isBinary) });
  }

  subscription(protocol: JournalProtocol, peer: JournalPeer, topic: string, on: boolean): void {
    this.#add(protocol, on ? 'subscribe' : 'unsubscribe', peer, { topics: [topic] });
  }

  /** One message to the subscribers of `topics` on an endpoint: one entry, however many got it. */
  broadcast(protocol: JournalProtocol, endpoint: string, topics: readonly string[], frame: Buffer, isBinary: boolean, recipients: number): void {
    this.#push({ ...this.#base(protocol, 'broadcast', undefined), endpoint, direction: 'out', topics, recipients, size: frame.length, ...kept(frame, isBinary) });
  }

  /** An HTTP request with its answer; `route` is the route that answered (undefined: none did). */
  request(http: JournalHttp, route: string | undefined, scope: string | undefined): void {
    const body = http.body.length > JOURNAL_PAYLOAD_BYTES ? http.body.subarray(0, JOURNAL_PAYLOAD_BYTES) : http.body;
    this.#push({ ...this.#base('http', 'request', undefined), scope, endpoint: http.path, route, direction: 'in', size: http.body.length, truncated: body !== http.body, http: { ...http, body } });
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

  #base(protocol: JournalProtocol, kind: JournalKind, peer: JournalPeer | undefined): JournalEntry {
    return {
      seq: 0,
      at: this.#now(),
      protocol,
      kind,
      direction: undefined,
      client: peer?.id,
      scope: peer === undefined ? undefined : this.#scopes.get(peer),
      endpoint: peer?.endpoint,
      route: undefined,
      size: 0,
      data: undefined,
      truncated: false,
      topics: undefined,
      recipients: undefined,
      code: undefined,
      reason: undefined,
      http: undefined,
    };
  }

  #add(protocol: JournalProtocol, kind: JournalKind, peer: JournalPeer, fields: Partial<JournalEntry>): void {
    this.#push({ ...this.#base(protocol, kind, peer), ...fields });
  }

  #push(entry: JournalEntry): void {
    const kept = { ...entry, seq: this.#seq++ };
    this.#store(kept);
    if (this.#listeners.size > 0) this.#tell(kept);
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
  const payload = entry.http?.body.length ?? (typeof entry.data === 'string' ? entry.data.length : (entry.data?.length ?? 0));
  return ENTRY_OVERHEAD + payload;
}
