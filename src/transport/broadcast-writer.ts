/**
 * The broadcast path's writes, below `ws`. A broadcast's bytes are framed once and the same Buffer is
 * written to every subscriber's socket in a single write (ws would build a header per client and write
 * two buffers). When one client is due several messages in the same turn of the event loop (ten streams
 * ticking together), the later ones are corked and leave in one writev when the turn ends, instead of
 * one system call each: on loopback the system calls, not our code, are most of a fan-out's cost.
 *
 * Writing to the socket under ws is safe because the server never compresses (perMessageDeflate is off)
 * and never sends Blobs, the only cases in which ws queues a frame instead of writing it at once; so ws's
 * own writes and these stay in call order on the one socket.
 */
import type { Socket } from 'node:net';

let lastPayload: Buffer | undefined;
let lastWire: Buffer | undefined;

/** An unmasked, final text frame (RFC 6455 5.2) around `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const wire = Buffer.allocUnsafe(headerLength + length);
  wire[0] = 0x81;
  if (length < 126) wire[1] = length;
  else if (length < 65_536) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    wire.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(wire, headerLength);
  return wire;
}

/** A broadcast hands the same payload to every subscriber in a row: one cached frame serves them all. */
function wireFor(payload: Buffer): Buffer {
  if (payload !== lastPayload) {
    lastWire = textFrame(payload);
    lastPayload = payload;
  }
  return lastWire as Buffer;
}

export interface BroadcastTarget {
  /** The TCP socket under the WebSocket. */
  readonly tcp: Socket;
  /** Set by the first broadcast write of a turn, cleared when the turn's writes are flushed. */
  written: boolean;
  corked: boolean;
}

const touched: BroadcastTarget[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const target of touched) {
    target.written = false;
    if (target.corked) {
      target.corked = false;
      target.tcp.uncork();
    }
  }
  touched.length = 0;
}

/** Writes one broadcast payload, framed, to a target's socket; see the file comment for the coalescing. */
export function writeBroadcast(target: BroadcastTarget, payload: Buffer): void {
  if (!target.written) {
    target.written = true;
    touched.push(target);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  } else if (!target.corked) {
    target.corked = true;
    target.tcp.cork();
  }
  target.tcp.write(wireFor(payload));
}
