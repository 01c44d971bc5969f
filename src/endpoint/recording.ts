/**
 * A recording an endpoint replays: read when the endpoint is built, played to each client that connects.
 */
import { encodeGuide } from '../dialects/guide.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import type { Peer } from '../hub/peer.ts';
import { readRecording, type Recording } from '../replay/format.ts';
import { playRecording, type Playback, type ReplayOptions } from '../replay/playback.ts';

/** A recording that cannot be read is a configuration problem, reported before the server listens. */
export function loadRecording(file: string, endpoint: string): Recording {
  try {
    return readRecording(file);
  } catch (error) {
    throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `endpoint ${endpoint}: replay.file: cannot load the recording: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Plays a recording to a client that just connected. Where the live proxy greeted its client with the
 * guide's `proxy_connected` before any upstream frame, so does the replay, with the same encoder: the
 * client's own id, the recorded route's name, the time now (what a live session's greeting would say).
 */
export function startReplay(peer: Peer, recording: Recording, options: ReplayOptions, now: number, schedule: (fn: () => void, ms: number) => void): Playback {
  if (recording.session.announced === true) peer.send(encodeGuide({ kind: 'proxy_connected', clientId: peer.id, route: recording.session.route, at: now }));
  return playRecording(peer, recording, options, schedule);
}
