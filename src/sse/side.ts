/**
 * Server-Sent Events endpoints: a GET on an endpoint with `protocol: sse` becomes a peer of that endpoint,
 * fed by the same streams, conditions, sequences and hub as a WebSocket client. At the door: the method, the
 * one access check (origin, token as `Authorization: Bearer` or `?token=`, the endpoint's connection cap:
 * src/security/access.ts), and the `?events=` it asks for; CORS as for HTTP routes (cookies included with
 * `cors.credentials`), and every refusal written by the one error writer; then
 * `retry:`, and the events it missed when it resumes with `Last-Event-ID` (header, or `?lastEventId=` for
 * clients that cannot set one). Comment lines keep idle streams open through proxies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MockwaveConfig } from '../config/schema.ts';
import { refusal, type Meta, type Refusal } from '../errors/refusal.ts';
import { clip } from '../dialects/types.ts';
import type { Logger } from '../log/logger.ts';
import { accessPolicy, accessRefusal } from '../security/access.ts';
import { answerPreflight, corsGrant, isPreflight } from '../security/cors.ts';
import { answerRefusal } from '../security/refusal-answer.ts';
import { skipBody } from '../http/body.ts';
import { EventChunks, SsePeer } from './peer.ts';
import type { Pressure } from '../transport/pressure.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';
import { sseEvent } from '../util/sse.ts';
import { doorRefusal } from '../endpoint/door-fault.ts';
import { resetSocket } from '../util/reset-socket.ts';
import type { Endpoint } from '../endpoint/endpoint.ts';
import { connectionScope, type Journal } from '../journal/index.ts';

export interface SseSideContext {
  readonly config: MockwaveConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly createId: () => string;
  /** The server-wide guard on queued bytes, shared with the WebSocket clients; it watches ours too. */
  readonly pressure: Pressure;
  /** The metadata of an error answer given now (timestamp, requestId). */
  readonly meta: () => Meta;
  /** Where a refused stream is journaled (none: the journal is off). */
  readonly journal?: Journal | undefined;
  /** Told of each connect, accepted (200, with its client) or refused (the dashboard's request list). */
  readonly connected?: ((path: string, status: number, client: string | undefined) => void) | undefined;
}

export class SseSide {
  readonly peers = new Set<SsePeer>();
  readonly #context: SseSideContext;
  readonly #byEndpoint = new Map<Endpoint, Set<SsePeer>>();
  /** What a heartbeat is on each client's stream: a comment line, or an empty line between JSON lines. */
  readonly #heartbeats = new WeakMap<SsePeer, string>();
  /** The chunks of this server's broadcasts, shared by its clients only. */
  readonly #chunks = new EventChunks();
  #heartbeat: TimerHandle | undefined;
  #closing = false;

  /** ms between heartbeat rounds: the shortest of the SSE endpoints' (Infinity: none wants them). */
  readonly #heartbeatEvery: number;

  constructor(context: SseSideContext) {
    this.#context = context;
    context.pressure.watch(this.peers);
    this.#heartbeatEvery = Math.min(...context.config.endpoints.filter((e) => e.protocol === 'sse' && e.sse.heartbeat > 0).map((e) => e.sse.heartbeat));
  }

