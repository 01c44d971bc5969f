/**
 * One `node:http` server per port: WebSocket upgrades (ws in noServer mode), plain HTTP requests handed to
 * the admin layer, heartbeats, payload limits and graceful close. It knows sockets, not endpoints: what to
 * do with a connection is decided by the `route` callback it is given.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { MockwaveError } from '../errors/catalog.ts';
import type { Refusal } from '../errors/refusal.ts';
import type { Peer } from '../hub/peer.ts';
import { systemClock, type Clock, type LoopClock, type TimerHandle } from '../util/clock.ts';
import type { Connection, RelayPeer } from './connection.ts';
import type { Deflate } from './deflate.ts';
import { BroadcastWriter } from './frame-writer.ts';
import { BAD_TARGET, clientErrorOf, destroyOnError, refuseRequest, refuseUpgrade, SHUTTING_DOWN, type RefusalManner } from './handshake.ts';
import { guardConnections, releaseConnection } from './http-connections.ts';
import type { Pressure } from './pressure.ts';
import { targetOf, type RequestTarget } from '../util/request-target.ts';
import { AnswerResponse } from '../util/answer-response.ts';
import { WsPeer, type PeerSettings } from './ws-peer.ts';
import { WsServers } from './ws-servers.ts';

export type { Connection, RelayPeer } from './connection.ts';

export type Prepared = { readonly ok: true; readonly protocol?: string | undefined } | { readonly ok: false; readonly refusal: Refusal };

export interface Acceptor {
  /** Path of the endpoint that takes the connection (for the peer's record). */
  readonly endpoint: string;
  /** Whether (and how) permessage-deflate is negotiated with its clients; default off. */
  readonly perMessageDeflate?: Deflate | undefined;
  /**
   * Work that must finish before the handshake is answered (the proxy opening its upstream to learn the
   * subprotocol); undefined when there is none. May refuse the upgrade.
   */
  prepare?(request: IncomingMessage): Promise<Prepared> | undefined;
  accept(peer: RelayPeer, request: IncomingMessage): Connection;
}

export type RouteResult = { readonly ok: true; readonly acceptor: Acceptor } | ({ readonly ok: false; readonly refusal: Refusal } & RefusalManner);

export interface TransportOptions {
  readonly port: number;
  readonly host: string | undefined;
  /** PEM certificate and key: serve https and wss instead of http and ws. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  readonly maxPayload: number;
  readonly heartbeatInterval: number;
  /** ms for a connection to send its request headers; slower ones are closed (slowloris). */
  readonly handshakeTimeout: number;
  readonly maxBufferedBytes: number;
  /**
   * The server-wide guard on queued bytes (websocket.maxQueuedBytes), shared with the other kinds of
   * client (SSE), which it watches alike.
   */
  readonly pressure: Pressure;
  readonly slowClientGrace: number;
  /** The server's clock: heartbeats, and what peers read of time. */
  readonly clock: Clock;
  /**
   * The sockets' real clock (default `systemClock`): the close's grace, an unanswered close's deadline, the
   * turn's flush of broadcasts, the hand-over of waiting requests. Real time by design: sockets drain, and
   * clients answer, in real time even while a test holds `clock` still.
   */
  readonly realClock?: LoopClock | undefined;
  readonly createId: () => string;
  route(request: IncomingMessage, target: RequestTarget): RouteResult;
  /**
   * Every refused upgrade or unreadable request passes here once (to be counted and logged); returns the
   * body the client is answered with. `request` is undefined when Node could not parse one.
   */
  refused(refusal: Refusal, request: IncomingMessage | undefined): unknown;
  /** A plain request whose target has been read (and is valid). */
  handleRequest(request: IncomingMessage, response: ServerResponse, target: RequestTarget): void;
  /** A socket-level problem on one connection (payload too large, invalid frame, heartbeat timeout). */
  onPeerError(peer: Peer, error: Error & { code?: string }): void;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly family: string;
}

