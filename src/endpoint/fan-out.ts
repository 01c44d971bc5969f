/**
 * The broadcast side of an endpoint, where its streams' ticks go out: each message is encoded once, kept for
 * resuming clients where the format numbers events, and handed to the hub, which writes the same bytes to
 * every subscriber. It counts deliveries per stream.
 */
import type { Peer } from '../hub/peer.ts';
import type { Emission } from '../streams/emission.ts';
import type { Stream, StreamSink } from '../streams/stream.ts';
import type { EndpointCore } from './core.ts';
import { eventFrame } from './event-frame.ts';
import { EventHistory, missedBy } from './event-history.ts';
import type { MessageSource } from '../util/source.ts';
import type { StateCondition } from '../steps/index.ts';
import type { Render } from '../templates/index.ts';
import type { ClientScope } from './client-scope.ts';

export class FanOut implements StreamSink {
  readonly #core: EndpointCore;
  /** The last events, for clients that resume (Server-Sent Events endpoints). */
  readonly #history: EventHistory | undefined;
  readonly #delivered = new Map<Stream, number>();

  constructor(core: EndpointCore) {
    this.#core = core;
    this.#history = core.dialect.numbersEvents === true ? new EventHistory(core.config.sse.history) : undefined;
  }

  wants(_stream: Stream): boolean {
    return this.#core.peers.size > 0;
  }

  /** A tick of the stream's own, or (`source`) a message someone published to it; `only`: to these subscribers alone. */
  deliver(stream: Stream, emissions: readonly Emission[], at: number, source: MessageSource = stream.source, only?: (peer: Peer) => boolean): number {
    const { dialect, streams, scope, hub, context, journal } = this.#core;
    // The most clients any one message of this tick reached (a tick of 8 metrics to 3 clients is 3).
    let reached = 0;
    for (const emission of emissions) {
      // Encoded once per tick; every subscriber is handed the same bytes.
      const id = this.#history?.nextId();
      const frame = eventFrame(dialect, stream, emission.data, at, id);
      if (frame === undefined) continue;
      const topics = emission.topics === undefined ? streams.topicsOf(stream) : [stream.topic, ...emission.topics];
      if (id !== undefined) this.#history?.keep({ id, topics, data: emission.data, stream: stream.name, frame: frame.bytes, only });
      const filter = narrowed(subscriberFilter(streams.condition(stream), streams.gate(stream), scope, stream.topic, emission.data), only);
      const sent = journal === undefined ? hub.publish(topics, frame.bytes, filter, frame.isBinary) : journal.publish(hub, topics, frame.bytes, filter, frame.isBinary, source);
      this.#delivered.set(stream, (this.#delivered.get(stream) ?? 0) + sent);
      reached = Math.max(reached, sent);
    }
    if (context.logTraffic) context.logger.info(`Broadcast ${stream.messageType} to ${reached} client(s)`, { stream: stream.name, endpoint: this.#core.path, reached });
    return reached;
  }

  /** Sends a stream's message now: `data` when given, else the stream's own payload; `only`: to these subscribers alone. Returns recipients. */
  publish(stream: Stream, data: unknown, source: MessageSource, only?: (peer: Peer) => boolean): number {
    const emissions = data === undefined ? stream.render() : [{ data }];
    stream.published(emissions);
    return this.deliver(stream, emissions, this.#core.context.clock.now(), source, only);
  }

  /** How many deliveries a stream has made (one per client reached per message). */
  delivered(stream: Stream): number {
    return this.#delivered.get(stream) ?? 0;
  }

  /** The events a resuming client missed since `lastId`: those of its topics that pass their conditions. */
  missed(peer: Peer, lastId: number): { readonly frames: Buffer[]; readonly lost: number } {
    const { streams, scope, hub } = this.#core;
    return missedBy(this.#history, lastId, hub.topicsOf(peer), (event, topic) => {
      if (event.only !== undefined && !event.only(peer)) return false;
      const stream = streams.byName.get(event.stream);
      if (stream === undefined) return true;
      return subscriberFilter(streams.condition(stream), streams.gate(stream), scope, topic, event.data)?.(peer) ?? true;
    });
  }
}

/** A filter that also keeps to `only` (undefined: no filter, everyone). */
function narrowed(filter: ((peer: Peer) => boolean) | undefined, only: ((peer: Peer) => boolean) | undefined): ((peer: Peer) => boolean) | undefined {
  if (only === undefined) return filter;
  return filter === undefined ? only : (peer) => only(peer) && filter(peer);
}

/** Who gets a message of a stream: those its `condition` and its `state:` gate let through (undefined: everyone). */
function subscriberFilter(condition: Render | undefined, gate: StateCondition | undefined, scope: ClientScope, topic: string, data: unknown): ((peer: Peer) => boolean) | undefined {
  if (gate === undefined) return condition === undefined ? undefined : (peer) => scope.passes(condition, peer, topic, data);
  return (peer) => scope.holds(gate, peer, topic) && (condition === undefined || scope.passes(condition, peer, topic, data));
}
