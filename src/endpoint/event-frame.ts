/**
 * A stream's message as it goes on the wire: encoded by the endpoint's dialect, as a text frame, or as a
 * binary frame for a stream with `binary: true` (the dialect's own binary form, else its text's bytes).
 */
import type { WireDialect } from '../dialects/index.ts';
import type { Peer } from '../hub/peer.ts';
import type { Stream } from '../streams/stream.ts';

export interface EventFrame {
  readonly bytes: Buffer;
  readonly isBinary: boolean;
}

/** Undefined when the dialect has no such message. `id`: the event's running number, where the format has one. */
export function eventFrame(dialect: WireDialect, stream: Stream, data: unknown, at: number, id?: number): EventFrame | undefined {
  const message = { kind: 'event', stream: stream.name, messageType: stream.messageType, data, at, ...(id === undefined ? {} : { id }) } as const;
  if (stream.binary && dialect.encodeBinary !== undefined) {
    const bytes = dialect.encodeBinary(message);
    return bytes === undefined ? undefined : { bytes, isBinary: true };
  }
  const text = dialect.encode(message);
  return text === undefined ? undefined : { bytes: Buffer.from(text), isBinary: stream.binary };
}

/** Sends one of a stream's messages to one client (a snapshot, a per-subscriber script's step). */
export function sendEvent(peer: Peer, frame: EventFrame | undefined, stream: Stream): void {
  if (frame === undefined) return;
  if (frame.isBinary) peer.sendData(frame.bytes, true, stream.source);
  else peer.send(frame.bytes, stream.source);
}
