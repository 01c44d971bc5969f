/**
 * A `ws` socket as the Peer that logic sees, and the socket's listeners: one shared function per event for
 * every connection, finding its peer from the socket.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { newCounters, NO_OBSERVERS, type Faultable, type FaultHook, type OutKind, type Peer, type PeerCounters, type PeerObserver } from '../hub/peer.ts';
import { closeCodeOf } from '../errors/catalog.ts';
import type { Clock, LoopClock } from '../util/clock.ts';
import { resetSocket } from '../util/reset-socket.ts';
import { PROXY_SOURCE, type MessageSource } from '../util/source.ts';
import { writeFrameNow, type BroadcastWriter, type FrameTarget } from './frame-writer.ts';
import { EVICTION_CLOSE_TIMEOUT_MS, SLOW_CLIENT_REASON } from './constants.ts';
import type { Pressure, Pressured } from './pressure.ts';
import type { Connection, RelayPeer } from './connection.ts';
import { listenTo } from './ws-socket-events.ts';

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

export function tcpOf(socket: WebSocket): Socket | undefined {
  return (socket as unknown as { _socket?: Socket })._socket;
}

/** What every peer of one transport shares: one object per server, not a field each per connection. */
export interface PeerSettings {
  readonly maxBufferedBytes: number;
  readonly slowClientGrace: number;
  /** The server's clock: when a client connected, since when it is behind. */
  readonly clock: Clock;
  /** The sockets' real clock: the deadline of a close that is not answered. */
  readonly realClock: LoopClock;
  /** The server's writer of broadcast frames (its cache and its corks are the server's, not the module's). */
  readonly broadcasts: BroadcastWriter;
  /** The server-wide guard on queued bytes, and the set of clients that are behind. */
  readonly pressure: Pressure;
  /**
   * The transport's open peers: the transport adds a peer before its logic accepts it (so the connection
   * counts itself); the peer leaves when its socket closes.
   */
  readonly peers: Set<WsPeer>;
  /** A problem on one connection (payload too large, invalid frame, a set-up that threw). */
  onPeerError(peer: Peer, error: Error & { code?: string }): void;
}

/** The one place a `ws` socket is wrapped into the Peer that logic sees. */
export class WsPeer implements RelayPeer, Faultable, Pressured {
  readonly id: string;
  readonly endpoint: string;
  readonly url: string;
  readonly connectedAt: number;
  readonly counters: PeerCounters = newCounters();
  observers: readonly PeerObserver[] = NO_OBSERVERS;
  /** Cleared by each heartbeat, set by the client's pong. */
  alive = true;
  faults: FaultHook | undefined = undefined;
  readonly socket: WebSocket;
  readonly settings: PeerSettings;
  /** Set by attach(), before the first message can arrive. */
  connection!: Connection;
  /**
   * When the client went over the buffer cap; undefined while it keeps up. While it is behind, its own
   * messages are not read either: a client that does not read its replies cannot make the server work
   * for more of them (a flood stops at the TCP window, costing nothing).
   */
  #behindSince: number | undefined;
  /** Paused by the connection's logic (the proxy waiting for its upstream); kept apart from being behind. */
  #pausedByLogic = false;
  /** The close code and reason the server sent, once it has sent one. */
  closeSent: number | undefined;
  closeReason = '';
  /**
   * The frame writer's view of this connection (fields of the peer itself rather than an object of
   * their own: an idle connection's memory is a product figure): the TCP socket under ws, and whether this
   * turn has written to it or corked it. Undefined when ws must frame every message itself: the connection
   * compresses (ws queues compressed frames, so a write of ours could overtake them).
   */
  readonly tcp: Socket | undefined;
  written = false;
  corked = false;

  constructor(init: { id: string; endpoint: string; url: string; socket: WebSocket; settings: PeerSettings }) {
    this.id = init.id;
    this.endpoint = init.endpoint;
    this.url = init.url;
    this.connectedAt = init.settings.clock.now();
    this.socket = init.socket;
    this.settings = init.settings;
    // ws keeps the TCP socket in a private field; without it (a future ws), broadcasts go through ws.send.
    this.tcp = init.socket.extensions === '' ? tcpOf(init.socket) : undefined;
  }

  /**
   * Hands the socket's events to `connection`. Called once the connection's logic has accepted the peer;
   * ws emits nothing before the upgrade callback returns, so no message is missed.
   */
  attach(connection: Connection): void {
    this.connection = connection;
    listenTo(this.socket, this);
  }

  /**
   * Read when asked, not at connect: Node caches the answer on the socket as an object of its own, ~100
   * bytes of every idle connection that nobody may ever ask about. Unknown once the socket is gone.
   */
  get remoteAddress(): string {
    return tcpOf(this.socket)?.remoteAddress ?? 'unknown';
  }

  /** Whether this connection negotiated permessage-deflate. */
  get compressed(): boolean {
    return this.socket.extensions !== '';
  }

