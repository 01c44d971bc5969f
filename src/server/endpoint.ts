/**
 * One endpoint at run time: its dialect, hub and streams, and what each client command does. It sees peers
 * and encoded text, never a socket.
 */
import type { IncomingMessage } from 'node:http';
import type { EndpointConfig, StreamConfig } from '../config/schema.ts';
import { DIALECT_TABLE, ndjsonDialect, sseDialect, type Command, type ServerMessage, type WireDialect } from '../dialects/index.ts';
import { clip } from '../dialects/types.ts';
import { Hub } from '../hub/hub.ts';
import type { EndpointFigures } from '../admin/metrics.ts';
import { addCounters, newCounters, type Peer } from '../hub/peer.ts';
import type { Recording } from '../replay/format.ts';
import type { Playback } from '../replay/playback.ts';
import type { Emission } from '../streams/emission.ts';
import type { Stream, StreamSink } from '../streams/stream.ts';
import { RuleEngine, type RuleHost } from '../rules/index.ts';
import { Message } from '../util/message.ts';
import type { Acceptor, Connection } from '../transport/transport.ts';
import type { Deflate } from '../transport/deflate.ts';
import { RateGate, type RateLimit } from '../security/rate-limit.ts';
import { EndpointStreams, type StreamSetContext } from './endpoint-streams.ts';
import { PeerTimers } from './peer-timers.ts';
import { ClientScope } from './client-scope.ts';
import { seededPart } from './seeded.ts';
import { Scripts } from './scripts.ts';
import { eventFrame, sendEvent } from './event-frame.ts';
import { createRuleHost, perClientLines } from './rule-host.ts';
import { refuseFlood } from './flood.ts';
import { EventHistory, missedBy } from './event-history.ts';
import { loadRecording, startReplay } from './recording.ts';

export interface EndpointContext extends StreamSetContext {
  /** Log every client message and broadcast at info level (cerberus users expect these lines). */
  readonly logTraffic: boolean;
  readonly totalClients: () => number;
  readonly rateLimit: RateLimit | undefined;
  readonly maxSubscriptions: number;
}

export class Endpoint implements Acceptor, Connection, StreamSink {
  readonly endpoint: string;
  readonly perMessageDeflate: Deflate;
  readonly config: EndpointConfig;
  readonly dialect: WireDialect;
  readonly hub = new Hub();
  readonly peers = new Set<Peer>();
  readonly #streams: EndpointStreams;
  readonly #context: EndpointContext;
  #rules: RuleEngine;
  readonly #ruleHost: RuleHost;
  /** Delayed rule actions, scripts and replays per client, cancelled when it leaves or the server stops. */
  readonly #timers: PeerTimers;
  readonly #scripts: Scripts;
  readonly #scope: ClientScope;
  readonly #recording: Recording | undefined;
  readonly #replays = new WeakMap<Peer, Playback>();
  readonly #gate: RateGate<Peer> | undefined;
  /** Counters of clients that have left, so totals never go down; and deliveries per stream. */
  readonly #departed = newCounters();
  readonly #delivered = new Map<Stream, number>();
  /** The last events, for clients that resume (Server-Sent Events endpoints). */
  readonly #history: EventHistory | undefined;
  /** Bad messages are logged at most once a second per client. */
  readonly #warnings = perClientLines();

