/**
 * One proxied connection: a client peer bridged to its upstream. Messages pass both ways unchanged (text
 * stays text, binary stays binary); client messages sent before the upstream is open wait in a bounded
 * queue; close codes cross in both directions; a side that cannot keep up slows the other (or, by route
 * option, its messages are dropped and counted). Nothing outlives the pair: no socket, no timer.
 */
import type WebSocket from 'ws';
import type { RawData } from 'ws';
import type { ProxyRouteConfig } from './schema.ts';
import { closeCodeOf } from '../errors/catalog.ts';
import type { Peer } from '../hub/peer.ts';
import { toBuffer, type Connection, type RelayPeer } from '../transport/connection.ts';
import { towardClient, towardUpstream } from './close-codes.ts';
import type { Recorder } from '../recording/ws-recorder.ts';
import { PROXY_SOURCE } from '../util/source.ts';

export interface RouteStats {
  connections: number;
  active: number;
  /** Upstreams that could not be reached (refused, timed out, answered HTTP, broke the handshake). */
  failures: number;
  /** Clients that left before their upstream opened: not the upstream's failure. */
  clientGoneEarly: number;
  messagesToUpstream: number;
  bytesToUpstream: number;
  messagesToClient: number;
  bytesToClient: number;
  /** Messages not delivered: the receiving side was too slow (`slowPeer: drop`) or already closing. */
  dropped: number;
}

export interface BridgeContext {
  readonly maxBufferedBytes: number;
  /** Bytes of client messages held while the upstream opens. */
  readonly maxQueueBytes?: number;
  /** Masks secrets in what is logged (the upstream URL carries the route's query and the client's). */
  redactUrl(url: string): string;
  now(): number;
  /** Starts a recording of this session when its route (or the proxy) records; undefined otherwise. */
  record(route: ProxyRouteConfig, peer: Peer, upstream: WebSocket, headers: Readonly<Record<string, string>>): Recorder | undefined;
  /** The guide's proxy_connected and error messages, encoded. */
  connected(peer: Peer, route: string): string;
  failed(route: string, reason: string): string;
  log(level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void;
}

/**
 * Back-pressure in one direction, without a timer (`slowPeer: pause`). Once the receiving side holds more than
 * the cap, the sending side is paused; every message of this direction is sent with `written` (ws's send
 * callback: the message has left for the socket), and the first one that finds the receiving side's queue at
 * half the cap or less resumes the sender. The queue only shrinks as messages are written, so no moment it
 * reaches half is missed.
 */
class Valve {
  #held = false;
  readonly #queued: () => number;
  readonly #max: number;
  readonly #pause: () => void;
  readonly #resume: () => void;
  readonly #ended: () => boolean;

  constructor(parts: { queued: () => number; max: number; pause: () => void; resume: () => void; ended: () => boolean }) {
    this.#queued = parts.queued;
    this.#max = parts.max;
    this.#pause = parts.pause;
    this.#resume = parts.resume;
    this.#ended = parts.ended;
  }

