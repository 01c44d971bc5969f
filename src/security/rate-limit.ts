/**
 * A token bucket per client: `rate` messages per second on average, bursts of up to `burst`. Written here
 * rather than taken from a library because it is a dozen lines on the per-message path.
 */
export interface RateLimit {
  readonly messagesPerSecond: number;
  readonly burst?: number | undefined;
  readonly closeAfter: number;
}

/**
 * One bucket per client. `admit` says whether a message may be processed, and when not, how many were
 * refused in a row, so the caller decides when to warn and when to close.
 */
export class RateGate<Client extends object> {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  readonly #buckets = new WeakMap<Client, RateLimiter>();

  constructor(limit: RateLimit, now: () => number) {
    this.#limit = limit;
    this.#now = now;
  }

  /** Undefined when the message is admitted, else how many messages in a row were refused. */
  admit(client: Client): number | undefined {
    let bucket = this.#buckets.get(client);
    if (bucket === undefined) {
      bucket = new RateLimiter(this.#limit.messagesPerSecond, this.#limit.burst ?? Math.max(1, Math.ceil(this.#limit.messagesPerSecond * 2)), this.#now());
      this.#buckets.set(client, bucket);
    }
    return bucket.take(this.#now()) ? undefined : bucket.refusedInARow;
  }
}

/**
 * One bucket per key (an HTTP client's address), for clients that are not objects. At most `maxKeys` are
 * kept, the least recently seen forgotten first: a forgotten client starts again with a full bucket, so an
 * attacker with more addresses than that gains at most a burst per address, which it has anyway.
 */
export class KeyedRateGate {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, RateLimiter>();

  constructor(limit: { readonly perSecond: number; readonly burst?: number | undefined }, now: () => number, maxKeys: number) {
    this.#rate = limit.perSecond;
    this.#burst = limit.burst ?? Math.max(1, Math.ceil(limit.perSecond * 2));
    this.#now = now;
    this.#maxKeys = maxKeys;
  }

  /** Undefined when admitted, else the ms until the key may try again. */
  admit(key: string): number | undefined {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
      bucket = new RateLimiter(this.#rate, this.#burst, now);
    } else this.#buckets.delete(key);
    // Most recently seen last: the first key is the one to forget.
    this.#buckets.set(key, bucket);
    return bucket.take(now) ? undefined : bucket.waitMs();
  }
}

export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;
  /** Messages refused since the last one accepted: a client that keeps flooding is closed. */
  refusedInARow = 0;

  constructor(rate: number, burst: number, now: number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  take(now: number): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.refusedInARow = 0;
      return true;
    }
    this.refusedInARow += 1;
    return false;
  }

  /** ms until the next token, as of the last `take`. */
  waitMs(): number {
    return Math.max(0, ((1 - this.#tokens) / this.#rate) * 1000);
  }
}
