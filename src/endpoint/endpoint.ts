/**
 * One endpoint at run time, holding its parts together: the admission of clients (`admission.ts`), what their
 * messages do (`connection.ts`, then the command table of `commands.ts`), and the fan-out of its streams'
 * ticks (`fan-out.ts`), over what they share (`core.ts`: the dialect, the hub, the streams, scripts, rules).
 * The transport sees it as an Acceptor, the streams as their sink, the admin API through the methods below.
 * It sees peers and encoded text, never a socket.
 */
import type { IncomingMessage } from 'node:http';
import type { EndpointFigures } from '../admin/metrics.ts';
import type { EndpointConfig, StreamConfig } from '../config/schema.ts';
import { DIALECT_TABLE, ndjsonDialect, sseDialect, type Command, type WireDialect } from '../dialects/index.ts';
import { EndpointFaults, type DoorFault, type FaultProfile, type FaultsView } from '../faults/index.ts';
import type { Faultable, Peer } from '../hub/peer.ts';
import type { Emission } from '../streams/emission.ts';
import type { Stream, StreamSink } from '../streams/stream.ts';
import type { Deflate } from '../transport/deflate.ts';
import type { Acceptor, Connection } from '../transport/transport.ts';
import { Admission } from './admission.ts';
import { ClientScope } from './client-scope.ts';
import { runCommand } from './commands.ts';
import { ClientMessages } from './connection.ts';
import type { EndpointContext, EndpointCore } from './core.ts';
import { EndpointRules } from './endpoint-rules.ts';
import { EndpointStreams } from './endpoint-streams.ts';
import { eventFrame, sendEvent } from './event-frame.ts';
import { FanOut } from './fan-out.ts';
import { EndpointJournal } from './journaled.ts';
import { connectionScope } from '../journal/index.ts';
import { PeerTimers } from './peer-timers.ts';
import { EndpointReplay } from './recording.ts';
import { Replies } from './replies.ts';
import { createRuleHost, perClientLines } from './rule-host.ts';
import { Scripts } from './scripts.ts';
import { seededPart } from './seeded.ts';
import type { MessageSource } from '../util/source.ts';

export type { EndpointContext } from './core.ts';

export class Endpoint implements Acceptor, StreamSink {
  readonly endpoint: string;
  readonly perMessageDeflate: Deflate;
  readonly config: EndpointConfig;
  readonly dialect: WireDialect;
  readonly #core: EndpointCore;
  readonly #admission: Admission;
  readonly #connection: ClientMessages;
  readonly #fanOut: FanOut;

  constructor(config: EndpointConfig, context: EndpointContext) {
    this.endpoint = config.path;
    this.perMessageDeflate = config.perMessageDeflate;
    this.config = config;
    // Server-Sent Events have a format of their own; the dialect is the format of WebSocket endpoints.
    const dialect = config.protocol === 'sse' ? (config.sse.format === 'ndjson' ? ndjsonDialect : sseDialect) : DIALECT_TABLE[config.dialect];
    this.dialect = dialect;
    const { clock } = context;
    const scope = new ClientScope(context.templates, context.logger, config.path, context.state);
    const timers = new PeerTimers(clock);
    // Rules and per-client scripts draw from sequences of their own, as each stream does (seeded.ts).
    const scripted = seededPart(context, `${config.path} scripts`);
    const ruled = seededPart(context, `${config.path} rules`);
    const scripts = new Scripts({
      random: scripted.random,
      templates: scripted.templates,
      timers,
      sayEvent: (peer, stream, data) => sendEvent(peer, eventFrame(dialect, stream, data, clock.now()), stream),
      client: (peer) => scope.client(peer),
    });
    // The streams hand their ticks to the endpoint, which passes them on to the fan-out: the fan-out needs
    // the streams (their topics and conditions), so it is made after them.
    const streams = new EndpointStreams(context, this, scripts, config.path);
    // Bad messages and rules' `log` steps share one limit per client.
    const warnings = perClientLines();
    const replies = new Replies(dialect, context, config.path, warnings);
    const ruleHost = createRuleHost({
      endpoint: config.path,
      random: ruled.random,
      templates: ruled.templates,
      clock,
      logger: context.logger,
      perClient: warnings,
      state: context.state,
      stateScopes: (peer) => scope.stateScopes(peer),
      refuse: (peer, error) => replies.say(peer, { kind: 'error', code: 'MW_REFUSED', error, at: clock.now() }),
      schedule: (peer, fn, ms) => timers.schedule(peer, fn, ms),
      publish: (name, data, source) => {
        const stream = streams.byName.get(name);
        if (stream === undefined) throw new Error(`publish: no stream "${name}" on ${this.endpoint}`);
        this.publish(stream, data, source);
      },
    });
    const rules = new EndpointRules(config, ruleHost, scope);
    const journal = context.journal === undefined || config.journal === false ? undefined : new EndpointJournal(context.journal, config.protocol === 'sse' ? 'sse' : 'websocket', config.path, dialect.receivesAllUntilSubscribed);
    const hub = context.createHub();
    const peers = new Set<Faultable>();
    const faults = new EndpointFaults({ endpoint: config.path, seed: context.seed, clock, connected: () => peers, scopeOf: (peer) => scope.testScopeOf(peer), framing: config.protocol !== 'sse' ? 'message' : config.sse.format === 'ndjson' ? 'line' : 'event', maxHeldBytes: context.maxBufferedBytes, budget: context.faultBudget, injected: journal === undefined ? undefined : (peer, kind, direction, detail) => journal.fault(peer, kind, direction, detail) }, config.faults);
    this.#core = { path: config.path, config, context, dialect, hub: journal?.hub(hub) ?? hub, peers, faults, streams, scripts, scope, timers, rules, replies, journal };
    const replay = EndpointReplay.of(config);
    this.#fanOut = new FanOut(this.#core);
    this.#admission = new Admission(this.#core, replay);
    this.#connection = new ClientMessages(this.#core, this.#admission, replay);
    for (const definition of config.streams) streams.add(definition);
  }