  /** After a send: holds the sender back when the receiver's queue is over the cap. */
  sent(): void {
    if (this.#held || this.#queued() <= this.#max) return;
    this.#held = true;
    this.#pause();
  }

  /** The send callback of every message of this direction; one function per direction, not one per message. */
  readonly written = (): void => {
    if (!this.#held || this.#ended() || this.#queued() > this.#max / 2) return;
    this.#held = false;
    this.#resume();
  };
}

/** The session's own traffic, for the line that says how it ended. */
interface SessionFigures {
  toUpstream: number;
  bytesToUpstream: number;
  toClient: number;
  bytesToClient: number;
}

/** One proxied session; `headers` are those sent to the upstream, for the recording (which masks secrets). */
class Session {
  readonly queue: { data: Buffer; isBinary: boolean }[] = [];
  queuedBytes = 0;
  open: boolean;
  finished = false;
  recorder: Recorder | undefined;
  readonly figures: SessionFigures = { toUpstream: 0, bytesToUpstream: 0, toClient: 0, bytesToClient: 0 };
  readonly toUpstreamValve: Valve | undefined;
  readonly toClientValve: Valve | undefined;

  constructor(
    readonly peer: RelayPeer,
    readonly upstream: WebSocket,
    readonly headers: Readonly<Record<string, string>>,
    readonly route: ProxyRouteConfig,
    readonly stats: RouteStats,
    readonly context: BridgeContext,
  ) {
    this.open = upstream.readyState === upstream.OPEN;
    if (route.slowPeer === 'pause') {
      const max = context.maxBufferedBytes;
      const ended = (): boolean => this.finished;
      this.toUpstreamValve = new Valve({ queued: () => upstream.bufferedAmount, max, pause: () => peer.pause(), resume: () => peer.resume(), ended });
      this.toClientValve = new Valve({ queued: () => peer.bufferedAmount, max, pause: () => upstream.pause(), resume: () => upstream.resume(), ended });
    }
    stats.connections += 1;
    stats.active += 1;
  }

  /** Ends the session once; `how` says who closed it and with what (logged with the session's traffic). */
  finish(how: string): void {
    if (this.finished) return;
    this.finished = true;
    this.stats.active -= 1;
    const { peer, route, figures } = this;
    this.context.log('info', `Proxy ${route.name}: ${peer.id} ended (${how}): ${figures.toUpstream} message(s), ${figures.bytesToUpstream} bytes to the upstream; ${figures.toClient} message(s), ${figures.bytesToClient} bytes to the client`, { clientId: peer.id, route: route.name, ...figures });
    void this.recorder?.end();
  }

  toUpstream(data: Buffer, isBinary: boolean): void {
    const { upstream, stats, figures } = this;
    if (upstream.readyState !== upstream.OPEN || (upstream.bufferedAmount > this.context.maxBufferedBytes && this.route.slowPeer === 'drop')) {
      stats.dropped += 1;
      return;
    }
    stats.messagesToUpstream += 1;
    stats.bytesToUpstream += data.length;
    figures.toUpstream += 1;
    figures.bytesToUpstream += data.length;
    this.recorder?.frame(this.context.now(), 'client', data, isBinary);
    upstream.send(data, { binary: isBinary }, this.toUpstreamValve?.written);
    this.toUpstreamValve?.sent();
  }

  toClient(raw: RawData, isBinary: boolean): void {
    const { peer, stats, figures } = this;
    const data = toBuffer(raw);
    if (peer.closed || (peer.bufferedAmount > this.context.maxBufferedBytes && this.route.slowPeer === 'drop')) {
      stats.dropped += 1;
      return;
    }
    stats.messagesToClient += 1;
    stats.bytesToClient += data.length;
    figures.toClient += 1;
    figures.bytesToClient += data.length;
    this.recorder?.frame(this.context.now(), 'upstream', data, isBinary);
    peer.relay(data, isBinary, this.toClientValve?.written);
    this.toClientValve?.sent();
  }

  opened(): void {
    const { peer, route, upstream, context } = this;
    this.open = true;
    this.recorder = context.record(route, peer, upstream, this.headers);
    if (route.announce) peer.send(context.connected(peer, route.name), PROXY_SOURCE);
    this.queuedBytes = 0;
    for (const message of this.queue.splice(0)) this.toUpstream(message.data, message.isBinary);
    context.log('info', `Proxy ${route.name}: ${peer.id} connected to ${context.redactUrl(upstream.url)}`, { clientId: peer.id, route: route.name });
  }

  fail(reason: string): void {
    // The client already left (its close ended the session and stopped the upstream's handshake).
    if (this.finished) return;
    const { peer, route } = this;
    this.stats.failures += 1;
    this.context.log('warn', `Proxy ${route.name}: ${peer.id}: ${reason}`, { clientId: peer.id, route: route.name });
    peer.send(this.context.failed(route.name, reason), PROXY_SOURCE);
    peer.close(closeCodeOf('MW_PROXY_UPSTREAM_FAILED'), `Upstream ${route.name} unavailable`.slice(0, 123));
    this.upstream.terminate();
    this.finish(`upstream failed: ${reason}`);
  }

  upstreamClosed(code: number, reason: string): void {
    if (this.finished) return;
    this.recorder?.close(this.context.now(), 'upstream', code, reason);
    this.finish(`the upstream closed with ${code}`);
    // A client held back for a slow upstream reads again, or its answer to the close is never seen and the
    // socket waits out ws's 30 s close timeout; what it still sends is dropped (the upstream is gone).
    this.peer.resume();
    const forwarded = towardClient(code);
    if (forwarded === undefined) this.peer.close();
    else this.peer.close(forwarded, reason);
  }

  fromClient(data: Buffer, isBinary: boolean): void {
    const { peer, route, queue } = this;
    if (peer.closed) return;
    if (this.open) {
      this.toUpstream(data, isBinary);
      return;
    }
    const maxBytes = this.context.maxQueueBytes ?? Infinity;
    if (queue.length >= route.maxQueue || this.queuedBytes + data.length > maxBytes) {
      const over = queue.length >= route.maxQueue ? `more than ${route.maxQueue} messages` : `more than ${maxBytes} bytes`;
      this.context.log('warn', `Proxy ${route.name}: ${peer.id} sent ${over} before the upstream opened`, { clientId: peer.id, route: route.name });
      peer.close(closeCodeOf('MW_PROXY_QUEUE_FULL'), 'Proxy queue full: upstream not open yet');
      queue.length = 0;
      this.queuedBytes = 0;
      return;
    }
    this.queuedBytes += data.length;
    queue.push({ data, isBinary });
  }

  clientClosed(code: number, reason: string): void {
    const { upstream } = this;
    if (!this.finished) this.recorder?.close(this.context.now(), 'client', code, reason);
    const wasFinished = this.finished;
    this.finish(`the client closed with ${code}`);
    if (wasFinished) return;
    if (upstream.readyState === upstream.CONNECTING) {
      this.stats.clientGoneEarly += 1;
      upstream.terminate();
      return;
    }
    // The same the other way: an upstream held back for this client reads on to the close's answer.
    upstream.resume();
    const forwarded = towardUpstream(code);
    if (forwarded === undefined) upstream.close();
    else upstream.close(forwarded, reason);
  }
}

/** `headers` are those sent to the upstream, for the recording (which masks secrets). */
export function bridge(peer: RelayPeer, upstream: WebSocket, headers: Readonly<Record<string, string>>, route: ProxyRouteConfig, stats: RouteStats, context: BridgeContext): Connection {
  const session = new Session(peer, upstream, headers, route, stats, context);
  if (session.open) session.opened();
  else upstream.once('open', () => session.opened());
  upstream.on('message', (raw: RawData, isBinary: boolean) => session.toClient(raw, isBinary));
  upstream.on('unexpected-response', (_request, response) => {
    response.resume();
    session.fail(`upstream answered HTTP ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trim());
  });
  upstream.on('error', (error: Error) => {
    if (!session.open) session.fail(error.message);
    else context.log('warn', `Proxy ${route.name}: upstream error for ${peer.id}: ${error.message}`, { clientId: peer.id, route: route.name });
  });
  upstream.on('close', (code: number, reason: Buffer) => session.upstreamClosed(code, reason.toString()));
  return {
    onMessage: (_peer, data, isBinary) => session.fromClient(data, isBinary),
    onClose: (_peer, code, reason) => session.clientClosed(code, reason),
  };
}
