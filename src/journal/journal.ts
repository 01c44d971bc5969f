/**
 * The traffic journal: every WebSocket frame in and out, each broadcast once, every HTTP request with its
 * answer, every Server-Sent Event, every connection opened, refused and closed, encoded in one ring bounded
 * in entries and in bytes outside the JavaScript heap (ring.ts; the oldest dropped and counted). Producers
 * hand it what they already hold (the frame's bytes, Node's raw headers), copied into the ring as bytes:
 * nothing is parsed or masked on the way in; `view.ts` masks what it shows. A client's scope
 * (src/journal/scope.ts) is noted at its connection and copied onto each of its entries, so queries and
 * clearing can keep to one scope.
 */
import type { Refusal } from '../errors/refusal.ts';
import type { Peer } from '../hub/peer.ts';
import type { JournalEntry, JournalHttpInput, JournalKind, JournalProtocol } from './entry.ts';
import type { EntryToKeep } from './codec.ts';
import { EntryRing } from './ring.ts';
import { JOURNAL_PAYLOAD_BYTES, type JournalSettings } from './settings.ts';

/** Who a broadcast reached when it did not reach every subscriber: one of the two lists, the shorter. */
export interface BroadcastAudience {
  readonly reached?: readonly string[] | undefined;
  readonly missed?: readonly string[] | undefined;
}

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
 * One entry on its way into the ring: one allocation with every field in one order (an entry is made per
 * frame: one shape keeps that path monomorphic), encoded at once and left to die young. Its payload is as it
 * came (a text frame may still be bytes): the ring copies it.
 */
class Entry implements EntryToKeep {
  seq = 0;
  direction: 'in' | 'out' | undefined = undefined;
  route: string | undefined = undefined;
  size = 0;
  data: string | Buffer | undefined = undefined;
  binary = false;
  truncated = false;
  topics: readonly string[] | undefined = undefined;
  recipients: number | undefined = undefined;
  reached: readonly string[] | undefined = undefined;
  missed: readonly string[] | undefined = undefined;
  source: string | undefined = undefined;
  code: number | undefined = undefined;
  reason: string | undefined = undefined;
  http: JournalHttpInput | undefined = undefined;

  constructor(
    readonly at: number,
    readonly protocol: JournalProtocol,
    readonly kind: JournalKind,
    readonly client: string | undefined,
    readonly scope: string | undefined,
    readonly endpoint: string | undefined,
  ) {}
}

/** Text (a string, or its UTF-8 bytes) cut to at most JOURNAL_PAYLOAD_BYTES bytes, at a character's start. */
function cutText(text: string | Buffer): string | Buffer {
  // A string of at most a third of the limit in UTF-16 units is within it in bytes, without counting.
  if (typeof text === 'string' && (text.length * 3 <= JOURNAL_PAYLOAD_BYTES || Buffer.byteLength(text) <= JOURNAL_PAYLOAD_BYTES)) return text;
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  if (bytes.length <= JOURNAL_PAYLOAD_BYTES) return bytes;
  let end = JOURNAL_PAYLOAD_BYTES;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end);
}

/** A payload as it will be kept: cut at JOURNAL_PAYLOAD_BYTES bytes (the ring copies it). */
function keep(entry: Entry, data: Buffer | string, isBinary: boolean): void {
  entry.binary = isBinary;
  const kept = isBinary ? (data.length > JOURNAL_PAYLOAD_BYTES ? (data as Buffer).subarray(0, JOURNAL_PAYLOAD_BYTES) : data) : cutText(data);
  entry.truncated = kept !== data;
  entry.data = kept;
}

export class Journal {
  readonly #settings: Pick<JournalSettings, 'maxEntries' | 'maxBytes'>;
  readonly #now: () => number;
  #ring: EntryRing;
  #seq = 1;
  /** The scope each client named when it connected (only clients that named one). */
  readonly #scopes = new WeakMap<JournalPeer, string>();
  /** Told of every entry kept (waits); empty while nobody waits. */
  readonly #listeners = new Set<(entry: JournalEntry) => void>();

  constructor(settings: Pick<JournalSettings, 'maxEntries' | 'maxBytes'>, now: () => number) {
    this.#settings = settings;
    this.#ring = new EntryRing(settings.maxEntries, settings.maxBytes);
    this.#now = now;
  }

  /**
   * A client connected, naming `scope` or none; `everything`: it receives every topic until it first
   * subscribes (a cerberus, raw or SSE client), kept as `topics: []`; `http`: the request it came in with
   * (the upgrade's or the connect's head).
   */
  open(protocol: JournalProtocol, peer: JournalPeer, scope: string | undefined, everything = false, http?: JournalHttpInput): void {
    if (scope !== undefined) this.#scopes.set(peer, scope);
    const entry = this.#of(protocol, 'open', peer);
    if (everything) entry.topics = [];
    entry.http = http;
    this.#push(entry);
  }

  close(protocol: JournalProtocol, peer: JournalPeer, code: number, reason: string): void {
    const entry = this.#of(protocol, 'close', peer);
    entry.code = code;
    entry.reason = reason;
    this.#push(entry);
  }

  /** A frame to or from one client (never a broadcast: that is one entry, `broadcast`); `source`: what sent it. */
  message(protocol: JournalProtocol, peer: JournalPeer, direction: 'in' | 'out', data: Buffer | string, isBinary: boolean, source: string | undefined): void {
    const entry = this.#of(protocol, 'message', peer);
    entry.direction = direction;
    entry.source = source;
    entry.size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    keep(entry, data, isBinary);
    this.#push(entry);
  }

