/**
 * The faults of one connection: every message in and out passes here first (the peer's `faults`). Per
 * message, in this order, each drawn only when the profile has it: lost, corrupted, sent twice, held back
 * (`held.ts`). Per connection: a stall (nothing leaves, events' heartbeat comments included) and a
 * disconnect, each after so many messages or so long. Draws come from the client's own random source
 * (seeded from the run's seed, the endpoint and the client's place among those the profile met; what is
 * drawn per connection is drawn when the line is made, so a timer firing never moves the per-message
 * draws), and waits only through the server's clock: a seeded run on a held clock injects the same faults
 * at the same points.
 *
 * A message counts toward `afterMessages` when it is delivered (the peer took it), so a disconnect after N
 * comes right after the N-th message, whatever was held back or lost before it. A close asked for by logic
 * (a rule, the admin API) first lets what is held back go, in order.
 */
import type { Faultable, FaultHook, OutKind } from '../hub/peer.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';
import type { Random } from '../util/random.ts';
import type { MessageSource } from '../util/source.ts';
import { corrupted, type Framing } from './corrupt.ts';
import { HeldQueue, type Held, type HeldBudget } from './held.ts';
import type { CompiledProfile } from './profile.ts';
import { drawIn } from '../util/range.ts';

/** Every kind of fault counted: per message, per connection, and `refuse` at the door. */
export const FAULT_KINDS = ['latency', 'drop', 'duplicate', 'corrupt', 'disconnect', 'stall', 'refuse'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Where a line reports each fault it injects (counted per endpoint, journaled). */
export type FaultReport = (peer: Faultable, kind: FaultKind, direction: 'in' | 'out' | undefined, detail: string) => void;

/** What a line is given besides its peer and profile. */
export interface LineSettings {
  readonly random: Random;
  readonly clock: Clock;
  readonly framing: Framing;
  /** Bytes it may hold back at once (the client's queue cap); past it a message is dropped, as for a client too far behind. */
  readonly maxHeldBytes: number;
  /** What all lines of the server may hold back at once. */
  readonly budget: HeldBudget;
  readonly report: FaultReport;
}

export class FaultLine implements FaultHook {
  readonly #peer: Faultable;
  readonly #profile: CompiledProfile;
  readonly #random: Random;
  readonly #clock: Clock;
  readonly #framing: Framing;
  readonly #report: FaultReport;
  readonly #held: HeldQueue;
  /** Messages of the profile's direction delivered so far. */
  #delivered = 0;
  #stalled = false;
  /** The stall has come (and, with `for`, gone): a connection stalls once. */
  #stallCame = false;
  /** How long the stall lasts, drawn when the line is made; undefined: until the connection ends. */
  readonly #stallFor: number | undefined;
  /** Disconnected, or the line stopped: nothing more passes. */
  #ended = false;
  readonly #timers: TimerHandle[] = [];

  constructor(peer: Faultable, profile: CompiledProfile, settings: LineSettings) {
    this.#peer = peer;
    this.#profile = profile;
    this.#random = settings.random;
    this.#clock = settings.clock;
    this.#framing = settings.framing;
    this.#report = settings.report;
    this.#held = new HeldQueue(settings.clock, settings.maxHeldBytes, settings.budget, (held) => this.#deliver(held.direction, held.kind, held.data, held.isBinary, held.source, held.copies));
    const { disconnect, stall } = profile;
    const random = settings.random;
    const disconnectAfter = disconnect?.after === undefined ? undefined : drawIn(disconnect.after, random);
    const stallAfter = stall?.after === undefined ? undefined : drawIn(stall.after, random);
    this.#stallFor = stall?.for === undefined ? undefined : drawIn(stall.for, random);
    if (disconnectAfter !== undefined) this.#timers.push(this.#clock.setTimeout(() => this.#disconnect(), disconnectAfter));
    if (stallAfter !== undefined) this.#timers.push(this.#clock.setTimeout(() => this.#stall(), stallAfter));
  }

  /** Slots of the queue of held messages in use (bounded: see held.ts). */
  get slots(): number {
    return this.#held.slots;
  }

  out(kind: OutKind, data: Buffer, isBinary: boolean, source: MessageSource | undefined): boolean {
    // A comment or `retry:` of Server-Sent Events is no message: held in a stall, else left as it is.
    if (kind === 'write') return this.#stalled || this.#ended;
    if (this.#ended) return true;
    if (this.#stalled) this.#report(this.#peer, 'drop', 'out', `${data.length} bytes, in a stall`);
    else this.#through('out', kind, data, isBinary, source);
    return true;
  }

  in(data: Buffer, isBinary: boolean): boolean {
    if (this.#ended) return true;
    if (!this.#profile.in) return false;
    this.#through('in', 'send', data, isBinary, undefined);
    return true;
  }

  /** Lets every held message go now, in order (the connection is about to be closed by logic). */
  flush(): void {
    for (const held of this.#held.takeAll()) this.#deliver(held.direction, held.kind, held.data, held.isBinary, held.source, held.copies);
  }

  #through(direction: 'in' | 'out', kind: OutKind, data: Buffer, isBinary: boolean, source: MessageSource | undefined): void {
    const profile = this.#profile;
    if (direction === 'out' && !profile.out) {
      this.#deliver('out', kind, data, isBinary, source, 1);
      return;
    }
    const random = this.#random;
    if (profile.drop > 0 && random.next() < profile.drop) {
      this.#report(this.#peer, 'drop', direction, `${data.length} bytes`);
      return;
    }
    let message = data;
    if (profile.corrupt > 0 && random.next() < profile.corrupt) {
      message = corrupted(data, profile.corruptAs, direction === 'in' ? 'message' : this.#framing);
      this.#report(this.#peer, 'corrupt', direction, profile.corruptAs);
    }
    let copies = 1;
    if (profile.duplicate > 0 && random.next() < profile.duplicate) {
      copies = 2;
      this.#report(this.#peer, 'duplicate', direction, 'sent twice');
    }
    const delay = profile.latency === undefined ? 0 : drawIn(profile.latency, random);
    if (delay === 0 && this.#held.waiting === 0) {
      this.#deliver(direction, kind, message, isBinary, source, copies);
      return;
    }
    const held: Held = { due: this.#clock.now() + delay, direction, kind, data: message, isBinary, source, copies };
    // No room left for it: dropped and counted as one to a client too far behind is (not a fault's loss).
    if (!this.#held.hold(held)) this.#peer.counters.dropped += 1;
    else if (delay > 0) this.#report(this.#peer, 'latency', direction, `${delay} ms`);
  }

  #deliver(direction: 'in' | 'out', kind: OutKind, data: Buffer, isBinary: boolean, source: MessageSource | undefined, copies: number): void {
    for (let copy = 0; copy < copies && !this.#ended; copy++) {
      if (direction === 'out') {
        if (this.#stalled) {
          this.#report(this.#peer, 'drop', 'out', `${data.length} bytes, in a stall`);
          continue;
        }
        if (!this.#peer.pass(kind, data, isBinary, source)) continue;
      } else this.#peer.receive(data, isBinary);
      if (direction === 'out' ? this.#profile.out : this.#profile.in) this.#counted();
    }
  }

  #counted(): void {
    const n = ++this.#delivered;
    const { disconnect, stall } = this.#profile;
    if (stall?.afterMessages === n) this.#stall();
    if (disconnect?.afterMessages === n) this.#disconnect();
  }

  #stall(): void {
    if (this.#stallCame || this.#ended || this.#profile.stall === undefined) return;
    this.#stallCame = true;
    this.#stalled = true;
    const lasts = this.#stallFor;
    this.#report(this.#peer, 'stall', 'out', lasts === undefined ? 'until the connection ends' : `for ${lasts} ms`);
    if (lasts !== undefined) {
      this.#timers.push(
        this.#clock.setTimeout(() => {
          this.#stalled = false;
        }, lasts),
      );
    }
  }

  #disconnect(): void {
    const cut = this.#profile.disconnect;
    if (this.#ended || cut === undefined) return;
    this.stop(false);
    this.#report(this.#peer, 'disconnect', undefined, cut.abrupt ? 'reset' : `close ${cut.code}`);
    if (cut.abrupt) this.#peer.reset();
    else this.#peer.close(cut.code, cut.reason);
  }

  /**
   * Ends the line: its timers cleared; `flush`: messages held back leave now, in order (the profile was
   * switched off or changed), else they are lost (the connection ended).
   */
  stop(flush: boolean): void {
    for (const timer of this.#timers) this.#clock.clearTimeout(timer);
    this.#timers.length = 0;
    const held = this.#held.takeAll();
    this.#ended = true;
    if (!flush) return;
    for (const message of held) {
      for (let copy = 0; copy < message.copies; copy++) {
        if (message.direction === 'out') this.#peer.pass(message.kind, message.data, message.isBinary, message.source);
        else this.#peer.receive(message.data, message.isBinary);
      }
    }
  }
}
