/**
 * A `ws` socket as the Peer that logic sees, and the socket's listeners: one shared function per event for
 * every connection, finding its peer from the socket.
 */
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { newCounters, NO_OBSERVERS, type Peer, type PeerCounters, type PeerObserver } from '../hub/peer.ts';
import { closeCodeOf } from '../errors/catalog.ts';
import type { Clock, LoopClock } from '../util/clock.ts';
import { PROXY_SOURCE, type MessageSource } from '../util/source.ts';
import { writeFrameNow, type BroadcastWriter, type FrameTarget } from './frame-writer.ts';
import { EVICTION_CLOSE_TIMEOUT_MS, PROTOCOL_ERROR_CLOSE_CODES, SLOW_CLIENT_REASON } from './constants.ts';
import type { Pressure, Pressured } from './pressure.ts';
import { toBuffer, type Connection, type RelayPeer } from './connection.ts';

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

function tcpOf(socket: WebSocket): Socket | undefined {
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

/**
 * The peer of each socket. ws calls listeners with the socket as `this`, so one function per event serves
 * every connection: an idle connection makes no closures of its own (a closure per listener, with its scope,
 * costs heap for every connection).
 */
const PEERS = new WeakMap<WebSocket, WsPeer>();

function onPong(this: WebSocket): void {
  const peer = PEERS.get(this);
  if (peer !== undefined) peer.alive = true;
}

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const peer = PEERS.get(this);
  if (peer === undefined) return;
  const buffer = toBuffer(data);
  peer.counters.messagesIn += 1;
  peer.counters.bytesIn += buffer.length;
  for (const observe of peer.observers) observe(peer, 'in', buffer, isBinary, false, undefined);
  peer.connection.onMessage(peer, buffer, isBinary);
}

function onSocketError(this: WebSocket, error: Error & { code?: string }): void {
  const peer = PEERS.get(this);
  if (peer === undefined) return;
  // ws answers a broken frame with a close of its own and stops reading the socket, so the client's answer
  // is never seen: remember the code for the log, and free the connection soon instead of after ws's 30 s.
  const sent = error.code === undefined ? undefined : PROTOCOL_ERROR_CLOSE_CODES[error.code];
  if (sent !== undefined && peer.closeSent === undefined) {
    peer.closeSent = sent;
    peer.closeReason = error.message;
    peer.terminateLater();
  }
  peer.settings.onPeerError(peer, error);
}

function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  const peer = PEERS.get(this);
  if (peer === undefined) return;
  peer.settings.peers.delete(peer);
  peer.settings.pressure.behind.delete(peer);
  // A connection that ended without a close handshake (1006) after the server sent its close is reported
  // with the code the server sent: that is the reason it ended.
  const sent = code === 1006 ? peer.closeSent : undefined;
  peer.connection.onClose(peer, sent ?? code, sent === undefined ? reason.toString() : peer.closeReason);
}

/** The one place a `ws` socket is wrapped into the Peer that logic sees. */
export class WsPeer implements RelayPeer, Pressured {
  readonly id: string;
  readonly endpoint: string;
  readonly url: string;
  readonly connectedAt: number;
  readonly counters: PeerCounters = newCounters();
  observers: readonly PeerObserver[] = NO_OBSERVERS;
  /** Cleared by each heartbeat, set by the client's pong. */
  alive = true;
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
    PEERS.set(this.socket, this);
    this.socket.on('pong', onPong);
    this.socket.on('message', onSocketMessage);
    this.socket.on('error', onSocketError);
    this.socket.on('close', onSocketClose);
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
    if (!this.#room(payload.length)) return;
    this.#counted(payload, false, false, source);
    if (this.tcp === undefined) this.socket.send(payload, TEXT);
    else writeFrameNow(this as FrameTarget, payload);
  }

  sendData(data: Buffer, isBinary: boolean, source: MessageSource): void {
    if (!this.open || !this.#room(data.length)) return;
    this.#write(data, isBinary, source);
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
    if (!this.open || !this.#room(frame.length)) return false;
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
    this.closeSent = code ?? 1005;
    this.closeReason = reason ?? '';
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }
}
