/**
 * The faults of one endpoint: its profile (from the configuration, or switched on, changed and off through
 * the admin API), a fault line for each client the profile applies to, and the count of each fault
 * injected. A client the profile does not apply to has no line, and pays one `undefined` check per message.
 *
 * Each line's random source is seeded from the run's seed, the endpoint, the profile's generation (each
 * change makes a new one) and the client's place among those the profile met, in the order they came: the
 * same run with the same seed draws the same faults for the same clients.
 */
import type { Faultable } from '../hub/peer.ts';
import type { Clock } from '../util/clock.ts';
import { createRandom, deriveSeed } from '../util/random.ts';
import type { Framing } from './corrupt.ts';
import type { HeldBudget } from './held.ts';
import { FAULT_KINDS, FaultLine, type FaultKind, type FaultReport } from './line.ts';
import { compileProfile, type CompiledProfile } from './profile.ts';
import { Timeline } from './timeline.ts';
import type { FaultProfile } from './schema.ts';

export interface FaultsContext {
  readonly endpoint: string;
  /** The run's seed (`--seed`, or drawn at start). */
  readonly seed: number;
  readonly clock: Clock;
  /** How its messages are framed (whole messages, events, NDJSON lines): a corrupted one keeps its framing. */
  readonly framing: Framing;
  /** Bytes a line may hold back for one client (its queue's cap): past it, a message is dropped as for a client too far behind. */
  readonly maxHeldBytes: number;
  /** What all lines of the server may hold back at once (`websocket.maxQueuedBytes`). */
  readonly budget: HeldBudget;
  /** The endpoint's clients connected now, in the order they came: a profile switched on reaches them too. */
  connected(): Iterable<Faultable>;
  /** The test scope a client's connection named, if any (a profile may keep to one). */
  scopeOf(peer: Faultable): string | undefined;
  /** Told of each fault injected (the journal), after it is counted. */
  readonly injected?: FaultReport | undefined;
}

export type FaultCounts = Record<FaultKind, number>;

/** What the admin API and the dashboard show of an endpoint's faults. */
export interface FaultsView {
  readonly endpoint: string;
  /** The profile as written; null while none is on. */
  readonly profile: FaultProfile | null;
  /** The profile in one line ("off" while none is on). */
  readonly text: string;
  /** Clients connected now with a fault line. */
  readonly clients: number;
  /** Faults injected since the start, by kind. */
  readonly injected: FaultCounts;
}

export function noFaults(): FaultCounts {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as FaultCounts;
}

/** How new connections are refused while a profile with `refuse` is on. */
export interface DoorFault {
  readonly status: 503 | 429;
  readonly retryAfter: number | undefined;
  readonly reset: boolean;
}

export class EndpointFaults {
  readonly #context: FaultsContext;
  /** The profile as set (from the configuration or the admin API), its timeline included. */
  #source: FaultProfile | undefined;
  /** The profile applied now: the one set, or a phase of its timeline. */
  #profile: CompiledProfile | undefined;
  #timeline: Timeline | undefined;
  #started = false;
  /** Changes of profile so far (each phase's beginning and end too): part of each line's seed. */
  #generation = 0;
  /** Clients the current profile has met (drawn for, whether it applied to them or not). */
  #met = 0;
  readonly #lines = new Map<Faultable, FaultLine>();
  readonly #counts = noFaults();
  readonly #report: FaultReport = (peer, kind, direction, detail) => {
    this.#counts[kind] += 1;
    this.#context.injected?.(peer, kind, direction, detail);
  };

  constructor(context: FaultsContext, profile: FaultProfile | undefined) {
    this.#context = context;
    this.#use(profile);
    this.#profile = this.#around(profile);
  }

  #around(profile: FaultProfile | undefined): CompiledProfile | undefined {
    if (profile === undefined) return undefined;
    const { timeline: _timeline, ...keys } = profile;
    return compileProfile(keys);
  }

  /** Takes `profile` as the one set: its timeline made (not started). */
  #use(profile: FaultProfile | undefined): void {
    this.#timeline?.stop();
    this.#source = profile;
    const phases = (profile?.timeline ?? []).map((phase) => {
      const { at, for: lasts, every, ...keys } = phase;
      return { at, for: lasts, every, profile: compileProfile(keys) };
    });
    this.#timeline = phases.length === 0 ? undefined : new Timeline(phases, this.#around(profile), this.#context.clock, (next) => this.#apply(next));
  }

  /** The server started: the timeline's clock starts. */
  start(): void {
    this.#started = true;
    this.#timeline?.start();
  }

  stop(): void {
    this.#started = false;
    this.#timeline?.stop();
  }

  /** A client came in: it gets a line when a profile is on and its draw puts it among the `clients` share. */
  attach(peer: Faultable): void {
    if (this.#profile !== undefined) this.#lineFor(peer, this.#profile);
  }

  /** A client left: its line's timers are cleared and what it held back is lost with the connection. */
  detach(peer: Faultable): void {
    const line = this.#lines.get(peer);
    if (line === undefined) return;
    line.stop(false);
    this.#lines.delete(peer);
  }

  /**
   * Switches a profile on, changes it, or (undefined) off, for the clients connected now as for those that
   * come later; its timeline starts now (when the server runs). Messages held back by the lines it replaces
   * leave at once.
   */
  set(profile: FaultProfile | undefined): void {
    this.#use(profile);
    this.#apply(this.#around(profile));
    if (this.#started) this.#timeline?.start();
  }

  /** Applies a profile to every connected client (in the order they came) and to those that come later. */
  #apply(profile: CompiledProfile | undefined): void {
    for (const [peer, line] of this.#lines) {
      peer.faults = undefined;
      line.stop(true);
    }
    this.#lines.clear();
    this.#generation += 1;
    this.#met = 0;
    this.#profile = profile;
    if (profile === undefined) return;
    for (const peer of this.#context.connected()) if (!peer.closed) this.#lineFor(peer, profile);
  }

  #lineFor(peer: Faultable, profile: CompiledProfile): void {
    const { seed, endpoint, clock } = this.#context;
    // Clients a profile keeps away from are not among those it met: its draws for the others stay the same.
    if (profile.client !== undefined && peer.id !== profile.client) return;
    if (profile.scope !== undefined && this.#context.scopeOf(peer) !== profile.scope) return;
    const random = createRandom(deriveSeed(seed, `${endpoint} faults ${this.#generation} ${this.#met++}`));
    if (profile.clients < 1 && !(random.next() < profile.clients)) return;
    const line = new FaultLine(peer, profile, { random, clock, framing: this.#context.framing, maxHeldBytes: this.#context.maxHeldBytes, budget: this.#context.budget, report: this.#report });
    this.#lines.set(peer, line);
    peer.faults = line;
  }

  /** How a new connection is refused now, if the profile on refuses them; counted as a fault each time. */
  door(): DoorFault | undefined {
    const refuse = this.#profile?.refuse;
    if (refuse !== undefined) this.#counts.refuse += 1;
    return refuse;
  }

  view(): FaultsView {
    const phase = this.#timeline?.on.at(-1);
    const now = this.#profile?.text ?? 'off';
    const text = this.#timeline === undefined ? now : `${now} (timeline of ${this.#source?.timeline?.length ?? 0} phase(s); ${phase === undefined ? 'no phase on' : `phase at ${phase.at} ms on`})`;
    return { endpoint: this.#context.endpoint, profile: this.#source ?? null, text, clients: this.#lines.size, injected: { ...this.#counts } };
  }

  /** The faults injected since the start, by kind (for /metrics). */
  counts(): Readonly<FaultCounts> {
    return this.#counts;
  }
}
