/**
 * The clock seam: every timer in src/ is set through a Clock, so tests can drive time with a ManualClock
 * instead of waiting on real timers.
 *
 * A server has two. Its `clock` is the mock's own time: streams, delays, heartbeats, grace periods,
 * timestamps; a test may hold it still. Its sockets' own deadlines and turns (a socket destroyed when its
 * close is not answered, the rounds of the queued-bytes guard, the flush of a turn's writes) run on a real
 * clock, `systemClock` unless a unit test passes another: socket buffers drain, and clients answer, in real
 * time even while the mock's clock stands still.
 */
export type TimerHandle = { readonly __timer: true };

export interface TimerOptions {
  /** The timer does not keep the process running (Node's `unref`): for a timer that only tidies up. */
  readonly unref?: boolean;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** A clock that also knows the event loop's turns: what the transport's socket work runs on. */
export interface LoopClock extends Clock {
  /** Runs `fn` on the next turn of the event loop, after the I/O waiting now (Node's `setImmediate`). */
  nextTurn(fn: () => void): void;
}

export const systemClock: LoopClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms, options) => {
    const timer = setTimeout(fn, ms);
    if (options?.unref === true) timer.unref();
    return timer as unknown as TimerHandle;
  },
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
  nextTurn: (fn) => {
    setImmediate(fn);
  },
};

/**
 * Runs `fn` every `ms` on `clock` until the returned function is called: `setInterval` on any clock. The
 * next round is set before `fn` runs, so `fn` may stop the rounds.
 */
export function every(clock: Clock, ms: number, fn: () => void, options?: TimerOptions): () => void {
  let handle: TimerHandle;
  const round = (): void => {
    handle = clock.setTimeout(round, ms, options);
    fn();
  };
  handle = clock.setTimeout(round, ms, options);
  return () => clock.clearTimeout(handle);
}

interface PendingTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told to: `advance(ms)` runs every timer that falls due, in order. The next
 * turn of its event loop is `advance(0)`; `unref` means nothing to it.
 */
export class ManualClock implements LoopClock {
  #now: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t !== (handle as unknown as PendingTimer));
  }

  nextTurn(fn: () => void): void {
    this.setTimeout(fn, 0);
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.#timers.length;
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const t of this.#timers) {
        if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      }
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.due;
      next.fn();
    }
    this.#now = target;
  }
}
