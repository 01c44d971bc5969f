/**
 * The server's outgoing-memory guard. Each client may have `maxBufferedBytes` queued; past that, mock
 * traffic to it is dropped (and counted) and, once it has stayed behind for the grace period, it is
 * evicted. Across all clients at most `maxQueuedBytes` may be queued: a message that would wait behind
 * others is charged to the budget the last sum left, and dropped once it is spent (clients that keep up,
 * whose writes leave at once, are not touched). The total is summed on a timer, not per write, so a write
 * stays O(1). The same timer evicts clients that stay behind while nothing is sent to them (a paused
 * stream): eviction must not wait for the next message. WebSocket and SSE clients are watched alike.
 */
import { every, systemClock, type Clock } from '../util/clock.ts';
import { PRESSURE_CHECK_MS } from './constants.ts';

/** What the guard needs of a connection. */
export interface Pressured {
  readonly bufferedAmount: number;
  readonly closed: boolean;
  /** Called by the guard: still behind after the grace period, or caught up again. */
  checkBehind(now: number): boolean;
}

export class Pressure {
  /** Bytes that may still be queued behind others before the next sum. */
  budget: number;
  /** The last sum of queued bytes over all clients. */
  queued = 0;
  /** Clients that went over their cap and have not caught up yet. */
  readonly behind = new Set<Pressured>();
  readonly #maxQueuedBytes: number;
  /** The sets of clients summed each round (the transport's WebSocket peers, the SSE side's). */
  readonly #watched: Iterable<Pressured>[] = [];
  /**
   * The clock of the rounds: real time by design (`systemClock`, whatever clock the server's mock time is on),
   * since the budget it refills is for bytes in real socket buffers, which drain in real time even while a
   * test's manual clock stands still. A unit test may pass a ManualClock to run the rounds itself.
   */
  readonly #realClock: Clock;
  #stopRounds: (() => void) | undefined;

  constructor(maxQueuedBytes: number, realClock: Clock = systemClock) {
    this.#maxQueuedBytes = maxQueuedBytes;
    this.budget = maxQueuedBytes;
    this.#realClock = realClock;
  }

  /** Whether `bytes` more may wait in a client's queue; charges them when they may. */
  admit(bytes: number): boolean {
    if (this.budget < bytes) return false;
    this.budget -= bytes;
    return true;
  }

  /** Adds a live set of clients to those summed and checked each round. */
  watch(peers: Iterable<Pressured>): void {
    this.#watched.push(peers);
  }

  /**
   * Starts the rounds, on the real clock, with timers that never keep the process alive; grace periods are
   * still read from the server's clock, through `now`.
   */
  start(now: () => number): void {
    this.#stopRounds ??= every(this.#realClock, PRESSURE_CHECK_MS, () => this.check(now()), { unref: true });
  }

  stop(): void {
    this.#stopRounds?.();
    this.#stopRounds = undefined;
  }

  /** One round: the total, and every client that is behind is either cleared or, past its grace, evicted. */
  check(now: number): void {
    let total = 0;
    for (const peers of this.#watched) for (const peer of peers) total += peer.bufferedAmount;
    this.queued = total;
    this.budget = this.#maxQueuedBytes - total;
    for (const peer of this.behind) {
      if (peer.closed || !peer.checkBehind(now)) this.behind.delete(peer);
    }
  }
}