  constructor(config: EndpointConfig, context: EndpointContext) {
    this.endpoint = config.path;
    this.perMessageDeflate = config.perMessageDeflate;
    this.config = config;
    // Server-Sent Events have a format of their own; the dialect is the format of WebSocket endpoints.
    this.dialect = config.protocol === 'sse' ? (config.sse.format === 'ndjson' ? ndjsonDialect : sseDialect) : DIALECT_TABLE[config.dialect];
    this.#history = this.dialect.numbersEvents === true ? new EventHistory(config.sse.history) : undefined;
    this.#context = context;
    this.#scope = new ClientScope(context.templates, context.logger, config.path);
    this.#timers = new PeerTimers(context.clock);
    this.#gate = context.rateLimit === undefined ? undefined : new RateGate(context.rateLimit, () => context.clock.now());
    // Rules and per-client scripts draw from sequences of their own, as each stream does (seeded.ts).
    const scripted = seededPart(context, `${config.path} scripts`);
    const ruled = seededPart(context, `${config.path} rules`);
    this.#scripts = new Scripts({
      random: scripted.random,
      templates: scripted.templates,
      timers: this.#timers,
      sayEvent: (peer, stream, data) => sendEvent(peer, eventFrame(this.dialect, stream, data, context.clock.now())),
      client: (peer) => this.#scope.client(peer),
    });
    this.#streams = new EndpointStreams(context, this, this.#scripts, config.path);
    this.#rules = new RuleEngine(config.rules, config.onConnect);
    this.#recording = config.replay === undefined ? undefined : loadRecording(config.replay.file, config.path);
    this.#ruleHost = createRuleHost({
      endpoint: config.path,
      random: ruled.random,
      templates: ruled.templates,
      clock: context.clock,
      logger: context.logger,
      perClient: this.#warnings,
      schedule: (peer, fn, ms) => this.#timers.schedule(peer, fn, ms),
      publish: (name, data) => {
        const stream = this.streams.get(name);
        if (stream === undefined) throw new Error(`publish: no stream "${name}" on ${this.endpoint}`);
        this.publish(stream, data);
      },
    });
    for (const definition of config.streams) this.#streams.add(definition);
  }

  /** The streams by name. */
  get streams(): ReadonlyMap<string, Stream> {
    return this.#streams.byName;
  }

  /** The definitions streams were built from, so the admin API can show and change them. */
  get definitions(): ReadonlyMap<string, StreamConfig> {
    return this.#streams.definitions;
  }

  /**
   * Adds a stream, or replaces the one of that name, at run time (admin API). Subscriptions are by topic, so
   * subscribers of a replaced stream keep receiving it.
   */
  put(definition: StreamConfig, running: boolean): void {
    this.#streams.remove(definition.name);
    const stream = this.#streams.add(definition);
    if (running) stream.start();
  }

  remove(name: string): boolean {
    return this.#streams.remove(name);
  }

  /** Replaces rules and onConnect actions (a configuration reload); clients stay connected. */
  setRules(config: Pick<EndpointConfig, 'rules' | 'onConnect'>): void {
    this.#rules = new RuleEngine(config.rules, config.onConnect);
  }

  /** Each rule, then the onConnect steps, in one line. */
  explainRules(): string[] {
    return this.#rules.explain();
  }

  start(): void {
    this.#streams.start();
  }

  stop(): void {
    this.#streams.stop();
    this.#timers.cancelAll();
  }

  onMessage(peer: Peer, data: Buffer, isBinary: boolean): void {
    if (this.#gate !== undefined && refuseFlood(this.#gate, peer, this.#context, (command) => this.#fail(peer, command))) return;
    if (this.#recording !== undefined) this.#replays.get(peer)?.onClientMessage();
    // Read lazily and once: rules and the dialect share what either parsed.
    const message = new Message(data, isBinary);
    if (this.#rules.size > 0) {
      if (this.#rules.handle(peer, message, this.#scope.messageContext(peer, message), this.#ruleHost)) {
        if (this.#context.logTraffic) this.#context.logger.info(`Message from ${peer.id}: matched a rule`, { clientId: peer.id, endpoint: this.endpoint });
        return;
      }
    }
    this.#handle(peer, this.dialect.decode(message));
  }

  // --- connections -------------------------------------------------------------------------------------

  accept(peer: Peer, _request: IncomingMessage): Connection {
    const { logger, clock } = this.#context;
    this.peers.add(peer);
    this.hub.receiveEverything(peer, this.dialect.receivesAllUntilSubscribed);
    // Guarded: thousands of connections a second must not each build a log line nobody reads.
    if (logger.enabled('info')) logger.info(`Client connected: ${peer.id} (Total: ${this.#context.totalClients()})`, { clientId: peer.id, endpoint: this.endpoint, remoteAddress: peer.remoteAddress });
    this.#say(peer, { kind: 'connected', clientId: peer.id, at: clock.now() });
    // Clients of dialects without subscribe messages start every per-subscriber script when they connect.
    if (this.dialect.receivesAllUntilSubscribed) this.#scripts.playAll(peer);
    if (this.#recording !== undefined && this.config.replay !== undefined) {
      this.#replays.set(peer, startReplay(peer, this.#recording, this.config.replay, clock.now(), (fn, ms) => this.#timers.schedule(peer, fn, ms)));
    }
    if (this.#rules.greets) this.#rules.greet(peer, { client: this.#scope.client(peer) }, this.#ruleHost);
    // The endpoint itself handles every client's messages: nothing is made per connection.
    return this;
  }

  onClose(peer: Peer, code: number, reason: string): void {
    const { logger } = this.#context;
    this.peers.delete(peer);
    addCounters(this.#departed, peer.counters);
    this.#timers.cancel(peer);
    this.#scope.forget(peer);
    this.#scripts.forget(peer);
    this.hub.remove(peer);
    if (!logger.enabled('info')) return;
    logger.info(`Client disconnected: ${peer.id} (code ${code}${reason === '' ? '' : `, ${reason}`}) (Total: ${this.#context.totalClients()})`, {
      clientId: peer.id,
      endpoint: this.endpoint,
      code,
      reason,
    });
  }

  #say(peer: Peer, message: ServerMessage): void {
    const text = this.dialect.encode(message);
    if (text !== undefined) peer.send(text);
  }

  #fail(peer: Peer, command: Extract<Command, { kind: 'invalid' }>): void {
    const now = this.#context.clock.now();
    const skipped = this.#warnings.pass(peer, now);
    if (skipped !== undefined) {
      const more = skipped === 0 ? '' : ` (and ${skipped} more from this client in the last second)`;
      this.#context.logger.warn(`Client ${peer.id}: ${command.error}${more}`, { clientId: peer.id, endpoint: this.endpoint, code: command.code });
    }
    this.#say(peer, { kind: 'error', code: command.code, error: command.error, at: now });
  }

  #unknownTopic(topic: string): Extract<Command, { kind: 'invalid' }> | undefined {
    if (!this.dialect.rejectsUnknownTopics || this.#streams.knows(topic)) return undefined;
    // The guide's wording as the guide has it; topic dialects also list what there is.
    const known = this.dialect.topicNoun === 'topic' ? ` (topics: ${this.#streams.topics().join(', ')})` : '';
    return { kind: 'invalid', code: 'MW_UNKNOWN_EVENT', error: `Unknown ${this.dialect.topicNoun}: ${clip(topic)}${known}` };
  }

  #handle(peer: Peer, command: Command): void {
    const { logger, clock } = this.#context;
    if (this.#context.logTraffic) logger.info(`Message from ${peer.id}: ${command.wireType ?? command.kind}`, { clientId: peer.id, endpoint: this.endpoint });
    switch (command.kind) {
      case 'invalid':
        return this.#fail(peer, command);
      case 'ping':
        return this.#say(peer, { kind: 'pong', clientId: peer.id, at: clock.now() });
      case 'request': {
        const unknown = this.#unknownTopic(command.topic);
        if (unknown !== undefined) return this.#fail(peer, unknown);
        for (const stream of this.#streams.onTopic(command.topic)) {
          for (const emission of stream.render()) this.#say(peer, { kind: 'response', stream: stream.name, data: emission.data, at: clock.now() });
        }
        return;
      }
      case 'subscribe': {
        for (const topic of command.topics) {
          const unknown = this.#unknownTopic(topic);
          if (unknown !== undefined) {
            this.#fail(peer, unknown);
            continue;
          }
          const mine = this.hub.topicsOf(peer);
          if (!mine.has(topic) && mine.size >= this.#context.maxSubscriptions) {
            this.#fail(peer, { kind: 'invalid', code: 'MW_TOO_MANY_SUBSCRIPTIONS', error: `Too many subscriptions: at most ${this.#context.maxSubscriptions} per client` });
            continue;
          }
          this.hub.subscribe(peer, topic);
          this.hub.receiveEverything(peer, false);
          this.#scope.subscribed(peer, topic, command.params);
          logger.info(`Client ${peer.id} subscribed to ${topic}`, { clientId: peer.id, endpoint: this.endpoint, topic });
          this.#say(peer, { kind: 'subscribed', topics: [topic], at: clock.now() });
          const scripted = this.#streams.onTopic(topic).filter((s) => this.#scripts.has(s));
          for (const stream of scripted) this.#scripts.play(peer, stream);
          if (this.dialect.sendsSnapshotOnSubscribe && scripted.length === 0) this.#snapshot(peer, topic);
        }
        return;
      }
      case 'unsubscribe': {
        for (const topic of command.topics) {
          const unknown = this.#unknownTopic(topic);
          if (unknown !== undefined) {
            this.#fail(peer, unknown);
            continue;
          }
          this.hub.unsubscribe(peer, topic);
          this.#scripts.stop(peer, this.#streams.onTopic(topic));
          logger.info(`Client ${peer.id} unsubscribed from ${topic}`, { clientId: peer.id, endpoint: this.endpoint, topic });
          this.#say(peer, { kind: 'unsubscribed', topics: [topic], at: clock.now() });
        }
        return;
      }
      case 'message':
        logger.debug(`Client ${peer.id} sent a message no rule handles`, { clientId: peer.id, endpoint: this.endpoint });
        return;
    }
  }

  #snapshot(peer: Peer, topic: string): void {
    const at = this.#context.clock.now();
    for (const stream of this.#streams.onTopic(topic)) {
      const condition = this.#streams.condition(stream);
      for (const emission of stream.current()) {
        if (condition !== undefined && !this.#scope.passes(condition, peer, topic, emission.data)) continue;
        sendEvent(peer, eventFrame(this.dialect, stream, emission.data, at));
      }
    }
  }

  // --- streams -----------------------------------------------------------------------------------------

  wants(_stream: Stream): boolean {
    return this.peers.size > 0;
  }

  deliver(stream: Stream, emissions: readonly Emission[], at: number): number {
    // The most clients any one message of this tick reached (a tick of 8 metrics to 3 clients is 3).
    let reached = 0;
    for (const emission of emissions) {
      // Encoded once per tick; every subscriber is handed the same bytes.
      const id = this.#history?.nextId();
      const frame = eventFrame(this.dialect, stream, emission.data, at, id);
      if (frame === undefined) continue;
      const topics = emission.topics === undefined ? this.#streams.topicsOf(stream) : [stream.topic, ...emission.topics];
      if (id !== undefined) this.#history?.keep({ id, topics, data: emission.data, stream: stream.name, frame: frame.bytes });
      const condition = this.#streams.condition(stream);
      const filter = condition === undefined ? undefined : (peer: Peer) => this.#scope.passes(condition, peer, stream.topic, emission.data);
      const sent = this.hub.broadcast(topics, frame.bytes, filter, frame.isBinary);
      this.#delivered.set(stream, (this.#delivered.get(stream) ?? 0) + sent);
      reached = Math.max(reached, sent);
    }
    if (this.#context.logTraffic) this.#context.logger.info(`Broadcast ${stream.messageType} to ${reached} client(s)`, { stream: stream.name, endpoint: this.endpoint, reached });
    return reached;
  }

  /** Totals for metrics: every client that was ever connected here, and deliveries per stream. */
  figures(): EndpointFigures {
    const total = { ...this.#departed };
    for (const peer of this.peers) addCounters(total, peer.counters);
    return {
      endpoint: this.endpoint,
      connections: this.peers.size,
      ...total,
      streams: [...this.streams.values()].map((s) => ({ name: s.name, messages: this.#delivered.get(s) ?? 0, subscribers: this.hub.subscribers(s.topic).size })),
      rules: this.#rules.figures(),
    };
  }

  /** Runs a client's command as if it had sent it (a Server-Sent Events client's `?events=` subscriptions). */
  apply(peer: Peer, command: Command): void {
    this.#handle(peer, command);
  }

  /** The events a resuming client missed since `lastId`: those of its topics that pass their conditions. */
  missed(peer: Peer, lastId: number): { readonly frames: Buffer[]; readonly lost: number } {
    return missedBy(this.#history, lastId, this.hub.topicsOf(peer), (name, topic, data) => {
      const stream = this.#streams.byName.get(name);
      const condition = stream === undefined ? undefined : this.#streams.condition(stream);
      return condition === undefined || this.#scope.passes(condition, peer, topic, data);
    });
  }

  /** Sends a stream's message now: `data` when given, else the stream's own payload. Returns recipients. */
  publish(stream: Stream, data?: unknown): number {
    const emissions = data === undefined ? stream.render() : [{ data }];
    stream.published(emissions);
    return this.deliver(stream, emissions, this.#context.clock.now());
  }
}
