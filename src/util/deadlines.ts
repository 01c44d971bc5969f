/**
 * Deadlines of one length on one timer: what is waited for (request bodies arriving) is added in the order
 * it starts, so it falls due in that order too, and one timer, armed for the oldest, serves them all. A timer
 * per request would be armed and cleared for every request with a body; here a request that ends in time
 * only leaves a set. The timer is left to run when the set empties (it finds nothing and stops), so a steady
 * stream of requests arms it once per `ms`, not once per request.
 */
import type { Clock, TimerHandle } from './clock.ts';

export interface Deadline {
  readonly due: number;
  readonly onLate: () => void;
}

export class Deadlines {
  readonly ms: number;
  readonly #clock: Clock;
  readonly #pending = new Set<Deadline>();
  #timer: TimerHandle | undefined;

  /** `clock`: real time for what arrives in real time (a request's body), whatever clock the mock runs on. */
  constructor(clock: Clock, ms: number) {
    this.#clock = clock;
    this.ms = ms;
  }

  /** `onLate` runs once `ms` have passed, unless the deadline is removed first. */
  add(onLate: () => void): Deadline {
    const deadline = { due: this.#clock.now() + this.ms, onLate };
    this.#pending.add(deadline);
    if (this.#timer === undefined) this.#arm(deadline.due);
    return deadline;
  }

  remove(deadline: Deadline): void {
    this.#pending.delete(deadline);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Stops the timer (a server closing); pending deadlines are dropped, not run. */
  clear(): void {
    this.#pending.clear();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(due: number): void {
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(0, due - this.#clock.now()), { unref: true });
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (const deadline of this.#pending) {
      if (deadline.due > now) {
        this.#arm(deadline.due);
        return;
      }
      this.#pending.delete(deadline);
      deadline.onLate();
    }
  };
}
