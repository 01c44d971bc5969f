/**
 * Server-Sent Events endpoints: a GET on an endpoint with `protocol: sse` becomes a peer of that endpoint,
 * fed by the same streams, conditions, sequences and hub as a WebSocket client. At the door: the token (as
 * for WebSocket: `Authorization: Bearer` or `?token=`), the origin and CORS (as for HTTP routes, cookies
 * included with `cors.credentials`), the endpoint's connection cap, and the `?events=` it asks for; then
 * `retry:`, and the events it missed when it resumes with `Last-Event-ID` (header, or `?lastEventId=` for
 * clients that cannot set one). Comment lines keep idle streams open through proxies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MockwaveConfig } from '../config/schema.ts';
import { refusal, type Refusal } from '../errors/refusal.ts';
import { clip } from '../dialects/types.ts';
import type { Logger } from '../log/logger.ts';
import { corsGrant, preflightHeaders } from '../security/cors.ts';
import { skipBody } from '../http/request.ts';
import { authorized } from '../security/tokens.ts';
import { EventChunks, SsePeer } from '../transport/sse-peer.ts';
import type { Pressure } from '../transport/pressure.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';
import { sseEvent } from '../util/sse.ts';
import type { Endpoint } from './endpoint.ts';

export interface SseSideContext {
  readonly config: MockwaveConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly createId: () => string;
  /** The server-wide guard on queued bytes, shared with the WebSocket clients; it watches ours too. */
  readonly pressure: Pressure;
}

function answer(response: ServerResponse, refused: Refusal, headers: Readonly<Record<string, string>>): void {
  const text = JSON.stringify({ error: { code: refused.code, message: refused.message } });
  response.writeHead(refused.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
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
    const origin = request.headers.origin;
    const cors = corsGrant(origin, config.cors, 'mock');
    // A page's fetch() of the stream with headers of its own asks first; EventSource never does.
    if (request.method === 'OPTIONS' && typeof request.headers['access-control-request-method'] === 'string') {
      response.writeHead(204, preflightHeaders(cors, request, ['GET']));
      response.end();
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
    else if (origin !== undefined && cors.origin === undefined) refused = refusal('MW_FORBIDDEN_ORIGIN', `Origin ${origin} is not allowed`);
    else if (config.auth.enabled && !authorized(request, config.auth.tokens, { query: true, protocol: false })) refused = refusal('MW_UNAUTHORIZED', 'A valid token is required: Authorization: Bearer <token> or ?token=<token>');
    else if (settings.maxConnections !== undefined && mine.size >= settings.maxConnections) refused = refusal('MW_TOO_MANY_CONNECTIONS', `${endpoint.endpoint} already has ${settings.maxConnections} Server-Sent Events clients (sse.maxConnections)`);
    else if (unknown.length > 0) refused = refusal('MW_BAD_REQUEST', `Unknown event${unknown.length > 1 ? 's' : ''} ${clip(unknown.join(', '))} (events: ${[...topics].join(', ')})`);
    if (refused !== undefined) {
      answer(response, refused, refused.code === 'MW_HTTP_METHOD_NOT_ALLOWED' ? { ...cors.headers, Allow: 'GET' } : cors.headers);
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
