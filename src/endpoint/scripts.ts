/**
 * Per-subscriber scripts: a `sequence` stream with `mode: perSubscriber` plays from its first step for each
 * client that subscribes. Each client's playback of a stream has a generation; bumping it (unsubscribe, a new
 * subscribe) makes the pending steps of the old playback do nothing.
 */
import type { Peer } from '../hub/peer.ts';
import type { CompiledSequence } from '../streams/sequence.ts';
import type { Stream } from '../streams/stream.ts';
import type { RenderContext, TemplateServices } from '../templates/index.ts';
import type { Random } from '../util/random.ts';
import type { PeerTimers } from './peer-timers.ts';

export interface ScriptHost {
  readonly random: Random;
  readonly templates: TemplateServices;
  readonly timers: PeerTimers;
  /** Sends one of a stream's messages to one client, as the stream's messages go (text or binary). */
  sayEvent(peer: Peer, stream: Stream, data: unknown): void;
  client(peer: Peer): NonNullable<RenderContext['client']>;
}

export class Scripts {
  readonly #host: ScriptHost;
  readonly #sequences = new Map<Stream, CompiledSequence>();
  readonly #generations = new Map<Peer, Map<Stream, number>>();

  constructor(host: ScriptHost) {
    this.#host = host;
  }

  add(stream: Stream, sequence: CompiledSequence): void {
    this.#sequences.set(stream, sequence);
  }

  remove(stream: Stream): void {
    this.#sequences.delete(stream);
  }

  has(stream: Stream): boolean {
    return this.#sequences.has(stream);
  }

  /** Starts every script (for clients of dialects without subscribe messages). */
  playAll(peer: Peer): void {
    for (const stream of this.#sequences.keys()) this.play(peer, stream);
  }

  /** Plays a stream's script to one client from its first step; a newer playback cancels this one. */
  play(peer: Peer, stream: Stream): void {
    const sequence = this.#sequences.get(stream);
    if (sequence === undefined) return;
    let byStream = this.#generations.get(peer);
    if (byStream === undefined) {
      byStream = new Map();
      this.#generations.set(peer, byStream);
    }
    const generations = byStream;
    const generation = (generations.get(stream) ?? 0) + 1;
    generations.set(stream, generation);
    const { random, templates, timers } = this.#host;
    const step = (index: number): void => {
      if (generations.get(stream) !== generation) return;
      if (index >= sequence.length) {
        if (!sequence.loop) return;
        index = 0;
      }
      timers.schedule(peer, () => {
        if (generations.get(stream) !== generation) return;
        const data = sequence.render(index, { client: this.#host.client(peer) }, templates);
        this.#host.sayEvent(peer, stream, data);
        step(index + 1);
      }, sequence.delay(index, random));
    };
    step(0);
  }

  stop(peer: Peer, streams: readonly Stream[]): void {
    const byStream = this.#generations.get(peer);
    if (byStream === undefined) return;
    for (const stream of streams) if (byStream.has(stream)) byStream.set(stream, (byStream.get(stream) ?? 0) + 1);
  }

  forget(peer: Peer): void {
    this.#generations.delete(peer);
  }
}
