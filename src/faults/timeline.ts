/**
 * A profile's timeline: phases that replace the profile for a while ("the feed stalls 5 s every minute",
 * "the backend restarts at 30 s: every client cut, new ones refused for 3 s, then back"), timed by the
 * server's clock from when it starts. Where phases overlap, the one begun last applies until it ends, then
 * the one begun before it if it is still on, else the profile around the timeline.
 */
import type { Clock, TimerHandle } from '../util/clock.ts';
import type { CompiledProfile } from './profile.ts';

export interface Phase {
  readonly at: number;
  readonly for: number;
  readonly every: number | undefined;
  readonly profile: CompiledProfile;
}

export class Timeline {
  readonly #phases: readonly Phase[];
  readonly #clock: Clock;
  /** Applies a profile to the endpoint's clients (the phase's, or the one around the timeline). */
  readonly #apply: (profile: CompiledProfile | undefined) => void;
  readonly #around: CompiledProfile | undefined;
  /** Phases begun and not ended, in the order they began. */
  readonly #on: Phase[] = [];
  /** Timers set and not fired: a repeating phase sets new ones as old ones fire, so the set stays small. */
  readonly #timers = new Set<TimerHandle>();

  constructor(phases: readonly Phase[], around: CompiledProfile | undefined, clock: Clock, apply: (profile: CompiledProfile | undefined) => void) {
    this.#phases = phases;
    this.#around = around;
    this.#clock = clock;
    this.#apply = apply;
  }

  start(): void {
    for (const phase of this.#phases) this.#after(phase.at, () => this.#begin(phase));
  }

  stop(): void {
    for (const timer of this.#timers) this.#clock.clearTimeout(timer);
    this.#timers.clear();
    this.#on.length = 0;
  }

  /** The phases on now, the current last. */
  get on(): readonly Phase[] {
    return this.#on;
  }

  #after(ms: number, fire: () => void): void {
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(timer);
      fire();
    }, ms);
    this.#timers.add(timer);
  }

  #begin(phase: Phase): void {
    this.#on.push(phase);
    this.#apply(phase.profile);
    this.#after(phase.for, () => this.#end(phase));
    if (phase.every !== undefined) this.#after(phase.every, () => this.#begin(phase));
  }

  #end(phase: Phase): void {
    const at = this.#on.indexOf(phase);
    if (at < 0) return;
    const wasCurrent = at === this.#on.length - 1;
    this.#on.splice(at, 1);
    if (wasCurrent) this.#apply(this.#on.at(-1)?.profile ?? this.#around);
  }
}
