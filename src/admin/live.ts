/**
 * Live views for the dashboard, as server-sent events (one HTTP response that stays open; browsers
 * reconnect by themselves): a snapshot of the whole server every second, and one client's messages as they
 * pass. The message log is a tap set on that client only while someone watches it, so an unwatched
 * connection pays nothing; a watched one is batched every 100 ms and bounded per batch.
 *
 * What a live view may cost is bounded: the snapshot is built and encoded once a second for every reader
 * together; a reader whose socket is behind is skipped, and one that stays behind is disconnected; and at
 * most `maxConnections` views are open at once (more are refused with 503 before anything is begun).
 */
import type { ServerResponse } from 'node:http';
import { MockwaveError } from '../errors/catalog.ts';
import type { Tap } from '../hub/peer.ts';
import { every, systemClock, type Clock } from '../util/clock.ts';
import { sseEvent } from '../util/sse.ts';
import type { LiveSnapshot, LoggedMessage } from './snapshot.ts';

export interface LiveSource {
  /** Everything the overview shows, now. */
  snapshot(): LiveSnapshot;
  /** Watches one client's messages; returns the function that stops watching. Throws for an unknown id. */
  tap(clientId: string, tap: Tap): () => void;
  now(): number;
}

const LOG_FLUSH_MS = 100;
const LOG_BATCH = 200;
const TEXT_PREVIEW = 4096;
const HEX_PREVIEW = 32;

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


export function describeMessage(direction: 'in' | 'out', data: Buffer | string, isBinary: boolean, at: number): LoggedMessage {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (isBinary) return { direction, at, size, binary: true, hex: (typeof data === 'string' ? Buffer.from(data) : data).subarray(0, HEX_PREVIEW).toString('hex'), truncated: size > HEX_PREVIEW };
  const text = typeof data === 'string' ? data : data.toString('utf8', 0, Math.min(data.length, TEXT_PREVIEW));
  return size > TEXT_PREVIEW ? { direction, at, size, binary: false, text: text.slice(0, TEXT_PREVIEW), truncated: true } : { direction, at, size, binary: false, text };
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
   * Starts watching one client's messages (throws MW_UNKNOWN_CLIENT for an id that is not connected, or
   * MW_TOO_MANY_LIVE_VIEWS, before any response is begun) and returns what streams them until the browser
   * goes away.
   */
  clientLog(clientId: string): (response: ServerResponse) => void {
    this.admit();
    let pending: LoggedMessage[] = [];
    let skipped = 0;
    const untap = this.#source.tap(clientId, (direction, data, isBinary) => {
      if (pending.length >= LOG_BATCH) skipped += 1;
      else pending.push(describeMessage(direction, data, isBinary, this.#source.now()));
    });
    return (response) => {
      const reader: Reader = { response, behindSince: undefined };
      const stop = every(this.#clock, LOG_FLUSH_MS, () => {
        if (pending.length === 0 && skipped === 0) return;
        const batch = { messages: pending, skipped };
        pending = [];
        skipped = 0;
        if (!this.#offer(reader, frame('messages', batch), this.#clock.now())) skipped += batch.messages.length + batch.skipped;
      }, { unref: true });
      this.#opened(response, () => {
        stop();
        untap();
      });
      open(response);
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
