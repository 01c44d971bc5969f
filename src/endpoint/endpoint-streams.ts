/**
 * The streams of one endpoint, by name and by topic: built from their definitions (fixed data, a generator or
 * a sequence, shared or per subscriber), added, replaced and removed at run time, started and stopped together.
 * The endpoint asks it which streams feed a topic; it never sees a client.
 */
import type { EndpointConfig, StreamConfig } from '../config/schema.ts';
import type { GeneratorContext } from '../streams/generators/index.ts';
import { parseInterval } from '../streams/interval.ts';
import { createProducer } from '../streams/payload.ts';
import { compileSequence, sharedPlayback, type CompiledSequence } from '../streams/sequence.ts';
import { Stream, type StreamOptions, type StreamSink } from '../streams/stream.ts';
import { compileCondition, type Render } from '../templates/index.ts';
import { compileStateCondition, type StateCondition } from '../steps/index.ts';
import { seededPart } from './seeded.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Scripts } from './scripts.ts';
import { errorMessage } from '../errors/error-message.ts';
import { LineLimiter } from '../log/line-limiter.ts';

export interface StreamSetContext extends GeneratorContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The run's seed; each stream draws from its own sequence derived from it and the stream's name. */
  readonly seed: number;
}

type Timing = Pick<StreamOptions, 'produce' | 'next' | 'peek' | 'schedule'> & { extraTopics: readonly string[]; playback?: CompiledSequence };

export class EndpointStreams {
  readonly #byName = new Map<string, Stream>();
  /** The definitions streams were built from, so the admin API can show and change them. */
  readonly #definitions = new Map<string, StreamConfig>();
  /** Topic -> the streams publishing to it, for subscribe checks, requests and snapshots. */
  readonly #topics = new Map<string, Stream[]>();
  /** Per stream, the topics its plain messages go to, made once rather than on every tick. */
  readonly #topicLists = new Map<Stream, readonly string[]>();
  /** Topics only some messages go to (cerberus `alerts`): subscribable, but with no stream of their own. */
  readonly #extraTopics = new Set<string>();
  /** Per-subscriber conditions of the streams that have one. */
  readonly #conditions = new Map<Stream, Render>();
  /** Streams' `state:` gates, by stream. */
  readonly #gates = new Map<Stream, StateCondition>();
  readonly #context: StreamSetContext;
  readonly #sink: StreamSink;
  readonly #scripts: Scripts;

  readonly #endpoint: string;
  readonly #failures = new LineLimiter<string>(10_000, { maxKeys: 1000 });

  constructor(context: StreamSetContext, sink: StreamSink, scripts: Scripts, endpoint: string) {
    this.#context = context;
    this.#sink = sink;
    this.#scripts = scripts;
    this.#endpoint = endpoint;
  }

  get byName(): ReadonlyMap<string, Stream> {
    return this.#byName;
  }

  get definitions(): ReadonlyMap<string, StreamConfig> {
    return this.#definitions;
  }

  add(definition: StreamConfig): Stream {
    // Its own randomness (and faker), so a seeded run gives each stream the same values whatever else ticks.
    const context: StreamSetContext = { ...this.#context, ...seededPart(this.#context, `${this.#endpoint} ${definition.name}`) };
    const timing = this.#timing(definition, context);
    for (const topic of timing.extraTopics) this.#extraTopics.add(topic);
    const stream = new Stream({
      name: definition.name,
      topic: definition.topic ?? definition.name,
      messageType: definition.messageType ?? 'event',
      binary: definition.binary ?? false,
      interval: parseInterval(definition.interval),
      produce: timing.produce,
      next: timing.next,
      peek: timing.peek,
      schedule: timing.schedule,
      clock: context.clock,
      random: context.random,
      sink: this.#sink,
      onError: (s, error) => {
        // A tick that fails fails again on the next one: one line per stream every 10 s, with a count.
        const skipped = this.#failures.pass(s.name, context.clock.now());
        if (skipped !== undefined) context.logger.error(`Stream ${s.name}: nothing sent this tick: ${errorMessage(error)}${skipped === 0 ? '' : ` (${skipped} more ticks failed in the last 10 s)`}`, { stream: s.name, endpoint: this.#endpoint });
      },
    });
    this.#byName.set(stream.name, stream);
    this.#definitions.set(stream.name, definition);
    if (timing.playback !== undefined) this.#scripts.add(stream, timing.playback);
    if (definition.condition !== undefined) this.#conditions.set(stream, compileCondition(definition.condition));
    if (definition.state !== undefined) this.#gates.set(stream, compileStateCondition(definition.state));
    const list = this.#topics.get(stream.topic) ?? [];
    list.push(stream);
    this.#topics.set(stream.topic, list);
    this.#topicLists.set(stream, [stream.topic]);
    return stream;
  }

  /** Stops and forgets a stream; false when there is none of that name. */
  remove(name: string): boolean {
    const stream = this.#byName.get(name);
    if (stream === undefined) return false;
    stream.stop();
    this.#byName.delete(name);
    this.#definitions.delete(name);
    this.#conditions.delete(stream);
    this.#gates.delete(stream);
    this.#scripts.remove(stream);
    this.#topicLists.delete(stream);
    const list = (this.#topics.get(stream.topic) ?? []).filter((s) => s !== stream);
    if (list.length === 0) this.#topics.delete(stream.topic);
    else this.#topics.set(stream.topic, list);
    return true;
  }

  /** The streams publishing to a topic (none for an extra topic or an unknown one). */
  onTopic(topic: string): readonly Stream[] {
    return this.#topics.get(topic) ?? [];
  }

  /** Every topic a client may subscribe to. */
  topics(): string[] {
    return [...this.#topics.keys(), ...this.#extraTopics];
  }

  /** Whether a client may subscribe to (or request) this topic. */
  knows(topic: string): boolean {
    return this.#topics.has(topic) || this.#extraTopics.has(topic);
  }

  /** The topics a stream's plain messages go to. */
  topicsOf(stream: Stream): readonly string[] {
    return this.#topicLists.get(stream) ?? [stream.topic];
  }

  condition(stream: Stream): Render | undefined {
    return this.#conditions.get(stream);
  }

  /** The stream's `state:` gate, if it has one. */
  gate(stream: Stream): StateCondition | undefined {
    return this.#gates.get(stream);
  }

  start(): void {
    for (const stream of this.#byName.values()) stream.start();
  }

  stop(): void {
    for (const stream of this.#byName.values()) stream.stop();
  }

  /** How a stream is fed and timed: fixed data, a generator, or a sequence (shared or per subscriber). */
  #timing(definition: EndpointConfig['streams'][number], context: StreamSetContext): Timing {
    if (definition.sequence === undefined) return createProducer(definition, context);
    const templates = context.templates;
    const sequence = compileSequence(definition.sequence, definition.loop ?? false);
    const steps = `sequence of ${sequence.length} step${sequence.length === 1 ? '' : 's'}${sequence.loop ? ', looped' : ''}`;
    const first = () => [{ data: sequence.render(0, {}, templates) }];
    if (definition.mode === 'perSubscriber') {
      return { produce: first, peek: first, schedule: `${steps}, per subscriber`, extraTopics: [], playback: sequence };
    }
    const shared = sharedPlayback(sequence, context.random, templates);
    return { produce: shared.produce, next: shared.next, peek: first, schedule: steps, extraTopics: [] };
  }
}