  /** A fault injected into a client's connection: `fault` its kind, `detail` what it did, `direction` the message's way (none for a disconnect). */
  fault(protocol: JournalProtocol, peer: JournalPeer, fault: string, direction: 'in' | 'out' | undefined, detail: string): void {
    const entry = this.#of(protocol, 'fault', peer);
    entry.direction = direction;
    entry.reason = `${fault}: ${detail}`;
    this.#push(entry);
  }

  subscription(protocol: JournalProtocol, peer: JournalPeer, topic: string, on: boolean): void {
    const entry = this.#of(protocol, on ? 'subscribe' : 'unsubscribe', peer);
    entry.topics = [topic];
    this.#push(entry);
  }

  /**
   * One message to the subscribers of `topics` on an endpoint: one entry, however many got it. `audience`,
   * when it did not reach every subscriber: the clients it reached, or those it missed (the shorter list).
   */
  broadcast(protocol: JournalProtocol, endpoint: string, topics: readonly string[], frame: Buffer, isBinary: boolean, recipients: number, source: string, audience?: BroadcastAudience): void {
    const entry = new Entry(this.#now(), protocol, 'broadcast', undefined, undefined, endpoint);
    entry.direction = 'out';
    entry.topics = topics;
    entry.recipients = recipients;
    entry.source = source;
    entry.reached = audience?.reached;
    entry.missed = audience?.missed;
    entry.size = frame.length;
    keep(entry, frame, isBinary);
    this.#push(entry);
  }

  /**
   * A connection or request refused at the door (a bad token, a full endpoint, an origin not allowed, a rate
   * limit): kept with the status it was answered with (`code`) and the error's code and message (`reason`).
   */
  refused(protocol: JournalProtocol, path: string, scope: string | undefined, refused: Refusal): void {
    const entry = new Entry(this.#now(), protocol, 'refuse', undefined, scope, path);
    entry.direction = 'in';
    entry.code = refused.status;
    entry.reason = `${refused.code}: ${refused.message}`;
    this.#push(entry);
  }

  /** An HTTP request with its answer; `route` is the route that answered (undefined: none did). */
  request(http: JournalHttpInput, route: string | undefined, scope: string | undefined): void {
    const body = http.body.length > JOURNAL_PAYLOAD_BYTES ? http.body.subarray(0, JOURNAL_PAYLOAD_BYTES) : http.body;
    const answer = http.answerBody;
    const answerBody = answer === undefined ? undefined : typeof answer === 'string' ? cutText(answer) : answer.length > JOURNAL_PAYLOAD_BYTES ? answer.subarray(0, JOURNAL_PAYLOAD_BYTES) : answer;
    const entry = new Entry(this.#now(), 'http', 'request', undefined, scope, http.path);
    entry.route = route;
    entry.direction = 'in';
    entry.size = http.body.length;
    entry.truncated = body !== http.body || answerBody !== answer;
    entry.http = body === http.body && answerBody === answer ? http : { ...http, body, answerBody };
    this.#push(entry);
  }

  /**
   * A change of the state: `scope` the state scope (`global`, `scope:<name>`, `client:<id>`, `caller:…`),
   * `kind` what was done, `change` what was written (as JSON, cut as a payload is), `source` who did it,
   * `within` the test scope of the run that did it (the entry is that scope's, as the run's traffic is).
   */
  state(scope: string, kind: string, change: unknown, source: string, within?: string): void {
    const colon = scope.indexOf(':');
    const prefix = colon < 0 ? scope : scope.slice(0, colon);
    const named = scope.slice(colon + 1);
    const entry = new Entry(this.#now(), 'state', 'state', prefix === 'client' ? named : undefined, prefix === 'scope' ? named : within, scope);
    entry.reason = kind;
    entry.source = source;
    if (change !== undefined) {
      const text = JSON.stringify(change);
      entry.size = Buffer.byteLength(text);
      keep(entry, text, false);
    }
    this.#push(entry);
  }

  /** The entries kept, oldest first, decoded. */
  entries(): Generator<JournalEntry> {
    return this.#ring.entries();
  }

  /** Calls `listener` with every entry kept from now on, until the function returned is called. */
  listen(listener: (entry: JournalEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Forgets every entry, or only those of one scope; returns how many were removed. */
  clear(scope?: string): number {
    const old = this.#ring;
    this.#ring = new EntryRing(this.#settings.maxEntries, this.#settings.maxBytes, scope === undefined ? 0 : old.dropped);
    if (scope === undefined) return old.count;
    // The other scopes' records are copied as they are (never decoded and encoded again, which could change them).
    let kept = 0;
    for (const { entry, bytes } of old.records()) {
      if (entry.scope === scope) continue;
      this.#ring.storeRecord(bytes);
      kept += 1;
    }
    return old.count - kept;
  }

  figures(): JournalFigures {
    return { entries: this.#ring.count, bytes: this.#ring.bytes, dropped: this.#ring.dropped, next: this.#seq };
  }

  /** A new entry of one client's, with the scope it named. */
  #of(protocol: JournalProtocol, kind: JournalKind, peer: JournalPeer): Entry {
    return new Entry(this.#now(), protocol, kind, peer.id, this.#scopes.get(peer), peer.endpoint);
  }

  #push(entry: Entry): void {
    entry.seq = this.#seq++;
    // Listeners (waits) are told the entry as the ring keeps it: the same fields a query later reads.
    if (this.#ring.store(entry) && this.#listeners.size > 0) this.#tell(this.#ring.newest() as JournalEntry);
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
}