  /** Answers a request to a Server-Sent Events endpoint: a refusal, or a stream that stays open. */
  handle(request: IncomingMessage, response: ServerResponse, endpoint: Endpoint, url: URL): void {
    skipBody(request, response);
    const { config, clock } = this.#context;
    const cors = corsGrant(request.headers.origin, config.cors, 'mock');
    // A page's fetch() of the stream with headers of its own asks first; EventSource never does.
    if (isPreflight(request)) {
      answerPreflight(response, cors, request, ['GET']);
      return;
    }
    const settings = endpoint.config.sse;
    const mine = this.#byEndpoint.get(endpoint) ?? new Set<SsePeer>();
    const topics = new Set([...endpoint.streams.values()].map((s) => s.topic));
    const asked = (url.searchParams.get('events') ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
    const unknown = asked.filter((e) => !topics.has(e));
    let refused: Refusal | undefined;
    if (this.#closing) refused = refusal('MW_SHUTTING_DOWN', 'The server is shutting down');
    else if (request.method !== 'GET') refused = refusal('MW_HTTP_METHOD_NOT_ALLOWED', `${request.method ?? ''} is not allowed on the Server-Sent Events endpoint ${endpoint.endpoint} (allowed: GET)`);
    else refused = accessRefusal(request, accessPolicy('sse', config, settings.maxConnections, endpoint.endpoint), mine.size);
    if (refused === undefined && unknown.length > 0) refused = refusal('MW_BAD_REQUEST', `Unknown event${unknown.length > 1 ? 's' : ''} ${clip(unknown.join(', '))} (events: ${[...topics].join(', ')})`);
    let headers: Readonly<Record<string, string>> | undefined = refused?.code === 'MW_HTTP_METHOD_NOT_ALLOWED' ? { Allow: 'GET' } : undefined;
    const door = refused === undefined ? endpoint.doorFault() : undefined;
    if (door !== undefined) {
      ({ refusal: refused, headers } = doorRefusal(door, endpoint.endpoint));
      if (door.reset && request.socket !== null) {
        this.#context.journal?.refused('sse', endpoint.endpoint, connectionScope(request), refused);
        resetSocket(request.socket);
        return;
      }
    }
    if (refused !== undefined) {
      this.#context.journal?.refused('sse', endpoint.endpoint, connectionScope(request), refused);
      this.#context.connected?.(url.pathname, refused.status, undefined);
      answerRefusal(response, refused, { meta: this.#context.meta(), cors, headers });
      return;
    }

    const lines = settings.format === 'ndjson';
    response.writeHead(200, { ...cors.headers, 'content-type': lines ? 'application/x-ndjson; charset=utf-8' : 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const peer = new SsePeer({ id: this.#context.createId(), endpoint: endpoint.endpoint, url: request.url ?? '/', response, settings: { maxBufferedBytes: config.websocket.maxBufferedBytes, slowClientGrace: config.websocket.slowClientGrace, clock, pressure: this.#context.pressure, chunks: this.#chunks } });
    if (!lines) peer.write(sseEvent({ retry: settings.retry }));
    this.peers.add(peer);
    this.#heartbeats.set(peer, lines ? '\n' : sseEvent({ comment: 'heartbeat' }));
    mine.add(peer);
    this.#byEndpoint.set(endpoint, mine);
    let connection;
    try {
      connection = endpoint.accept(peer, request);
    } catch (error) {
      // A fault in one client's set-up ends that client alone, and leaves nothing of it behind.
      this.peers.delete(peer);
      mine.delete(peer);
      throw error;
    }
    this.#context.connected?.(url.pathname, 200, peer.id);
    if (asked.length > 0) endpoint.apply(peer, { kind: 'subscribe', topics: asked });
    const last = Number(request.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? Number.NaN);
    if (Number.isInteger(last) && last >= 0) {
      const { frames, lost } = endpoint.missed(peer, last);
      if (lost > 0) peer.write(sseEvent({ comment: `${lost} event(s) after ${last} are no longer kept (sse.history: ${settings.history}); going on from the oldest kept` }));
      for (const frame of frames) peer.offer(frame);
    }
    response.once('close', () => {
      this.peers.delete(peer);
      mine.delete(peer);
      connection.onClose(peer, this.#closing ? 1001 : 1000, this.#closing ? 'server shutting down' : 'the client went away');
    });
    this.#scheduleHeartbeat();
  }

  /** One timer for every SSE client: a comment line each round keeps proxies from closing idle streams. */
  #scheduleHeartbeat(): void {
    const every = this.#heartbeatEvery;
    if (this.#heartbeat !== undefined || !Number.isFinite(every) || this.#closing) return;
    this.#heartbeat = this.#context.clock.setTimeout(() => {
      this.#heartbeat = undefined;
      for (const peer of this.peers) peer.write(this.#heartbeats.get(peer) ?? '');
      if (this.peers.size > 0) this.#scheduleHeartbeat();
    }, every);
  }

  /** Ends every stream (each EventSource will try to reconnect, and be refused while the server stops). */
  closeAll(): void {
    this.#closing = true;
    if (this.#heartbeat !== undefined) this.#context.clock.clearTimeout(this.#heartbeat);
    for (const peer of this.peers) peer.close(1001, 'server shutting down');
  }
}
