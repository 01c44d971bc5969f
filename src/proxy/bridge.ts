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
import type { Connection } from '../transport/transport.ts';
import { toBuffer } from '../transport/ws-peer.ts';
import { towardClient, towardUpstream } from './close-codes.ts';
import type { Recorder } from '../recording/ws-recorder.ts';

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

const POLL_MS = 5;

/** `headers` are those sent to the upstream, for the recording (which masks secrets). */
export function bridge(peer: Peer, upstream: WebSocket, headers: Readonly<Record<string, string>>, route: ProxyRouteConfig, stats: RouteStats, context: BridgeContext): Connection {
  const queue: { data: Buffer; isBinary: boolean }[] = [];
  let queuedBytes = 0;
  let open = upstream.readyState === upstream.OPEN;
  let finished = false;
  let recorder: Recorder | undefined;
  const timers = new Set<NodeJS.Timeout>();
  stats.connections += 1;
  stats.active += 1;

  /** This session's own traffic, for the line that says how it ended. */
  const session = { toUpstream: 0, bytesToUpstream: 0, toClient: 0, bytesToClient: 0 };

  /** Ends the session once; `how` says who closed it and with what (logged with the session's traffic). */
  const finish = (how: string): void => {
    if (finished) return;
    finished = true;
    stats.active -= 1;
    context.log('info', `Proxy ${route.name}: ${peer.id} ended (${how}): ${session.toUpstream} message(s), ${session.bytesToUpstream} bytes to the upstream; ${session.toClient} message(s), ${session.bytesToClient} bytes to the client`, { clientId: peer.id, route: route.name, ...session });
    void recorder?.end();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };

  /** Waits (bounded by the connection's life) until `buffered()` is below half the cap, then resumes. */
  const relieve = (buffered: () => number, pause: () => void, resume: () => void): void => {
    pause();
    const check = (): void => {
      if (finished) return;
      if (buffered() <= context.maxBufferedBytes / 2) {
        resume();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        check();
      }, POLL_MS);
      timers.add(timer);
    };
    check();
  };

  const toUpstream = (data: Buffer, isBinary: boolean): void => {
    if (upstream.readyState !== upstream.OPEN || (upstream.bufferedAmount > context.maxBufferedBytes && route.slowPeer === 'drop')) {
      stats.dropped += 1;
      return;
    }
    stats.messagesToUpstream += 1;
    stats.bytesToUpstream += data.length;
    session.toUpstream += 1;
    session.bytesToUpstream += data.length;
    recorder?.frame(context.now(), 'client', data, isBinary);
    upstream.send(data, { binary: isBinary });
    if (upstream.bufferedAmount > context.maxBufferedBytes && route.slowPeer === 'pause') {
      relieve(() => upstream.bufferedAmount, () => peer.pause(), () => peer.resume());
    }
  };

  const onOpen = (): void => {
    open = true;
    recorder = context.record(route, peer, upstream, headers);
    if (route.announce) peer.send(context.connected(peer, route.name));
    queuedBytes = 0;
    for (const message of queue.splice(0)) toUpstream(message.data, message.isBinary);
    context.log('info', `Proxy ${route.name}: ${peer.id} connected to ${context.redactUrl(upstream.url)}`, { clientId: peer.id, route: route.name });
  };
  if (open) onOpen();
  else upstream.once('open', onOpen);

  upstream.on('message', (raw: RawData, isBinary: boolean) => {
    const data = toBuffer(raw);
    if (peer.closed || (peer.bufferedAmount > context.maxBufferedBytes && route.slowPeer === 'drop')) {
      stats.dropped += 1;
      return;
    }
    stats.messagesToClient += 1;
    stats.bytesToClient += data.length;
    session.toClient += 1;
    session.bytesToClient += data.length;
    recorder?.frame(context.now(), 'upstream', data, isBinary);
    peer.relay(data, isBinary);
    if (peer.bufferedAmount > context.maxBufferedBytes && route.slowPeer === 'pause') {
      relieve(() => peer.bufferedAmount, () => upstream.pause(), () => upstream.resume());
    }
  });

  const fail = (reason: string): void => {
    // The client already left (its close ended the session and stopped the upstream's handshake).
    if (finished) return;
    stats.failures += 1;
    context.log('warn', `Proxy ${route.name}: ${peer.id}: ${reason}`, { clientId: peer.id, route: route.name });
    peer.send(context.failed(route.name, reason));
    peer.close(closeCodeOf('MW_PROXY_UPSTREAM_FAILED'), `Upstream ${route.name} unavailable`.slice(0, 123));
    upstream.terminate();
    finish(`upstream failed: ${reason}`);
  };
  upstream.on('unexpected-response', (_request, response) => {
    response.resume();
    fail(`upstream answered HTTP ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trim());
  });
  upstream.on('error', (error: Error) => {
    if (!open) fail(error.message);
    else context.log('warn', `Proxy ${route.name}: upstream error for ${peer.id}: ${error.message}`, { clientId: peer.id, route: route.name });
  });
  upstream.on('close', (code: number, reason: Buffer) => {
    if (finished) return;
    recorder?.close(context.now(), 'upstream', code, reason.toString());
    finish(`the upstream closed with ${code}`);
    // A client held back for a slow upstream reads again, or its answer to the close is never seen and the
    // socket waits out ws's 30 s close timeout; what it still sends is dropped (the upstream is gone).
    peer.resume();
    const forwarded = towardClient(code);
    if (forwarded === undefined) peer.close();
    else peer.close(forwarded, reason.toString());
  });

  return {
    onMessage: (_peer, data, isBinary) => {
      if (peer.closed) return;
      if (open) {
        toUpstream(data, isBinary);
        return;
      }
      const maxBytes = context.maxQueueBytes ?? Infinity;
      if (queue.length >= route.maxQueue || queuedBytes + data.length > maxBytes) {
        const over = queue.length >= route.maxQueue ? `more than ${route.maxQueue} messages` : `more than ${maxBytes} bytes`;
        context.log('warn', `Proxy ${route.name}: ${peer.id} sent ${over} before the upstream opened`, { clientId: peer.id, route: route.name });
        peer.close(closeCodeOf('MW_PROXY_QUEUE_FULL'), 'Proxy queue full: upstream not open yet');
        queue.length = 0;
        queuedBytes = 0;
        return;
      }
      queuedBytes += data.length;
      queue.push({ data, isBinary });
    },
    onClose: (_peer, code, reason) => {
      if (!finished) recorder?.close(context.now(), 'client', code, reason);
      const wasFinished = finished;
      finish(`the client closed with ${code}`);
      if (wasFinished) return;
      if (upstream.readyState === upstream.CONNECTING) {
        stats.clientGoneEarly += 1;
        upstream.terminate();
        return;
      }
      // The same the other way: an upstream held back for this client reads on to the close's answer.
      upstream.resume();
      const forwarded = towardUpstream(code);
      if (forwarded === undefined) upstream.close();
      else upstream.close(forwarded, reason);
    },
  };
}
