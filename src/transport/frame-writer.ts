/**
 * Every frame the server sends of its own, below `ws`: replies and broadcasts alike, text or binary. A frame is built as one
 * Buffer and written in a single write (ws would build a header and write two buffers, a writev); a
 * broadcast's frame is built once and the same Buffer goes to every subscriber. When one client is due
 * several broadcasts in the same turn of the event loop (ten streams ticking together), the later ones are
 * corked and leave in one writev when the turn ends, instead of one system call each: on loopback the
 * system calls, not our code, are most of the cost. Replies are written at once, never corked: bytes held
 * in a cork would count as the client's backlog and have it refused messages the kernel would take.
 *
 * Writing to the socket under ws is safe only on a connection without permessage-deflate (the peer
 * then has no `tcp`, and every send goes through ws), and because the server never sends Blobs: those are
 * the only cases in which ws queues a frame instead of writing it at once, so ws's own writes and these stay
 * in call order on the one socket.
 */
import type { Socket } from 'node:net';

/** Above this, a reply's payload is written after its header rather than copied into one frame buffer. */
const COPY_LIMIT = 16 * 1024;

let lastPayload: Buffer | undefined;
let lastBinary = false;
let lastWire: Buffer | undefined;

function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Writes the header of an unmasked, final text (or binary) frame of `length` bytes at the start of `wire`. */
function writeHeader(wire: Buffer, length: number, binary: boolean): void {
  wire[0] = binary ? 0x82 : 0x81;
  if (length < 126) wire[1] = length;
  else if (length < 65_536) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    wire.writeUInt32BE(length >>> 0, 6);
  }
}

/** An unmasked, final text (or binary) frame (RFC 6455 5.2) around `payload`. */
export function frame(payload: Buffer, binary = false): Buffer {
  const offset = headerLength(payload.length);
  const wire = Buffer.allocUnsafe(offset + payload.length);
  writeHeader(wire, payload.length, binary);
  payload.copy(wire, offset);
  return wire;
}

/** A broadcast hands the same payload to every subscriber in a row: one cached frame serves them all. */
function wireFor(payload: Buffer, binary: boolean): Buffer {
  if (payload !== lastPayload || binary !== lastBinary) {
    lastWire = frame(payload, binary);
    lastPayload = payload;
    lastBinary = binary;
  }
  return lastWire as Buffer;
}

export interface FrameTarget {
  /** The TCP socket under the WebSocket. */
  readonly tcp: Socket;
  /** Set by the first broadcast write of a turn, cleared when the turn's writes are flushed. */
  written: boolean;
  corked: boolean;
}

const touched: FrameTarget[] = [];
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

/** Writes one reply, framed, to a target's socket now (joining a cork a broadcast of this turn made). */
export function writeFrameNow(target: FrameTarget, payload: Buffer, binary = false): void {
  if (payload.length <= COPY_LIMIT) {
    target.tcp.write(frame(payload, binary));
    return;
  }
  // A large payload is not copied into a frame: its header and it leave together in one writev.
  const header = Buffer.allocUnsafe(headerLength(payload.length));
  writeHeader(header, payload.length, binary);
  target.tcp.cork();
  target.tcp.write(header);
  target.tcp.write(payload);
  target.tcp.uncork();
}

/** Writes one broadcast payload, framed, to a target's socket; see the file comment for the coalescing. */
export function writeFrame(target: FrameTarget, payload: Buffer, binary = false): void {
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
  target.tcp.write(wireFor(payload, binary));
}
