/**
 * The library API and the server's lifecycle: validate the configuration, build endpoints and their
 * streams, listen, and stop gracefully. The CLI and the tests use exactly this.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createMetrics } from '../admin/metrics.ts';
import { createAdminHandler, type WebSocketStats } from '../admin/router.ts';
import { type MockwaveConfig, type MockwaveConfigInput } from '../config/schema.ts';
import { configError, validateConfig } from '../config/validate.ts';
import { ERROR_CATALOG, isMockwaveError, MockwaveError } from '../errors/catalog.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import type { Stream } from '../streams/stream.ts';
import { Transport, type RouteResult } from '../transport/transport.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { createClientId, createRequestId } from '../util/ids.ts';
import { createRandom } from '../util/random.ts';
import { createTemplateServices } from '../templates/index.ts';
import { VERSION } from '../version.ts';
import { encodeGuide } from '../dialects/guide.ts';
import { clip } from '../dialects/types.ts';
import { Recorder } from '../proxy/recorder.ts';
import { ProxyRouter } from '../proxy/router.ts';
import { friendlyOrigin, guardAdminRequest } from '../security/admin-guard.ts';
import { corsOrigin, originAllowed } from '../security/origins.ts';
import { createRedactor } from '../security/redact.ts';
import { authorized, tokenMatches } from '../security/tokens.ts';
import { Endpoint } from './endpoint.ts';
import { createEndpointMatcher } from './routing.ts';
import { applyReload } from './reload.ts';
import { createClientAdmin, type ClientInfo } from './client-admin.ts';
import { createStreamAdmin } from './stream-admin.ts';

export type { ClientInfo };

export interface MockServerOptions {
  /** Time source for streams, heartbeats and timestamps (a ManualClock in tests). */
  readonly clock?: Clock;
  /** Where log lines go; by default built from `config.log`. */
  readonly logger?: Logger;
  /** How long stop() waits for clients to answer the close before terminating them. */
  readonly shutdownGraceMs?: number;
  /** Seed for generators and interval ranges; without it every run differs. */
  readonly seed?: number;
  /** Re-reads the configuration (the CLI re-reads its files); enables POST /admin/config/reload. */
  readonly reload?: () => MockwaveConfig;
}

export interface EndpointInfo {
  readonly path: string;
  readonly dialect: string;
  readonly url: string;
  readonly streams: readonly { readonly name: string; readonly topic: string; readonly interval: string }[];
}

export interface StartInfo {
  /** Base HTTP URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly endpoints: readonly EndpointInfo[];
  /** The dashboard's address, when it is served. */
  readonly dashboard: string | undefined;
}