  get closed(): boolean {
    return this.socket.readyState === this.socket.CLOSING || this.socket.readyState === this.socket.CLOSED;
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(text: string | Buffer, source: MessageSource): void {
    if (!this.open) return;
    // Encoded once: its length is what the queue cap checks, and the same bytes are framed and written.
    const payload = typeof text === 'string' ? Buffer.from(text) : text;
    if (this.faults !== undefined && this.faults.out('send', payload, false, source)) return;
    this.#sendNow(payload, source);
  }

  #sendNow(payload: Buffer, source: MessageSource | undefined): boolean {
    if (!this.#room(payload.length)) return false;
    this.#counted(payload, false, false, source);
    if (this.tcp === undefined) this.socket.send(payload, TEXT);
    else writeFrameNow(this as FrameTarget, payload);
    return true;
  }

  sendData(data: Buffer, isBinary: boolean, source: MessageSource): void {
    if (!this.open) return;
    if (this.faults !== undefined && this.faults.out('data', data, isBinary, source)) return;
    if (this.#room(data.length)) this.#write(data, isBinary, source);
  }

  pass(kind: OutKind, data: Buffer, isBinary: boolean, source: MessageSource | undefined): boolean {
    if (!this.open) return false;
    if (kind === 'offer') return this.#offerNow(data, isBinary);
    if (kind === 'send') return this.#sendNow(data, source);
    if (!this.#room(data.length)) return false;
    this.#write(data, isBinary, source ?? PROXY_SOURCE);
    return true;
  }

  receive(data: Buffer, isBinary: boolean): void {
    if (this.open) this.connection.onMessage(this, data, isBinary);
  }

  /**
   * A TCP reset: the connection fails with no close frame (a crashed server, a dropped network). A client
   * still reading a message sent just before may read an end of stream rather than ECONNRESET.
   */
  reset(): void {
    const tcp = tcpOf(this.socket);
    if (tcp === undefined) this.socket.terminate();
    else resetSocket(tcp);
  }

  relay(data: Buffer, isBinary: boolean, written?: () => void): void {
    if (!this.open) return;
    this.#write(data, isBinary, PROXY_SOURCE, written);
    if (this.socket.bufferedAmount > this.settings.maxBufferedBytes) this.#fallBehind();
  }

  /** Every message that leaves is counted and shown to the observers (the journal, a watcher) once, here. */
  #counted(data: Buffer, isBinary: boolean, broadcast: boolean, source: MessageSource | undefined): void {
    this.counters.messagesOut += 1;
    this.counters.bytesOut += data.length;
    for (const observe of this.observers) observe(this, 'out', data, isBinary, broadcast, source);
  }

  #write(data: Buffer, isBinary: boolean, source: MessageSource, written?: () => void): void {
    this.#counted(data, isBinary, false, source);
    this.socket.send(data, isBinary ? BINARY : TEXT, written);
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  pause(): void {
    this.#pausedByLogic = true;
    this.socket.pause();
  }

  resume(): void {
    this.#pausedByLogic = false;
    if (this.#behindSince === undefined) this.socket.resume();
  }

  offer(frame: Buffer, isBinary = false): boolean {
    if (!this.open) return false;
    if (this.faults !== undefined && this.faults.out('offer', frame, isBinary, undefined)) return true;
    return this.#offerNow(frame, isBinary);
  }

  #offerNow(frame: Buffer, isBinary: boolean): boolean {
    if (!this.#room(frame.length)) return false;
    this.#counted(frame, isBinary, true, undefined);
    if (this.tcp === undefined) this.socket.send(frame, isBinary ? BINARY : TEXT);
    else this.settings.broadcasts.write(this as FrameTarget, frame, isBinary);
    return true;
  }

  /**
   * Whether a message of `size` bytes may be sent to this client: not while its queue is over its cap, nor,
   * when it would wait behind others, past the server-wide budget. A refused message is dropped and counted.
   * A client with nothing queued is never refused: its write leaves at once.
   */
  #room(size: number): boolean {
    const queued = this.socket.bufferedAmount;
    if (queued === 0) {
      if (this.#behindSince !== undefined) this.#catchUp();
      return true;
    }
    if (queued <= this.settings.maxBufferedBytes) {
      if (this.settings.pressure.admit(size)) return true;
    } else this.#fallBehind();
    this.counters.dropped += 1;
    return false;
  }

  #fallBehind(): void {
    if (this.#behindSince === undefined) {
      this.#behindSince = this.settings.clock.now();
      this.settings.pressure.behind.add(this);
      this.socket.pause();
    }
    this.checkBehind(this.settings.clock.now());
  }

  #catchUp(): void {
    this.#behindSince = undefined;
    if (!this.#pausedByLogic) this.socket.resume();
  }

  /** Evicts the client once it has been behind for the grace period; false once it has caught up. */
  checkBehind(now: number): boolean {
    if (this.#behindSince === undefined) return false;
    if (this.socket.bufferedAmount <= this.settings.maxBufferedBytes) {
      this.#catchUp();
      return false;
    }
    // A client stuck behind for the whole grace period is let go: its queue is the server's memory.
    if (now - this.#behindSince > this.settings.slowClientGrace) this.evict();
    return true;
  }

  /** Closes with 1013 (MW_SLOW_CLIENT) and destroys the socket if the close is not answered quickly. */
  evict(): void {
    if (this.closed) return;
    this.close(closeCodeOf('MW_SLOW_CLIENT'), SLOW_CLIENT_REASON);
    this.settings.onPeerError(this, Object.assign(new Error(`${SLOW_CLIENT_REASON}: over ${this.settings.maxBufferedBytes} bytes queued for ${this.settings.slowClientGrace} ms`), { code: 'MW_SLOW_CLIENT' }));
    this.terminateLater();
  }

  /**
   * Destroys the socket unless its close is answered within EVICTION_CLOSE_TIMEOUT_MS: on the real clock, since
   * only the socket's state decides (a test's manual clock must not keep a dead socket).
   */
  terminateLater(): void {
    this.settings.realClock.setTimeout(() => this.terminate(), EVICTION_CLOSE_TIMEOUT_MS, { unref: true });
  }

  close(code?: number, reason?: string): void {
    if (this.socket.readyState === this.socket.CLOSED || this.socket.readyState === this.socket.CLOSING) return;
    this.faults?.flush();
    this.closeSent = code ?? 1005;
    this.closeReason = reason ?? '';
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }
}
