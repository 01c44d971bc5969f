import type { Peer } from '../hub/peer.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';

/**
 * Timers that belong to one client (delayed rule actions, scripts, replays): cancelled together when the
 * client leaves or the server stops, and never fired for a closed client.
 */
export class PeerTimers {
  readonly #clock: Clock;
  readonly #timers = new Map<Peer, Set<TimerHandle>>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  schedule(peer: Peer, fn: () => void, ms: number): void {
    if (peer.closed) return;
    let timers = this.#timers.get(peer);
    if (timers === undefined) {
      timers = new Set();
      this.#timers.set(peer, timers);
    }
    const pending = timers;
    const handle = this.#clock.setTimeout(() => {
      pending.delete(handle);
      if (!peer.closed) fn();
    }, ms);
    pending.add(handle);
  }

  cancel(peer: Peer): void {
    for (const handle of this.#timers.get(peer) ?? []) this.#clock.clearTimeout(handle);
    this.#timers.delete(peer);
  }

  cancelAll(): void {
    for (const peer of [...this.#timers.keys()]) this.cancel(peer);
  }
}
