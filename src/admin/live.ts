/**
 * Live views for the dashboard, as server-sent events (one HTTP response that stays open; browsers
 * reconnect by themselves): a snapshot of the whole server every second, one client's log, and the request
 * list. While the journal is on, the log and the list read it: first its history (the last 1,000 rows: a
 * client's log from its first message, `connected` and `subscribed` included), then every new entry after the
 * last sequence number sent (no gap, no duplicate), through a listener on the journal held only while someone
 * watches. While it is off (or the client's endpoint leaves it), the log is a tap set on that client only
 * while someone watches it, so an unwatched connection pays nothing. Rows are batched every 100 ms and
 * bounded per batch; secrets in JSON are masked either way.
 *
 * What a live view may cost is bounded: the snapshot is built and encoded once a second for every reader
 * together; a reader whose socket is behind is skipped (its rows counted as skipped), and one that stays
 * behind is disconnected; and at most `maxConnections` views are open at once (more are refused with 503
 * before anything is begun).
 */
import type { ServerResponse } from 'node:http';
import { MockwaveError } from '../errors/catalog.ts';
import type { Tap } from '../hub/peer.ts';
import type { Redactor } from '../security/redact.ts';
import { every, systemClock, type Clock } from '../util/clock.ts';
import { sseEvent } from '../util/sse.ts';
import { clientHistory, HEX_PREVIEW, isRequestRow, loggedEntry, loggedRequest, requestHistory, TEXT_PREVIEW, type LiveJournal } from './journal-rows.ts';
import type { LiveSnapshot, LogBatch, LoggedMessage, LoggedRequest, LogHistory } from './snapshot.ts';

export type { LiveJournal } from './journal-rows.ts';

export interface LiveSource {
  /** Everything the overview shows, now. */
  snapshot(): LiveSnapshot;
  /** Watches one client's messages; returns the function that stops watching. Throws for an unknown id. */
  tap(clientId: string, tap: Tap): () => void;
  now(): number;
  /** What masks what the views show (as the journal's view and recordings mask). */
  readonly redact: Redactor;
  /** The journal, while it is on (`--journal`); the log and the request list then read it. */
  readonly liveJournal?: LiveJournal | undefined;
}

const LOG_FLUSH_MS = 100;
const LOG_BATCH = 200;
/** Rows of history a log or the request list begins with, at most. */
export const LIVE_HISTORY = 1000;

const NO_JOURNAL = 'Messages from now on: history from the first message needs the journal (start with --journal).';
const LEFT_OUT = "Messages from now on: this client's endpoint leaves the journal (journal: false).";

export interface LiveLimits {
  /** Live views open at once. */
  readonly maxConnections: number;
  /** How often the snapshot is sent (default 1 s). */
  readonly snapshotMs?: number;
  /** Bytes a reader may have unread before it is skipped (default 256 KiB). */
  readonly maxBehindBytes?: number;
  /** How long a reader may stay behind before it is disconnected (default 10 s). */
  readonly maxBehindMs?: number;
  /**
   * The clock of the rounds and of how long a reader is behind: real time by design (default `systemClock`),
   * since readers' sockets drain in real time even while the server's clock (which tests may hold still)
   * stands; a unit test may pass a ManualClock to run the rounds itself.
   */
  readonly clock?: Clock;
}

function open(response: ServerResponse): void {
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  // A comment first, so the browser's EventSource sees the stream open at once.
  response.write(sseEvent({ comment: 'mockwave live' }));
}

function frame(event: string, data: unknown): string {
  return sseEvent({ event, data: JSON.stringify(data) });
}

/** One open view: its response, and since when (on the views' real clock) it has been too far behind to be written to. */
interface Reader {
  readonly response: ServerResponse;
  behindSince: number | undefined;
}


