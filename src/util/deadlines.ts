/**
 * Deadlines of one length on one timer: what is waited for (request bodies arriving) is added in the order
 * it starts, so it falls due in that order too, and one timer, armed for the oldest, serves them all. A timer
 * per request would be armed and cleared for every request with a body; here a request that ends in time
 * only leaves a set. The timer is left to run when the set empties (it finds nothing and stops), so a steady
 * stream of requests arms it once per `ms`, not once per request. The pending deadlines are a list linked
 * through themselves: a `Set` churned by an add and a delete per request cost a microsecond a delete.
 */
import type { Clock, TimerHandle } from './clock.ts';

export interface Deadline {
  readonly due: number;
  readonly onLate: () => void;
}

interface Link extends Deadline {
  previous: Link | undefined;
  next: Link | undefined;
  /** Still in the list (removed, or run, once). */
  pending: boolean;
}

export class Deadlines {
  readonly ms: number;
  readonly #clock: Clock;
  /** Oldest first. */
  #first: Link | undefined;
  #last: Link | undefined;
  #size = 0;
  #timer: TimerHandle | undefined;

  /** `clock`: real time for what arrives in real time (a request's body), whatever clock the mock runs on. */
  constructor(clock: Clock, ms: number) {
    this.#clock = clock;
    this.ms = ms;
  }

  /** `onLate` runs once `ms` have passed, unless the deadline is removed first. */
  add(onLate: () => void): Deadline {
    const link: Link = { due: this.#clock.now() + this.ms, onLate, previous: this.#last, next: undefined, pending: true };
    if (this.#last === undefined) this.#first = link;
    else this.#last.next = link;
    this.#last = link;
    this.#size += 1;
    if (this.#timer === undefined) this.#arm(link.due);
    return link;
  }

  remove(deadline: Deadline): void {
    const link = deadline as Link;
    if (!link.pending) return;
    link.pending = false;
    if (link.previous === undefined) this.#first = link.next;
    else link.previous.next = link.next;
    if (link.next === undefined) this.#last = link.previous;
    else link.next.previous = link.previous;
    link.previous = undefined;
    link.next = undefined;
    this.#size -= 1;
  }

  get size(): number {
    return this.#size;
  }

  /** Stops the timer (a server closing); pending deadlines are dropped, not run. */
  clear(): void {
    while (this.#first !== undefined) this.remove(this.#first);
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(due: number): void {
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(0, due - this.#clock.now()), { unref: true });
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (let first = this.#first; first !== undefined; first = this.#first) {
      if (first.due > now) {
        this.#arm(first.due);
        return;
      }
      this.remove(first);
      first.onLate();
    }
  };
}
