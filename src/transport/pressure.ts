/**
 * The server's outgoing-memory guard. Each client may have `maxBufferedBytes` queued; past that, mock
 * traffic to it is dropped (and counted) and, once it has stayed behind for the grace period, it is
 * evicted. Across all clients at most `maxQueuedBytes` may be queued: a message that would wait behind
 * others is charged to the budget the last sum left, and dropped once it is spent (clients that keep up,
 * whose writes leave at once, are not touched). The total is summed on a timer, not per write, so a write
 * stays O(1).
 */
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
  #timer: NodeJS.Timeout | undefined;

  constructor(maxQueuedBytes: number) {
    this.#maxQueuedBytes = maxQueuedBytes;
    this.budget = maxQueuedBytes;
  }

  /** Whether `bytes` more may wait in a client's queue; charges them when they may. */
  admit(bytes: number): boolean {
    if (this.budget < bytes) return false;
    this.budget -= bytes;
    return true;
  }

  /** Starts summing `peers` on a timer that never keeps the process alive. */
  start(peers: Iterable<Pressured>, now: () => number): void {
    this.#timer ??= setInterval(() => this.check(peers, now()), PRESSURE_CHECK_MS).unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One round: the total, and every client that is behind is either cleared or, past its grace, evicted. */
  check(peers: Iterable<Pressured>, now: number): void {
    let total = 0;
    for (const peer of peers) total += peer.bufferedAmount;
    this.queued = total;
    this.budget = this.#maxQueuedBytes - total;
    for (const peer of this.behind) {
      if (peer.closed || !peer.checkBehind(now)) this.behind.delete(peer);
    }
  }
}
