/**
 * The messages a fault line holds back, in the order they came: one timer, for the oldest; when it fires,
 * every message whose time has come leaves, and one whose time came earlier than an older one's waited
 * behind it (order is kept, as on TCP). What is held is still queued for the client, so it is bounded as a
 * client's queue is: by the client's cap (`websocket.maxBufferedBytes`) and by the server-wide budget
 * (`websocket.maxQueuedBytes`), each message charged its bytes and what keeping it costs besides.
 */
import type { OutKind } from '../hub/peer.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';
import type { MessageSource } from '../util/source.ts';

/** Bytes a held message costs beyond its payload: the entry itself and its slot. */
const ENTRY_BYTES = 96;
/** Slots of messages that have left, kept until this many, then cut off the front at once. */
const CUT_AFTER = 1024;

export interface Held {
  readonly due: number;
  readonly direction: 'in' | 'out';
  readonly kind: OutKind;
  readonly data: Buffer;
  readonly isBinary: boolean;
  readonly source: MessageSource | undefined;
  readonly copies: number;
}

/** What every fault line of a server may hold back at once (`websocket.maxQueuedBytes`): one per server. */
export class HeldBudget {
  readonly max: number;
  used = 0;

  constructor(max: number) {
    this.max = max;
  }
}

function costOf(held: Held): number {
  return held.data.length * held.copies + ENTRY_BYTES;
}

export class HeldQueue {
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #budget: HeldBudget;
  readonly #deliver: (held: Held) => void;
  /** Messages waiting from `#from` on; slots before it have left (emptied, so they keep nothing alive). */
  readonly #items: (Held | undefined)[] = [];
  #from = 0;
  #bytes = 0;
  #timer: TimerHandle | undefined;
  /** Set while due messages leave: one held meanwhile (a reply to one released) must not arm a second timer. */
  #releasing = false;

  constructor(clock: Clock, maxBytes: number, budget: HeldBudget, deliver: (held: Held) => void) {
    this.#clock = clock;
    this.#maxBytes = maxBytes;
    this.#budget = budget;
    this.#deliver = deliver;
  }

  /** Messages waiting now. */
  get waiting(): number {
    return this.#items.length - this.#from;
  }

  /** Slots in use: what waits, plus what left since the front was last cut (fewer than 1,024 of those). */
  get slots(): number {
    return this.#items.length;
  }

  /** Holds a message until its `due` time; false when the client's cap or the server's budget has no room for it. */
  hold(held: Held): boolean {
    const cost = costOf(held);
    if (this.#bytes + cost > this.#maxBytes || this.#budget.used + cost > this.#budget.max) return false;
    this.#bytes += cost;
    this.#budget.used += cost;
    this.#items.push(held);
    if (this.#timer === undefined && !this.#releasing) this.#arm();
    return true;
  }

  #arm(): void {
    const next = this.#items[this.#from];
    this.#timer = next === undefined ? undefined : this.#clock.setTimeout(this.#releaseDue, Math.max(0, next.due - this.#clock.now()));
  }

  readonly #releaseDue = (): void => {
    this.#timer = undefined;
    this.#releasing = true;
    const now = this.#clock.now();
    let next = this.#items[this.#from];
    while (next !== undefined && next.due <= now) {
      this.#leave();
      this.#deliver(next);
      next = this.#items[this.#from];
    }
    this.#releasing = false;
    this.#tidy();
    if (this.waiting > 0) this.#arm();
  };

  /** The front message leaves the queue (its slot emptied, its cost given back). */
  #leave(): void {
    const held = this.#items[this.#from] as Held;
    this.#items[this.#from++] = undefined;
    const cost = costOf(held);
    this.#bytes -= cost;
    this.#budget.used -= cost;
  }

  #tidy(): void {
    if (this.#from === this.#items.length) {
      this.#items.length = 0;
      this.#from = 0;
    } else if (this.#from >= CUT_AFTER) {
      // A steady stream may never leave the queue empty: the slots of what has left are cut off now and then.
      this.#items.splice(0, this.#from);
      this.#from = 0;
    }
  }

  /** Everything waiting, oldest first, taken out (to be sent now, or lost), and the timer cleared. */
  takeAll(): Held[] {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const all: Held[] = [];
    while (this.waiting > 0) {
      all.push(this.#items[this.#from] as Held);
      this.#leave();
    }
    this.#tidy();
    return all;
  }
}