  /** The streams by name. */
  get streams(): ReadonlyMap<string, Stream> {
    return this.#core.streams.byName;
  }

  /** The definitions streams were built from, so the admin API can show and change them. */
  get definitions(): ReadonlyMap<string, StreamConfig> {
    return this.#core.streams.definitions;
  }

  /**
   * Adds a stream, or replaces the one of that name, at run time (admin API). Subscriptions are by topic, so
   * subscribers of a replaced stream keep receiving it.
   */
  put(definition: StreamConfig, running: boolean): void {
    this.#core.streams.remove(definition.name);
    const stream = this.#core.streams.add(definition);
    if (running) stream.start();
  }

  remove(name: string): boolean {
    return this.#core.streams.remove(name);
  }

  /** Replaces rules and onConnect actions (a configuration reload); clients stay connected. */
  setRules(config: Pick<EndpointConfig, 'rules' | 'onConnect'>): void {
    this.#core.rules.replace(config);
  }

  /** Each rule, then the onConnect steps, in one line. */
  explainRules(): string[] {
    return this.#core.rules.explain();
  }

  start(): void {
    this.#core.streams.start();
    this.#core.faults.start();
  }

  stop(): void {
    this.#core.streams.stop();
    this.#core.faults.stop();
    this.#core.timers.cancelAll();
  }

  /** Admits a client; its messages then go to the one connection object that serves every client here. */
  accept(peer: Faultable, request: IncomingMessage): Connection {
    this.#core.journal?.open(peer, request);
    this.#core.scope.connected(peer, connectionScope(request), this.#core.context.caller(request.headers));
    this.#admission.accept(peer);
    return this.#connection;
  }

  wants(stream: Stream): boolean {
    return this.#fanOut.wants(stream);
  }

  deliver(stream: Stream, emissions: readonly Emission[], at: number): number {
    return this.#fanOut.deliver(stream, emissions, at);
  }

  /**
   * Sends a stream's message now: `data` when given, else the stream's own payload; `source`: who asked (a
   * rule, a route, the admin API); `only`: to these subscribers alone. Returns recipients.
   */
  publish(stream: Stream, data: unknown, source: MessageSource, only?: (peer: Peer) => boolean): number {
    return this.#fanOut.publish(stream, data, source, only);
  }

  /** Runs a client's command as if it had sent it (a Server-Sent Events client's `?events=` subscriptions). */
  apply(peer: Peer, command: Command): void {
    runCommand(this.#core, peer, command);
  }

  /** The events a resuming client missed since `lastId`: those of its topics that pass their conditions. */
  missed(peer: Peer, lastId: number): { readonly frames: Buffer[]; readonly lost: number } {
    return this.#fanOut.missed(peer, lastId);
  }

  /** The topics a client of this endpoint is subscribed to. */
  subscriptionsOf(peer: Peer): ReadonlySet<string> {
    return this.#core.hub.topicsOf(peer);
  }

  /** The HTTP caller's scope a client's connection carried (`stateStore.caller`), if any. */
  callerOf(peer: Peer): string | undefined {
    return this.#core.scope.callerOf(peer);
  }

  /** The faults on its clients' connections: the profile on now, and what was injected. */
  faults(): FaultsView {
    return this.#core.faults.view();
  }

  /** Switches a fault profile on, changes it, or (undefined) off, for connected clients too. */
  setFaults(profile: FaultProfile | undefined): void {
    this.#core.faults.set(profile);
  }

  /** How a new client is refused now, if a fault profile on refuses them (`faults.refuse`). */
  doorFault(): DoorFault | undefined {
    return this.#core.faults.door();
  }

  /** How many clients are subscribed to a topic here. */
  subscriberCount(topic: string): number {
    return this.#core.hub.subscriberCount(topic);
  }

  /** Totals for metrics: every client that was ever connected here, and deliveries per stream. */
  figures(): EndpointFigures {
    return {
      endpoint: this.endpoint,
      connections: this.#core.peers.size,
      ...this.#admission.totals(),
      streams: [...this.streams.values()].map((s) => ({ name: s.name, messages: this.#fanOut.delivered(s), subscribers: this.subscriberCount(s.topic) })),
      faults: this.#core.faults.counts(),
      rules: this.#core.rules.figures(),
    };
  }
}
