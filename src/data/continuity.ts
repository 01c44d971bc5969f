/**
 * Values that move forward like the real thing from one message to the next. Examples replayed verbatim
 * look broken over time (a `socket_sequence` that goes 661, 1656, 661; timestamps from 2021 forever), and
 * values generated independently jump about (a `price` of 108, then 6341, then 2099). A Continuity keeps,
 * per field path, what it last sent and adjusts each new payload by the field's name:
 *
 *   sequence, seq, socket_sequence, nonce, counter…  numbers go up by one per message
 *   time, timestamp, ts, at, created, updated, …At    the current time, in the field's own form: ISO text,
 *                                                      epoch ms, epoch seconds (with a fraction if it had
 *                                                      one), or Slack's "1700000000.000100"
 *   id, …Id, …_id, uuid                                a fresh UUID for UUID text; numbers go up by one
 *   price, bid, ask, rate                              (generated values only) a bounded walk from the last
 *
 * The caller checks the result against the schema and falls back to the unadjusted value if it fails, so
 * an adjustment can never make a message invalid.
 */

const SEQUENCE = /(^|_)(seq|sequence|socket_sequence|sequence_?number|seqnum|nonce|counter)$/i;
const TIME = /(time|timestamp|^ts$|_ts$|date|^created$|^updated$|^at$|At$|_at$)/;
const ID = /(^id$|Id$|_id$|^uuid$|^guid$)/;
const PRICE = /(price|^bid$|^ask$|rate)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const SLACK_TS = /^\d{10}\.\d{6}$/;
const MAX_DEPTH = 8;

export class Continuity {
  readonly #last = new Map<string, number>();
  readonly #now: () => number;
  readonly #random: () => number;
  #slackMicros = 0;

  /** `random` is the caller's seeded source, so a seeded run adjusts the same way every time. */
  constructor(now: () => number, random: () => number) {
    this.#now = now;
    this.#random = random;
  }

  /** A copy of `value` with its moving fields moved on; `generated` also walks prices from the last one. */
  advance(value: unknown, generated: boolean): unknown {
    return this.#walk(value, '', '', generated, 0);
  }

  #walk(value: unknown, name: string, path: string, generated: boolean, depth: number): unknown {
    if (depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((item, i) => this.#walk(item, name, `${path}/${i}`, generated, depth + 1));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) out[key] = this.#walk(inner, key, `${path}/${key}`, generated, depth + 1);
      return out;
    }
    if (name === '') return value;
    if (SEQUENCE.test(name) && typeof value === 'number') return this.#next(path, value);
    if (TIME.test(name)) return this.#time(value);
    if (ID.test(name)) {
      if (typeof value === 'string' && UUID.test(value)) return this.#uuid();
      if (typeof value === 'number' && Number.isInteger(value)) return this.#next(path, value);
    }
    if (generated && PRICE.test(name) && typeof value === 'number') return this.#walkPrice(path, value);
    return value;
  }

  /** One more than last time (starting from the value itself). */
  #next(path: string, value: number): number {
    const last = this.#last.get(path);
    const next = last === undefined ? value : last + 1;
    this.#last.set(path, next);
    return next;
  }

  #time(value: unknown): unknown {
    const now = this.#now();
    if (typeof value === 'string') {
      if (ISO.test(value)) return new Date(now).toISOString();
      if (SLACK_TS.test(value)) {
        this.#slackMicros = (this.#slackMicros + 1) % 1_000_000;
        return `${Math.floor(now / 1000)}.${String(this.#slackMicros).padStart(6, '0')}`;
      }
      return value;
    }
    if (typeof value !== 'number') return value;
    if (value > 1e14) return now * 1000; // microseconds
    if (value > 1e11) return now; // milliseconds
    if (value > 1e8) return Number.isInteger(value) ? Math.floor(now / 1000) : Math.round(now) / 1000; // seconds
    return value;
  }

  /** A step of at most 0.5 % from the last price, keeping the number of decimals the value had. */
  #walkPrice(path: string, value: number): number {
    const last = this.#last.get(path);
    if (last === undefined) {
      this.#last.set(path, value);
      return value;
    }
    const decimals = Math.min(8, (String(value).split('.')[1] ?? '').length);
    const factor = 10 ** decimals;
    const next = Math.round(last * (1 + (this.#random() - 0.5) * 0.01) * factor) / factor;
    this.#last.set(path, next);
    return next;
  }

  #uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.#random() * 16).toString(16));
    hex[12] = '4';
    hex[16] = (8 + Math.floor(this.#random() * 4)).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}
