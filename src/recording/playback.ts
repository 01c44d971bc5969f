/**
 * Plays a recording to one client: the upstream's frames with their recorded timing (scaled by `speed`;
 * 0 is as fast as possible), optionally waiting at each recorded client message until the client sends one,
 * optionally looping. The client's own side of the recording is never sent.
 */
import type { Peer } from '../hub/peer.ts';
import { frameBytes, type Recording } from './format.ts';
import { REPLAY_SOURCE } from '../util/source.ts';

export interface ReplayOptions {
  readonly speed: number;
  readonly waitForClient: boolean;
  readonly loop: boolean;
}

export interface Playback {
  /** Tell the playback the client sent something (it may be waiting for that). */
  onClientMessage(): void;
}

export function playRecording(peer: Peer, recording: Recording, options: ReplayOptions, schedule: (fn: () => void, ms: number) => void): Playback {
  const events = recording.events;
  let index = 0;
  let lastT = 0;
  let waiting = false;
  let credit = 0;

  // A looped recording with nothing from the upstream would spin without ever waiting: play it once.
  const loop = options.loop && events.some((e) => e.from === 'upstream');

  const step = (): void => {
    while (!peer.closed) {
      if (index >= events.length) {
        if (!loop) return;
        index = 0;
        lastT = 0;
      }
      const event = events[index] as (typeof events)[number];
      const delay = options.speed === 0 ? 0 : Math.max(0, (event.t - lastT) / options.speed);
      lastT = event.t;
      index += 1;
      if (event.from === 'client') {
        if (event.kind === 'close') {
          if (!loop) return;
          continue;
        }
        if (!options.waitForClient) continue;
        if (credit > 0) {
          credit -= 1;
          continue;
        }
        waiting = true;
        return;
      }
      schedule(() => {
        if (event.kind === 'frame') peer.sendData(frameBytes(event), event.type === 'binary', REPLAY_SOURCE);
        else if (!loop) {
          if (event.code === 1005) peer.close();
          else peer.close(event.code === 1006 || event.code === 1015 ? 1011 : event.code, event.reason);
          return;
        }
        step();
      }, delay);
      return;
    }
  };

  step();
  return {
    onClientMessage: () => {
      if (!options.waitForClient) return;
      if (waiting) {
        waiting = false;
        step();
      } else credit += 1;
    },
  };
}