export class Transport {
  readonly #options: TransportOptions;
  readonly #http: Server;
  readonly #wss: WsServers;
  readonly #realClock: LoopClock;
  readonly #peers = new Set<WsPeer>();
  readonly #peerSettings: PeerSettings;
  readonly #pressure: Pressure;
  /** Subprotocol chosen for a request by its acceptor's prepare(); otherwise the client's first. */
  readonly #protocols = new WeakMap<IncomingMessage, string | undefined>();
  #heartbeat: TimerHandle | undefined;
  #closing = false;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#realClock = options.realClock ?? systemClock;
    this.#pressure = options.pressure;
    this.#pressure.watch(this.#peers);
    this.#wss = new WsServers({
      maxPayload: options.maxPayload,
      // A bearer.<token> subprotocol only carries a token: answer with a real one when the client offers it.
      handleProtocols: (protocols, request) => {
        if (this.#protocols.has(request)) return this.#protocols.get(request) ?? false;
        const offered = [...protocols];
        return offered.find((p) => !p.startsWith('bearer.')) ?? offered[0] ?? false;
      },
    });
    this.#peerSettings = {
      maxBufferedBytes: options.maxBufferedBytes,
      slowClientGrace: options.slowClientGrace,
      clock: options.clock,
      realClock: this.#realClock,
      broadcasts: new BroadcastWriter(this.#realClock),
      pressure: this.#pressure,
      peers: this.#peers,
      onPeerError: (peer, error) => options.onPeerError(peer, error),
    };
    // The target is read here, once, for every request: one that is not a URL is refused before any
    // handler sees it (parsing it later, outside a try, ended the process).
    const handle = guardConnections({
      handler: (req, res) => {
        const target = targetOf(req);
        if (target === undefined) refuseRequest(req, res, BAD_TARGET.status, options.refused(BAD_TARGET, req));
        else options.handleRequest(req, res, target);
      },
      clock: options.clock,
      realClock: this.#realClock,
      slowClientGrace: options.slowClientGrace,
      pressure: this.#pressure,
    });
    // Node checks these timeouts every connectionsCheckingInterval (30 s by default): check often enough
    // that a handshake trickled a byte at a time is closed close to its deadline.
    const timeouts = {
      // Headers every answer of a request gets are written with its head, not set before it (answer-response.ts).
      ServerResponse: AnswerResponse,
      headersTimeout: options.handshakeTimeout,
      requestTimeout: options.handshakeTimeout * 2,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(options.handshakeTimeout / 2)),
    };
    this.#http = options.tls === undefined ? createServer(timeouts, handle) : createHttpsServer({ ...timeouts, cert: options.tls.cert, key: options.tls.key }, handle);
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head));
    this.#http.on('clientError', (error: Error & { code?: string }, socket: Duplex) => this.#refuse(socket, clientErrorOf(error), undefined));
  }

  get peers(): ReadonlySet<Peer> {
    return this.#peers;
  }

  /** Bytes queued for all clients at the last check (the server-wide cap's sum). */
  get queuedBytes(): number {
    return this.#pressure.queued;
  }

  listen(): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error & { code?: string }): void => {
        const where = `${this.#options.host ?? '*'}:${this.#options.port}`;
        const why = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
        reject(new MockwaveError('MW_LISTEN_FAILED', `Cannot listen on ${where}: ${why}`, { cause: error }));
      };
      this.#http.once('error', onError);
      this.#http.listen({ port: this.#options.port, host: this.#options.host }, () => {
        this.#http.off('error', onError);
        const address = this.#http.address() as AddressInfo;
        this.#scheduleHeartbeat();
        this.#pressure.start(() => this.#options.clock.now());
        resolve({ host: address.address, port: address.port, family: address.family });
      });
    });
  }

  /**
   * Closes every client with `code`, waits up to `graceMs` for their close handshakes, terminates whoever
   * is left, then closes the HTTP server. New upgrades are refused from the first moment.
   */
  async close(code: number, reason: string, graceMs: number): Promise<void> {
    this.#closing = true;
    if (this.#heartbeat !== undefined) this.#options.clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#pressure.stop();
    const closed = [...this.#peers].map(
      (peer) =>
        new Promise<void>((resolve) => {
          if (peer.socket.readyState === peer.socket.CLOSED) return resolve();
          peer.socket.once('close', () => resolve());
          peer.close(code, reason);
        }),
    );
    // Real time: the clients' answers come in real time, whatever clock the mock runs on.
    let timer: TimerHandle | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = this.#realClock.setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(closed), grace]);
    if (timer !== undefined) this.#realClock.clearTimeout(timer);
    for (const peer of this.#peers) peer.terminate();
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A shared listener, not a closure: one made here would keep `req` and `head` alive with the socket.
    socket.on('error', destroyOnError);
    releaseConnection(socket as Socket);
    if (this.#closing) {
      this.#refuse(socket, SHUTTING_DOWN, req);
      return;
    }
    const target = targetOf(req);
    if (target === undefined) {
      this.#refuse(socket, BAD_TARGET, req);
      return;
    }
    const routed = this.#options.route(req, target);
    if (!routed.ok) {
      this.#refuse(socket, routed.refusal, req, routed);
      return;
    }
    const prepared = routed.acceptor.prepare?.(req);
    if (prepared === undefined) {
      this.#complete(req, socket, head, routed.acceptor);
      return;
    }
    prepared.then(
      (result) => {
        if (!result.ok) this.#refuse(socket, result.refusal, req);
        else if (this.#closing) this.#refuse(socket, SHUTTING_DOWN, req);
        else {
          this.#protocols.set(req, result.protocol);
          this.#complete(req, socket, head, routed.acceptor);
        }
      },
      () => socket.destroy(),
    );
  }

  #refuse(socket: Duplex, refused: Refusal, request: IncomingMessage | undefined, manner?: RefusalManner): void {
    refuseUpgrade(socket, refused.status, this.#options.refused(refused, request), manner);
  }

  #complete(req: IncomingMessage, socket: Duplex, head: Buffer, acceptor: Acceptor): void {
    if (socket.destroyed) return;
    this.#wss.for(acceptor.perMessageDeflate).handleUpgrade(req, socket, head, (ws) => this.#connected(ws, req, acceptor));
  }

  /**
   * Only strings are taken from `req` here: the peer and the socket's listeners must not keep the
   * IncomingMessage alive for the life of the connection (it is several KB, as much as the rest of an idle
   * connection).
   */
  #connected(ws: WebSocket, req: IncomingMessage, acceptor: Acceptor): void {
    const peer = new WsPeer({
      id: this.#options.createId(),
      endpoint: acceptor.endpoint,
      url: req.url ?? '/',
      socket: ws,
      settings: this.#peerSettings,
    });
    this.#peers.add(peer);
    let connection: Connection;
    try {
      connection = acceptor.accept(peer, req);
    } catch (error) {
      // A fault in one connection's set-up ends that connection, never the server (this runs in ws's
      // upgrade callback, where a throw would be uncaught).
      this.#peers.delete(peer);
      this.#options.onPeerError(peer, error as Error);
      ws.terminate();
      return;
    }
    peer.attach(connection);
  }

  #scheduleHeartbeat(): void {
    const { heartbeatInterval, clock } = this.#options;
    if (heartbeatInterval <= 0 || this.#closing) return;
    this.#heartbeat = clock.setTimeout(() => {
      // One timer for all clients, not one per client: a missed pong since the last round means gone.
      for (const peer of this.#peers) {
        if (!peer.alive) {
          this.#options.onPeerError(peer, Object.assign(new Error('No pong since the last heartbeat'), { code: 'MW_HEARTBEAT_TIMEOUT' }));
          peer.terminate();
          continue;
        }
        peer.alive = false;
        if (peer.open) peer.socket.ping();
      }
      this.#scheduleHeartbeat();
    }, heartbeatInterval);
  }
}
