/**
 * A recording an endpoint replays (its `replay`): read when the endpoint is built, played to each client
 * that connects, each client's playback told when that client sends something.
 */
import type { EndpointConfig } from '../config/schema.ts';
import { encodeGuide } from '../dialects/guide.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import type { Peer } from '../hub/peer.ts';
import { readRecording, type Recording } from '../recording/format.ts';
import { playRecording, type Playback, type ReplayOptions } from '../recording/playback.ts';
import { REPLAY_SOURCE } from '../util/source.ts';

/** A recording that cannot be read is a configuration problem, reported before the server listens. */
function loadRecording(file: string, endpoint: string): Recording {
  try {
    return readRecording(file);
  } catch (error) {
    throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `endpoint ${endpoint}: replay.file: cannot load the recording: ${errorMessage(error)}`, { cause: error });
  }
}

export class EndpointReplay {
  readonly #recording: Recording;
  readonly #options: ReplayOptions;
  readonly #playbacks = new WeakMap<Peer, Playback>();

  /** The endpoint's replay, read now; undefined when it replays nothing. */
  static of(config: Pick<EndpointConfig, 'path' | 'replay'>): EndpointReplay | undefined {
    return config.replay === undefined ? undefined : new EndpointReplay(loadRecording(config.replay.file, config.path), config.replay);
  }

  private constructor(recording: Recording, options: ReplayOptions) {
    this.#recording = recording;
    this.#options = options;
  }

  /**
   * Plays the recording to a client that just connected. Where the live proxy greeted its client with the
   * guide's `proxy_connected` before any upstream frame, so does the replay, with the same encoder: the
   * client's own id, the recorded route's name, the time now (what a live session's greeting would say).
   */
  start(peer: Peer, now: number, schedule: (fn: () => void, ms: number) => void): void {
    const recording = this.#recording;
    if (recording.session.announced === true) peer.send(encodeGuide({ kind: 'proxy_connected', clientId: peer.id, route: recording.session.route, at: now }), REPLAY_SOURCE);
    this.#playbacks.set(peer, playRecording(peer, recording, this.#options, schedule));
  }

  /** A client sent something: its playback may be waiting for that. */
  clientSent(peer: Peer): void {
    this.#playbacks.get(peer)?.onClientMessage();
  }
}
