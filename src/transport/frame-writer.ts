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
import type { LoopClock } from '../util/clock.ts';

/** Above this, a reply's payload is written after its header rather than copied into one frame buffer. */
const COPY_LIMIT = 16 * 1024;

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

export interface FrameTarget {
  /** The TCP socket under the WebSocket. */
  readonly tcp: Socket;
  /** Set by the first broadcast write of a turn, cleared when the turn's writes are flushed. */
  written: boolean;
  corked: boolean;
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

/**
 * The broadcast writer of one server: its cache of the last frame and the targets its turn corked belong to
 * it, not to the module, so two servers in one process share nothing.
 */
export class BroadcastWriter {
  readonly #clock: LoopClock;
  /** A broadcast hands the same payload to every subscriber in a row: one cached frame serves them all. */
  #lastPayload: Buffer | undefined;
  #lastBinary = false;
  #lastWire: Buffer | undefined;
  /** The targets written to this turn, and whether their flush is already set for the turn's end. */
  readonly #touched: FrameTarget[] = [];
  #flushScheduled = false;
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    for (const target of this.#touched) {
      target.written = false;
      if (target.corked) {
        target.corked = false;
        target.tcp.uncork();
      }
    }
    this.#touched.length = 0;
  };

  /** `clock`: the real clock, whose next turn flushes what this turn corked. */
  constructor(clock: LoopClock) {
    this.#clock = clock;
  }

  /** Writes one broadcast payload, framed, to a target's socket; see the file comment for the coalescing. */
  write(target: FrameTarget, payload: Buffer, binary = false): void {
    if (!target.written) {
      target.written = true;
      this.#touched.push(target);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        this.#clock.nextTurn(this.#flush);
      }
    } else if (!target.corked) {
      target.corked = true;
      target.tcp.cork();
    }
    target.tcp.write(this.#wireFor(payload, binary));
  }

  #wireFor(payload: Buffer, binary: boolean): Buffer {
    if (payload !== this.#lastPayload || binary !== this.#lastBinary) {
      this.#lastWire = frame(payload, binary);
      this.#lastPayload = payload;
      this.#lastBinary = binary;
    }
    return this.#lastWire as Buffer;
  }
}
