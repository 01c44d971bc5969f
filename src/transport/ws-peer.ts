import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { newCounters, type Peer, type PeerCounters } from '../hub/peer.ts';
import type { Clock } from '../util/clock.ts';
import { writeBroadcast } from './broadcast-writer.ts';

const TEXT = { binary: false } as const;

/** The one place a `ws` socket is wrapped into the Peer that logic sees. */
export class WsPeer implements Peer {
  readonly id: string;
  readonly endpoint: string;
  readonly url: string;
  readonly remoteAddress: string;
  readonly connectedAt: number;
  readonly subscriptions = new Set<string>();
  readonly counters: PeerCounters = newCounters();
  /** Cleared by each heartbeat, set by the client's pong. */
  alive = true;
  readonly socket: WebSocket;
  #maxBuffered: number;
  #grace: number;
  #clock: Clock;
  /** When the client last went over the buffer cap; undefined while it keeps up. */
  #behindSince: number | undefined;
  /** The broadcast writer's view of this connection: the TCP socket under ws, and its coalescing state. */
  readonly #target: { socket: Socket; written: boolean; corked: boolean } | undefined;

  constructor(init: { id: string; endpoint: string; url: string; remoteAddress: string; connectedAt: number; socket: WebSocket; maxBufferedBytes: number; slowClientGrace: number; clock: Clock }) {
    this.id = init.id;
    this.endpoint = init.endpoint;
    this.url = init.url;
    this.remoteAddress = init.remoteAddress;
    this.connectedAt = init.connectedAt;
    this.socket = init.socket;
    this.#maxBuffered = init.maxBufferedBytes;
    this.#grace = init.slowClientGrace;
    this.#clock = init.clock;
    // ws keeps the TCP socket in a private field; without it (a future ws), broadcasts go through ws.send.
    const tcp = (init.socket as unknown as { _socket?: Socket })._socket;
    this.#target = tcp === undefined ? undefined : { socket: tcp, written: false, corked: false };
  }

  get closed(): boolean {
    return this.socket.readyState === this.socket.CLOSING || this.socket.readyState === this.socket.CLOSED;
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(text: string | Buffer): void {
    if (!this.open) return;
    this.counters.messagesOut += 1;
    this.counters.bytesOut += typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    this.socket.send(text, TEXT);
  }

  sendData(data: Buffer, isBinary: boolean): void {
    if (!this.open) return;
    this.counters.messagesOut += 1;
    this.counters.bytesOut += data.length;
    this.socket.send(data, { binary: isBinary });
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  offer(frame: Buffer): boolean {
    if (!this.open) return false;
    if (this.socket.bufferedAmount > this.#maxBuffered) {
      this.counters.dropped += 1;
      const now = this.#clock.now();
      this.#behindSince ??= now;
      // A client stuck behind for the whole grace period is let go: its queue is the server's memory.
      if (now - this.#behindSince > this.#grace) this.close(1013, 'Client too slow: not reading its messages');
      return false;
    }
    this.#behindSince = undefined;
    this.counters.messagesOut += 1;
    this.counters.bytesOut += frame.length;
    if (this.#target === undefined) this.socket.send(frame, TEXT);
    else writeBroadcast(this.#target, frame);
    return true;
  }

  close(code?: number, reason?: string): void {
    if (this.socket.readyState === this.socket.CLOSED || this.socket.readyState === this.socket.CLOSING) return;
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }
}