/** A frame as a row of the log while the journal is off: JSON text with its secrets masked, cut at 4 KiB. */
export function describeMessage(direction: 'in' | 'out', data: Buffer | string, isBinary: boolean, at: number, redact: Redactor): LoggedMessage {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (isBinary) return { direction, at, size, binary: true, hex: (typeof data === 'string' ? Buffer.from(data) : data).subarray(0, HEX_PREVIEW).toString('hex'), truncated: size > HEX_PREVIEW };
  const head = typeof data === 'string' ? data : data.toString('utf8', 0, Math.min(data.length, TEXT_PREVIEW));
  // JSON is read whole to be masked (only while someone watches); other text is shown as it is.
  const text = /^\s*[[{]/.test(head) ? redact.message(typeof data === 'string' ? data : data.toString('utf8')) : head;
  return text.length > TEXT_PREVIEW ? { direction, at, size, binary: false, text: text.slice(0, TEXT_PREVIEW), truncated: true } : { direction, at, size, binary: false, text };
}

/** Rows waiting for the next round: at most LOG_BATCH, the rest counted (and never built). */
class Pending<T> {
  #rows: T[] = [];
  #skipped = 0;

  /** Adds a row made now; one that cannot be made (a bug) is counted as skipped, never thrown into traffic. */
  add(make: () => T): void {
    if (this.#rows.length >= LOG_BATCH) {
      this.#skipped += 1;
      return;
    }
    try {
      this.#rows.push(make());
    } catch {
      this.#skipped += 1;
    }
  }

  skip(count: number): void {
    this.#skipped += count;
  }

  take(): LogBatch<T> | undefined {
    if (this.#rows.length === 0 && this.#skipped === 0) return undefined;
    const batch = { messages: this.#rows, skipped: this.#skipped };
    this.#rows = [];
    this.#skipped = 0;
    return batch;
  }
}

export class LiveViews {
  readonly #source: LiveSource;
  readonly #max: number;
  readonly #snapshotMs: number;
  readonly #maxBehindBytes: number;
  readonly #maxBehindMs: number;
  readonly #clock: Clock;
  /** Every open view, snapshot readers and message logs alike (what the cap counts). */
  #open = 0;
  readonly #readers = new Set<Reader>();
  #stopRounds: (() => void) | undefined;
  /** The last snapshot's frame and when it was built, handed to a reader that arrives within the second. */
  #last: { text: string; at: number } | undefined;

  constructor(source: LiveSource, limits: LiveLimits) {
    this.#source = source;
    this.#max = limits.maxConnections;
    this.#snapshotMs = limits.snapshotMs ?? 1000;
    this.#maxBehindBytes = limits.maxBehindBytes ?? 256 * 1024;
    this.#maxBehindMs = limits.maxBehindMs ?? 10_000;
    this.#clock = limits.clock ?? systemClock;
  }

  get open(): number {
    return this.#open;
  }

  /** Throws MW_TOO_MANY_LIVE_VIEWS when the cap is reached; call before anything is begun. */
  admit(): void {
    if (this.#open >= this.#max) {
      throw new MockwaveError('MW_TOO_MANY_LIVE_VIEWS', `${this.#max} live views are already open (dashboard.maxLiveConnections): close a dashboard tab or raise the limit`);
    }
  }

  /** Streams a snapshot now and every second until the reader goes away. */
  snapshots(response: ServerResponse): void {
    this.admit();
    const reader: Reader = { response, behindSince: undefined };
    this.#opened(response, () => {
      this.#readers.delete(reader);
      if (this.#readers.size === 0) this.#stopTimer();
    });
    open(response);
    const now = this.#clock.now();
    if (this.#last === undefined || now - this.#last.at >= this.#snapshotMs) this.#last = { text: frame('snapshot', this.#source.snapshot()), at: now };
    response.write(this.#last.text);
    this.#readers.add(reader);
    this.#stopRounds ??= every(this.#clock, this.#snapshotMs, () => this.#tick(), { unref: true });
  }

  /**
   * Starts one client's log (throws MW_UNKNOWN_CLIENT for an id that is not connected, or
   * MW_TOO_MANY_LIVE_VIEWS, before any response is begun) and returns what streams it until the browser goes
   * away: a `history` event (LogHistory), then `messages` batches.
   */
  clientLog(clientId: string): (response: ServerResponse) => void {
    this.admit();
    const { liveJournal: journal, redact } = this.#source;
    const pending = new Pending<LoggedMessage>();
    if (journal !== undefined && journal.keeps(clientId)) {
      const { rows, earlier, last, follower } = clientHistory(journal, clientId, LIVE_HISTORY, redact);
      // Entries are kept and told one by one on this thread: whatever comes after the history is told, once.
      const stop = journal.listen((entry) => {
        if (entry.seq > last && follower.counts(entry)) pending.add(() => loggedEntry(entry, redact));
      });
      return this.#feed(frame('history', { journal: true, messages: rows, earlier } satisfies LogHistory), pending, stop);
    }
    const untap = this.#source.tap(clientId, (direction, data, isBinary) => pending.add(() => describeMessage(direction, data, isBinary, this.#source.now(), redact)));
    return this.#feed(frame('history', { journal: false, note: journal === undefined ? NO_JOURNAL : LEFT_OUT, messages: [], earlier: 0 } satisfies LogHistory), pending, untap);
  }

  /**
   * The request list from the journal (throws MW_JOURNAL_OFF while it is off: the page shows the HTTP side's
   * recent list instead): a `history` event, then `messages` batches of LoggedRequest.
   */
  requests(): (response: ServerResponse) => void {
    this.admit();
    const { liveJournal: journal, redact } = this.#source;
    if (journal === undefined) throw new MockwaveError('MW_JOURNAL_OFF', 'The journal is off: the request list is the HTTP side\'s recent requests (start with --journal for every request with its headers and bodies)');
    const pending = new Pending<LoggedRequest>();
    const { rows, earlier, last } = requestHistory(journal, LIVE_HISTORY, redact);
    const stop = journal.listen((entry) => {
      if (entry.seq > last && isRequestRow(entry)) pending.add(() => loggedRequest(entry, redact));
    });
    return this.#feed(frame('history', { messages: rows, earlier }), pending, stop);
  }

  /** Streams `first`, then what is pending every 100 ms, until the browser goes away; then `stop`. */
  #feed<T>(first: string, pending: Pending<T>, stop: () => void): (response: ServerResponse) => void {
    return (response) => {
      // Gone before its stream began: its 'close' has passed, so nothing would ever stop the listener.
      if (response.destroyed) {
        stop();
        return;
      }
      const reader: Reader = { response, behindSince: undefined };
      const rounds = every(this.#clock, LOG_FLUSH_MS, () => {
        const batch = pending.take();
        if (batch !== undefined && !this.#offer(reader, frame('messages', batch), this.#clock.now())) pending.skip(batch.messages.length + batch.skipped);
      }, { unref: true });
      this.#opened(response, () => {
        rounds();
        stop();
      });
      open(response);
      response.write(first);
    };
  }

  #opened(response: ServerResponse, onClose: () => void): void {
    this.#open += 1;
    response.on('close', () => {
      this.#open -= 1;
      onClose();
    });
  }

  #tick(): void {
    const now = this.#clock.now();
    const text = frame('snapshot', this.#source.snapshot());
    this.#last = { text, at: now };
    for (const reader of this.#readers) this.#offer(reader, text, now);
  }

  /** Writes unless the reader is behind; disconnects a reader that stays behind. False when skipped. */
  #offer(reader: Reader, text: string, now: number): boolean {
    const { response } = reader;
    if (response.writableLength > this.#maxBehindBytes) {
      reader.behindSince ??= now;
      if (now - reader.behindSince > this.#maxBehindMs) response.destroy();
      return false;
    }
    reader.behindSince = undefined;
    response.write(text);
    return true;
  }

  #stopTimer(): void {
    this.#stopRounds?.();
    this.#stopRounds = undefined;
  }
}
