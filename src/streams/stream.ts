/**
 * A running stream: owns its timer, produces a tick's emissions once and hands them to a sink that encodes
 * and fans them out. It never sees a client or a socket.
 */
import type { Clock, TimerHandle } from '../util/clock.ts';
import type { Random } from '../util/random.ts';
import type { Emission } from './emission.ts';
import type { Produce } from './generators/index.ts';
import { drawInterval, formatInterval, type IntervalSpec } from './interval.ts';
import { streamSource, type MessageSource } from '../util/source.ts';

export interface StreamSink {
  /** False when nobody would receive a tick now, so producing it can be skipped. */
  wants(stream: Stream): boolean;
  /** Encodes and fans out a tick; returns how many clients received it. */
  deliver(stream: Stream, emissions: readonly Emission[], at: number): number;
}

export interface StreamOptions {
  readonly name: string;
  readonly topic: string;
  readonly messageType: string;
  /** Its messages leave as binary frames. */
  readonly binary?: boolean;
  readonly interval: IntervalSpec | undefined;
  /** When the next tick is due, in ms from the last; undefined stops the stream. Default: the interval. */
  readonly next?: () => number | undefined;
  /** How the stream is timed, for people: "every 500 ms", "sequence of 3 steps". */
  readonly schedule?: string;
  readonly produce: Produce;
  /** What a snapshot or request shows when producing would advance a script: default, produce anew. */
  readonly peek?: () => readonly Emission[];
  readonly clock: Clock;
  readonly random: Random;
  readonly sink: StreamSink;
  /** A tick that throws is reported here and the stream keeps its schedule. */
  readonly onError: (stream: Stream, error: unknown) => void;
}

/** How far behind its schedule a stream may fall and still catch up. */
const CATCH_UP_MS = 1000;

export class Stream {
  readonly name: string;
  /** What its messages are journaled as coming from: `stream:<name>`, made once. */
  readonly source: MessageSource;
  readonly topic: string;
  readonly messageType: string;
  readonly binary: boolean;
  readonly interval: IntervalSpec | undefined;
  readonly schedule: string;
  #options: StreamOptions;
  #next: (() => number | undefined) | undefined;
  #timer: TimerHandle | undefined;
  #active = false;
  #due = 0;
  #current: readonly Emission[] | undefined;
  /** What the stream last sent, by its schedule, by hand or by a publish: what the admin API shows. */
  #lastSent: readonly Emission[] | undefined;
  #ticks = 0;
  /** Paused by hand (the dashboard, the admin API): start() leaves it stopped until resume(). */
  #paused = false;

  constructor(options: StreamOptions) {
    this.#options = options;
    this.name = options.name;
    this.source = streamSource(options.name);
    this.topic = options.topic;
    this.messageType = options.messageType;
    this.binary = options.binary ?? false;
    this.interval = options.interval;
    this.schedule = options.schedule ?? formatInterval(options.interval);
    const interval = options.interval;
    this.#next = options.next ?? (interval === undefined ? undefined : () => drawInterval(interval, options.random));
  }

  /** Messages the stream sent: its ticks (scheduled or by hand) and every publish to it. */
  get ticks(): number {
    return this.#ticks;
  }

  get running(): boolean {
    return this.#active;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The emissions it last sent (a tick or a publish), if any: read-only, never produces. */
  get last(): readonly Emission[] | undefined {
    return this.#lastSent;
  }

  /**
   * Notes a message sent outside its own ticks (a publish from an HTTP route, a rule, the admin API or the
   * library): it counts and becomes the last sent. New subscribers' snapshots stay the stream's own payload.
   */
  published(emissions: readonly Emission[]): void {
    this.#ticks += 1;
    this.#lastSent = emissions;
  }

  pause(): void {
    this.#paused = true;
    this.stop();
  }

  resume(): void {
    this.#paused = false;
    this.start();
  }

  start(): void {
    if (this.#next === undefined || this.#active || this.#paused) return;
    this.#active = true;
    this.#due = this.#options.clock.now();
    this.#schedule();
  }

  stop(): void {
    this.#active = false;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Produces one tick and delivers it; returns what was produced (empty when nobody wanted it). */
  tick(): readonly Emission[] {
    const { sink, clock } = this.#options;
    if (!sink.wants(this)) {
      // Nobody listens: skip the work and let the next subscriber's snapshot render fresh data.
      this.#current = undefined;
      return [];
    }
    const emissions = this.#options.produce();
    this.#current = emissions;
    this.#lastSent = emissions;
    this.#ticks += 1;
    sink.deliver(this, emissions, clock.now());
    return emissions;
  }

  /** The latest tick's emissions, produced now if there is none yet (a new subscriber's snapshot). */
  current(): readonly Emission[] {
    if (this.#options.peek !== undefined) return this.#current ?? this.#options.peek();
    this.#current ??= this.#options.produce();
    return this.#current;
  }

  /** Freshly produced emissions that do not replace the current ones (a `request`). */
  render(): readonly Emission[] {
    return this.#options.peek === undefined ? this.#options.produce() : this.current();
  }

  #schedule(): void {
    const { clock } = this.#options;
    const delay = this.#next?.();
    if (delay === undefined) {
      this.#active = false;
      return;
    }
    // Aim at the ideal due time so a fixed interval does not drift: ticks that fire late (a busy loop, a
    // broadcast to thousands taking longer than the interval, timers' 1 ms granularity) are caught up, as
    // setInterval would. Only after a stall of over a second (a suspended laptop, a debugger) does the
    // schedule start afresh, rather than firing a burst of everything missed.
    const now = clock.now();
    this.#due += delay;
    if (now - this.#due > Math.max(CATCH_UP_MS, delay)) this.#due = now + delay;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      try {
        this.tick();
      } catch (error) {
        this.#options.onError(this, error);
      }
      if (this.#active) this.#schedule();
    }, Math.max(0, this.#due - now));
  }
}
