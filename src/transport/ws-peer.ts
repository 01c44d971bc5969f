import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { newCounters, type Peer, type PeerCounters, type Tap } from '../hub/peer.ts';
import type { Clock } from '../util/clock.ts';
import { writeBroadcast, type BroadcastTarget } from './broadcast-writer.ts';

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
  tap: Tap | undefined = undefined;
  /** Cleared by each heartbeat, set by the client's pong. */
  alive = true;
  readonly socket: WebSocket;
  #maxBuffered: number;
  #grace: number;
  #clock: Clock;
  /** When the client last went over the buffer cap; undefined while it keeps up. */
  #behindSince: number | undefined;
  /**
   * The broadcast writer's view of this connection (fields of the peer itself rather than an object of
   * their own: an idle connection's memory is a product figure): the TCP socket under ws, and whether this
   * turn has written to it or corked it.
   */
  readonly tcp: Socket | undefined;
  written = false;
  corked = false;

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
    this.tcp = (init.socket as unknown as { _socket?: Socket })._socket;
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
    this.tap?.('out', text, false);
    this.socket.send(text, TEXT);
  }

  sendData(data: Buffer, isBinary: boolean): void {
    if (!this.open) return;
    this.counters.messagesOut += 1;
    this.counters.bytesOut += data.length;
    this.tap?.('out', data, isBinary);
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
    this.tap?.('out', frame, false);
    if (this.tcp === undefined) this.socket.send(frame, TEXT);
    else writeBroadcast(this as BroadcastTarget, frame);
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