export interface MockServer {
  readonly config: MockwaveConfig;
  readonly logger: Logger;
  /** Listens and starts every stream; resolves with the bound URLs. */
  start(): Promise<StartInfo>;
  /** Closes every client with 1001, stops every timer and the HTTP server. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends a stream's message now (its own payload, or `data`) to its subscribers; returns how many got it. */
  publish(stream: string, data?: unknown, options?: { readonly endpoint?: string }): number;
  clients(): ClientInfo[];
  stats(): WebSocketStats;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

function urlHost(host: string | undefined, bound: string): string {
  const name = host === undefined || host === '::' || host === '0.0.0.0' ? 'localhost' : host;
  if (name !== 'localhost' && bound.includes(':') && !name.startsWith('[')) return `[${name}]`;
  return name;
}

export function createMockServer(input: MockwaveConfigInput | MockwaveConfig = {}, options: MockServerOptions = {}): MockServer {
  const config = validateConfig(input);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.log.level, format: config.log.format });
  const random = createRandom(options.seed ?? config.seed);
  const idRandom = createRandom();
  let startedAt = clock.now();
  /** The configuration in force, replaced by each successful reload. */
  let activeConfig = config;
  let state: State = 'new';
  let started: StartInfo | undefined;

  const endpoints: Endpoint[] = [];
  const redact = createRedactor(config.redact);
  const context = {
    clock,
    random,
    logger,
    logTraffic: config.log.traffic,
    rateLimit: config.websocket.rateLimit,
    maxSubscriptions: config.websocket.maxSubscriptions,
    totalClients: () => transport.peers.size,
    serverStats: () => ({ clients: transport.peers.size, startedAt }),
    templates: createTemplateServices(clock, random, options.seed ?? config.seed),
  };
  // Files named by the configuration (recordings, CA certificates) are read now: a missing one is a
  // configuration error before anything listens, never a failure on the first connection.
  const fileProblems: string[] = [];
  // Only unreadable files are collected here; any other error from building is a bug and is thrown as is.
  const unreadable = (error: unknown): void => {
    if (!isMockwaveError(error, 'MW_CONFIG_FILE_UNREADABLE')) throw error;
    fileProblems.push(error.message);
  };
  for (const endpointConfig of config.endpoints) {
    try {
      endpoints.push(new Endpoint(endpointConfig, context));
    } catch (error) {
      unreadable(error);
    }
  }
  const match = createEndpointMatcher(endpoints);
  /** Open recordings; stop() waits until each is flushed to disk. */
  const recordings = new Set<Recorder>();
  const firstPath = (config.endpoints[0]?.path ?? '/ws').replace(/\*$/, '').replace(/\/+$/, '');
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (config.tls !== undefined) {
    try {
      tls = { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
    } catch (error) {
      fileProblems.push(`tls: cannot read the certificate or key: ${(error as Error).message}`);
    }
  }
  let proxy: ProxyRouter | undefined;
  try {
    proxy = createProxy();
  } catch (error) {
    unreadable(error);
  }
  if (fileProblems.length > 0) throw configError(fileProblems);

  function createProxy(): ProxyRouter | undefined {
    return config.proxy.enabled
    ? new ProxyRouter({
        path: config.proxy.path ?? `${firstPath}/proxy`,
        routes: config.proxy.routes,
        maxPayload: config.websocket.maxPayload,
        consumed: (token) => config.auth.enabled && tokenMatches(token, config.auth.tokens),
        context: {
          maxBufferedBytes: config.websocket.maxBufferedBytes,
          redactUrl: (url) => redact.url(url),
          now: () => clock.now(),
          record: (route, peer, upstream, headers) => {
            const dir = route.record ?? config.proxy.record;
            if (dir === undefined) return undefined;
            const recorder = new Recorder(dir, {
              route: route.name,
              url: upstream.url,
              path: peer.url,
              headers,
              protocol: upstream.protocol,
              clientId: peer.id,
              now: clock.now(),
            }, redact);
            recordings.add(recorder);
            void recorder.finished.then(() => recordings.delete(recorder));
            logger.info(`Recording ${route.name} for ${peer.id} to ${recorder.path}`, { clientId: peer.id, route: route.name, file: recorder.path });
            return recorder;
          },
          connected: (peer, route) => encodeGuide({ kind: 'proxy_connected', clientId: peer.id, route, at: clock.now() }),
          failed: (route, reason) => encodeGuide({ kind: 'error', code: 'MW_PROXY_UPSTREAM_FAILED', error: `Proxy route ${route} failed: ${reason}`, at: clock.now() }),
          log: (level, message, fields) => logger[level](message, fields),
        },
      })
    : undefined;
  }

  const metrics = createMetrics({ endpoints: () => endpoints.map((e) => e.figures()), proxyConnections: () => proxy?.activeConnections ?? 0 });

  const refusal = (code: 'MW_UNKNOWN_ENDPOINT' | 'MW_UNKNOWN_ROUTE' | 'MW_INVALID_PATH' | 'MW_WEBSOCKET_DISABLED' | 'MW_SHUTTING_DOWN' | 'MW_UNAUTHORIZED' | 'MW_FORBIDDEN_ORIGIN' | 'MW_TOO_MANY_CONNECTIONS', message: string): { ok: false; status: number; body: unknown } => {
    metrics.rejected(code);
    return {
      ok: false,
      status: ERROR_CATALOG[code].httpStatus,
      body: { success: false, error: { code, message }, meta: { timestamp: new Date(clock.now()).toISOString(), requestId: createRequestId(clock, idRandom) } },
    };
  };

  const clientTokens = config.auth.tokens;
  const adminTokens = config.auth.adminToken === undefined ? config.auth.tokens : [config.auth.adminToken];

  /** Foreign origins already logged (bounded: a flood of made-up origins cannot grow it). */
  const foreignOrigins = new Set<string>();
  const noteOrigin = (request: IncomingMessage): void => {
    const origin = request.headers.origin;
    if (origin === undefined || config.cors.origins.length > 0 || foreignOrigins.has(origin) || foreignOrigins.size >= 1000) return;
    if (friendlyOrigin(origin, request.headers.host)) return;
    foreignOrigins.add(origin);
    logger.info(`WebSocket connection from the foreign origin ${clip(origin)}: any origin may connect (set CORS_ORIGINS to restrict); logged once per origin`);
  };

  const route = (request: IncomingMessage, pathname: string): RouteResult => {
    noteOrigin(request);
    if (!config.websocket.enabled) return refusal('MW_WEBSOCKET_DISABLED', 'WebSocket connections are disabled (websocket.enabled is false)');
    // Checked before the path, so nothing about the endpoints is told to a client that may not connect.
    if (!originAllowed(request.headers.origin, config.cors.origins)) return refusal('MW_FORBIDDEN_ORIGIN', `Origin ${request.headers.origin ?? ''} is not allowed`);
    if (config.auth.enabled && !authorized(request, clientTokens, { query: true, protocol: true })) {
      return refusal('MW_UNAUTHORIZED', 'A valid token is required: Authorization: Bearer <token>, ?token=<token> or the subprotocol bearer.<token>');
    }
    if (config.websocket.maxConnections !== undefined && transport.peers.size >= config.websocket.maxConnections) {
      return refusal('MW_TOO_MANY_CONNECTIONS', `The server already has ${config.websocket.maxConnections} clients (websocket.maxConnections)`);
    }
    const proxied = proxy?.match(pathname);
    if (proxied?.kind === 'route') return { ok: true, acceptor: proxied.acceptor };
    if (proxied?.kind === 'unknown') {
      return refusal('MW_UNKNOWN_ROUTE', `No proxy route named ${proxied.name} (routes: ${config.proxy.routes.map((r) => r.name).join(', ') || 'none'})`);
    }
    if (proxied?.kind === 'invalid') return refusal('MW_INVALID_PATH', `Proxy path refused: ${proxied.reason}`);
    const endpoint = match(pathname);
    if (endpoint !== undefined) return { ok: true, acceptor: endpoint };
    const known = endpoints.map((e) => e.endpoint).join(', ') || 'none';
    return refusal('MW_UNKNOWN_ENDPOINT', `No WebSocket endpoint at ${pathname} (endpoints: ${known})`);
  };

  const stats = (): WebSocketStats => ({
    enabled: config.websocket.enabled,
    connectedClients: transport.peers.size,
    proxyConnections: proxy?.activeConnections ?? 0,
    queuedBytes: transport.queued.bytes,
    uptimeMs: state === 'running' ? clock.now() - startedAt : 0,
    endpoints: endpoints.map((e) => e.figures()),
    ...(proxy === undefined ? {} : { proxyRoutes: proxy.stats() }),
  });

  const describe = (): unknown => ({
    name: 'mockwave',
    version: VERSION,
    uptimeMs: clock.now() - startedAt,
    endpoints: endpointInfos(started?.url),
  });

  const endpointInfos = (base: string | undefined): EndpointInfo[] =>
    endpoints.map((e) => ({
      path: e.endpoint,
      dialect: e.dialect.name,
      url: `${(base ?? '').replace(/^http/, 'ws')}${e.endpoint === '/*' ? '' : e.endpoint.endsWith('*') ? e.endpoint.slice(0, -1) : e.endpoint}`,
      streams: [...e.streams.values()].map((s) => ({ name: s.name, topic: s.topic, interval: s.schedule })),
    }));

  const streamAdmin = createStreamAdmin(endpoints, () => state === 'running');
  const clientAdmin = createClientAdmin(() => transport.peers, endpoints, redact);
  const transport: Transport = new Transport({
    port: config.port,
    host: config.host,
    tls,
    maxPayload: config.websocket.maxPayload,
    heartbeatInterval: config.websocket.heartbeatInterval,
    handshakeTimeout: config.websocket.handshakeTimeout,
    maxBufferedBytes: config.websocket.maxBufferedBytes,
    maxQueuedBytes: config.websocket.maxQueuedBytes,
    slowClientGrace: config.websocket.slowClientGrace,
    clock,
    createId: () => createClientId(clock, idRandom),
    route,
    shuttingDown: () => {
      const { status, body } = refusal('MW_SHUTTING_DOWN', 'The server is shutting down');
      return { status, body };
    },
    handleRequest: createAdminHandler({
      ...streamAdmin,
      reload: () => {
        if (options.reload === undefined) throw new MockwaveError('MW_RELOAD_UNAVAILABLE', 'This server was not started from configuration files: nothing to re-read');
        const next = options.reload();
        const report = applyReload(activeConfig, next, endpoints, state === 'running');
        activeConfig = next;
        logger.info(`Configuration reloaded: ${report.streamsAdded.length} stream(s) added, ${report.streamsChanged.length} changed, ${report.streamsRemoved.length} removed${report.restartNeeded.length > 0 ? `; needs a restart: ${report.restartNeeded.join(', ')}` : ''}`);
        return report;
      },
      stats,
      describe,
      ...clientAdmin,
      publish: (name, data, endpointPath) => publish(name, data, endpointPath),
      dashboard: config.dashboard.enabled,
      maxLiveConnections: config.dashboard.maxLiveConnections,
      snapshot: () => ({ at: clock.now(), server: describe(), stats: stats(), clients: clientAdmin.clients(), streams: streamAdmin.streams() }),
      now: () => clock.now(),
      requestId: () => createRequestId(clock, idRandom),
      metrics: () => metrics.scrape(),
      guard: (request) => guardAdminRequest(request, { host: config.host, origins: config.cors.origins }),
      refuse: (request) => {
        if (!originAllowed(request.headers.origin, config.cors.origins)) return new MockwaveError('MW_FORBIDDEN_ORIGIN', `Origin ${request.headers.origin ?? ''} is not allowed`);
        if (config.auth.enabled && !authorized(request, adminTokens, { query: true, protocol: false })) {
          return new MockwaveError('MW_UNAUTHORIZED', 'The admin API needs a valid token: Authorization: Bearer <token>');
        }
        return undefined;
      },
      cors: (request): Record<string, string> => {
        const origin = corsOrigin(request.headers.origin, config.cors.origins);
        if (origin === undefined) return {};
        return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Headers': 'Authorization, Content-Type', Vary: 'Origin' };
      },
    }),
    onPeerError: (peer, error) => {
      const code = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'MW_PAYLOAD_TOO_LARGE' : (error.code ?? 'error');
      logger.warn(`Client ${peer.id}: ${error.message} [${code}]`, { clientId: peer.id, endpoint: peer.endpoint, code });
    },
  });

  const publish = (name: string, data: unknown, endpointPath: string | undefined): number => {
    if (state !== 'running') throw new MockwaveError('MW_NOT_RUNNING', `publish() needs a running server (the server is ${state})`);
    const { endpoint, stream } = findStream(name, endpointPath);
    return endpoint.publish(stream, data);
  };

  const findStream = (name: string, endpointPath: string | undefined): { endpoint: Endpoint; stream: Stream } => {
    const candidates = endpoints.filter((e) => (endpointPath === undefined || e.endpoint === endpointPath) && e.streams.has(name));
    if (candidates.length === 0) {
      const where = endpointPath === undefined ? '' : ` on endpoint ${endpointPath}`;
      throw new MockwaveError('MW_UNKNOWN_STREAM', `Unknown stream: ${name}${where}`);
    }
    if (candidates.length > 1) {
      throw new MockwaveError('MW_AMBIGUOUS_STREAM', `Stream ${name} exists on several endpoints (${candidates.map((c) => c.endpoint).join(', ')}): say which endpoint`);
    }
    const endpoint = candidates[0] as Endpoint;
    return { endpoint, stream: endpoint.streams.get(name) as Stream };
  };

  return {
    config,
    logger,
    async start() {
      if (state !== 'new') throw new MockwaveError('MW_ALREADY_STARTED', `start() called on a server that is ${state}`);
      state = 'starting';
      let address;
      try {
        address = await transport.listen();
      } catch (error) {
        state = 'stopped';
        throw error;
      }
      startedAt = clock.now();
      for (const endpoint of endpoints) endpoint.start();
      state = 'running';
      const url = `${tls === undefined ? 'http' : 'https'}://${urlHost(config.host, address.host)}:${address.port}`;
      started = { url, host: address.host, port: address.port, endpoints: endpointInfos(url), dashboard: config.dashboard.enabled ? `${url}/` : undefined };
      return started;
    },
    async stop() {
      if (state === 'stopping' || state === 'stopped' || state === 'new') {
        state = state === 'new' ? 'stopped' : state;
        return;
      }
      state = 'stopping';
      for (const endpoint of endpoints) endpoint.stop();
      await transport.close(ERROR_CATALOG.MW_SHUTTING_DOWN.closeCode, 'Server shutting down', options.shutdownGraceMs ?? 3000);
      await Promise.all([...recordings].map((r) => r.end()));
      state = 'stopped';
    },
    publish: (name, data, publishOptions = {}) => publish(name, data, publishOptions.endpoint),
    clients: () => clientAdmin.clients(),
    stats,
  };
}
