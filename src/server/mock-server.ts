/**
 * The library API and the server's lifecycle: validate the configuration, build what it describes, wire
 * the collaborators (registry, handshake gate, refusals, admin view) to one transport, listen, and stop
 * gracefully. The CLI and the tests use exactly this.
 */
import { resolve } from 'node:path';
import { createMetrics } from '../admin/metrics.ts';
import { createAdminHandler, type WebSocketStats } from '../admin/router.ts';
import { type MockwaveConfig, type MockwaveConfigInput } from '../config/schema.ts';
import { validateConfig } from '../config/validate.ts';
import { closeCodeOf, MockwaveError } from '../errors/catalog.ts';
import { metaAt, type Meta } from '../errors/refusal.ts';
import { MemoryHub } from '../hub/memory-hub.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import type { ProxyRouter } from '../proxy/router.ts';
import { RecordingBudgets } from '../recording/recording-file.ts';
import { createRedactor, type Redactor } from '../security/redact.ts';
import { createTemplateServices } from '../templates/index.ts';
import { Transport, type ListenAddress } from '../transport/transport.ts';
import { Pressure } from '../transport/pressure.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { createClientId, createRequestId } from '../util/ids.ts';
import { createRandom } from '../util/random.ts';
import { VERSION } from '../version.ts';
import { createAdminView } from './admin-view.ts';
import { buildServer } from './build.ts';
import { createClientAdmin, liveJournalOf, type ClientInfo } from './client-admin.ts';
import { createHandshakeGate } from './gate.ts';
import { createRefusals } from './refusals.ts';
import { EndpointRegistry, type EndpointInfo } from './registry.ts';
import { applyReload } from './reload.ts';
import { createStreamAdmin } from './stream-admin.ts';
import { createHttpAdmin, createHttpSide, dispatchRequests, httpReload } from './http-side.ts';
import { createJournalAdmin } from './journal-admin.ts';
import { exportQuerySchema } from './journal-export.ts';
import { Journal } from '../journal/index.ts';
import { createJournalLibrary } from './journal-library.ts';
import { callerOf, MemoryStateStore, Positions, testScope } from '../state/index.ts';
import { keepStateInFile } from './state-file.ts';
import { httpRateLimit } from '../http/rate-limit.ts';
import { seededPart } from '../endpoint/seeded.ts';
import { SseSide } from '../sse/side.ts';
import type { Endpoint } from '../endpoint/endpoint.ts';
import { explainRoute, type HttpRoutes } from '../http/index.ts';
import { ADMIN_SOURCE, RELOAD_SOURCE } from '../util/source.ts';
import type { MockServer, StartInfo } from './api.ts';
import { createFaultAdmin } from './fault-admin.ts';
import { HeldBudget } from '../faults/index.ts';

export type { ClientInfo, EndpointInfo };

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
  /** The configuration's folder: HTTP routes' `file` bodies are read under it (default: the working directory). */
  readonly baseDir?: string;
}

export type { MockServer, StartInfo } from './api.ts';

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What start() resolves with: the bound URLs and what is served there. */
function startInfo(parts: { config: MockwaveConfig; address: ListenAddress; secure: boolean; registry: EndpointRegistry; proxy: ProxyRouter | undefined; redact: Redactor }): StartInfo {
  const { config, address, registry, proxy, redact } = parts;
  const url = `${parts.secure ? 'https' : 'http'}://${urlHost(config.host, address.host)}:${address.port}`;
  const wsBase = url.replace(/^http/, 'ws');
  return {
    url,
    host: address.host,
    port: address.port,
    endpoints: registry.describe(url),
    dashboard: config.dashboard.enabled ? `${url}/` : undefined,
    websocket: config.websocket.enabled,
    proxy: proxy === undefined ? undefined : config.proxy.routes.map((r) => ({ route: r.name, url: `${wsBase}${proxy.path}/${r.name}`, upstream: redact.url(r.url) })),
    http: { routes: config.http.routes.map((r) => `${r.name === undefined ? '' : `${r.name}: `}${explainRoute(r)}`), fallback: config.http.fallback === undefined ? undefined : redact.url(config.http.fallback) },
  };
}

/** The figures the admin API, the dashboard and the library's stats() show. */
function statsOf(parts: { config: MockwaveConfig; transport: Transport; proxy: ProxyRouter | undefined; endpoints: readonly Endpoint[]; http: HttpRoutes; sse: SseSide; budgets: RecordingBudgets }, uptimeMs: number): WebSocketStats {
  const { config, transport, proxy } = parts;
  const recordings = parts.budgets.figures();
  return {
    enabled: config.websocket.enabled,
    connectedClients: transport.peers.size,
    sseClients: parts.sse.peers.size,
    proxyConnections: proxy?.activeConnections ?? 0,
    queuedBytes: transport.queuedBytes,
    uptimeMs,
    endpoints: parts.endpoints.map((e) => e.figures()),
    ...(proxy === undefined ? {} : { proxyRoutes: proxy.stats() }),
    http: parts.http.figures(),
    ...(recordings.length === 0 ? {} : { recordings }),
  };
}

function urlHost(host: string | undefined, bound: string): string {
  const name = host === undefined || host === '::' || host === '0.0.0.0' ? 'localhost' : host;
  if (name !== 'localhost' && bound.includes(':') && !name.startsWith('[')) return `[${name}]`;
  return name;
}

// eslint-disable-next-line max-lines-per-function -- the composition root: it wires every part in one place, in the order they depend on each other; split up, the wiring would be spread over files that each hold a piece of it.
export function createMockServer(input: MockwaveConfigInput | MockwaveConfig = {}, options: MockServerOptions = {}): MockServer {
  const config = validateConfig(input);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.log.level, format: config.log.format });
  const seed = options.seed ?? config.seed;
  const random = createRandom(seed);
  // Unseeded runs still derive each stream's sequence from one run seed, drawn here.
  const runSeed = seed ?? Math.floor(Math.random() * 2 ** 32);
  const idRandom = createRandom();
  const requestId = (): string => createRequestId(clock, idRandom);
  const meta = (): Meta => metaAt(clock.now(), requestId());
  let activeConfig = config;
  let state: State = 'new';
  let startedAt = clock.now();
  let started: StartInfo | undefined;

  const redact = createRedactor(config.redact);
  const journal = config.journal.enabled ? new Journal(config.journal, () => clock.now()) : undefined;
  const journalAdmin = createJournalAdmin(journal, redact, clock);
  const journalLibrary = createJournalLibrary(journalAdmin);
  const routeState = new Positions();
  const { file: stateFileName, caller: callerSpec, ...stateBounds } = config.stateStore;
  const stateStore = new MemoryStateStore(stateBounds);
  // A cookie carries a session, so its value is never a scope's name (shown by the admin API, the journal and the
  // dashboard, written to the state file); a header's is, unless the header is named as secrets are.
  const caller = callerOf(callerSpec, { hidden: callerSpec !== undefined && (callerSpec.startsWith('cookie:') || redact.isSecret(callerSpec.slice('header:'.length))) });
  // Every change of the state is journaled (protocol `state`), so a test reads what its calls changed beside the traffic.
  if (journal !== undefined) stateStore.onChange((event) => journal.state(event.scope, event.kind, event.change, event.source, event.within));
  const stateFile = stateFileName === undefined ? undefined : keepStateInFile(stateStore, resolve(options.baseDir ?? process.cwd(), stateFileName), { maxBytes: stateBounds.maxBytes, logger });
  const templates = createTemplateServices(clock, random, seed);
  const budgets = new RecordingBudgets((full) => logger.warn(`Recording stops in ${full.folder}: it reached its cap of ${full.maxBytes} bytes written by this run (http.recordMaxBytes, proxy.recordMaxBytes); nothing more is recorded there`, { folder: full.folder, maxBytes: full.maxBytes }));
  const { endpoints, proxy, tls, recordings } = buildServer(config, {
    clock,
    random,
    logger,
    logTraffic: config.log.traffic,
    rateLimit: config.websocket.rateLimit,
    maxSubscriptions: config.websocket.maxSubscriptions,
    maxBufferedBytes: config.websocket.maxBufferedBytes,
    faultBudget: new HeldBudget(config.websocket.maxQueuedBytes),
    totalClients: () => transport.peers.size,
    serverStats: () => ({ clients: transport.peers.size, startedAt }),
    seed: runSeed,
    templates,
    // Each endpoint's hub and the state live in this process; a broker and a shared store would be supplied here.
    createHub: () => new MemoryHub(),
    journal,
    state: stateStore,
    caller,
  }, redact, budgets);
  // One guard on queued bytes for every client, WebSocket or SSE.
  const pressure = new Pressure(config.websocket.maxQueuedBytes);
  // Every door in the HTTP side's recent list (the dashboard's request list while the journal is off).
  const door = (protocol: 'websocket' | 'sse') => (path: string, status: number, client?: string): void => http.recent.connect(protocol, clock.now(), path, status, client);
  const upgrades = door('websocket');
  const sse = new SseSide({ config, clock, logger, createId: () => createClientId(clock, idRandom), pressure, meta, journal, connected: door('sse') });
  const registry = new EndpointRegistry(endpoints, () => [...transport.peers, ...sse.peers]);
  const metrics = createMetrics({ endpoints: () => endpoints.map((e) => e.figures()), proxyConnections: () => proxy?.activeConnections ?? 0, recordings: () => budgets.figures(), state: () => stateStore.figures() });
  const streams = createStreamAdmin(registry, () => state === 'running');
  const clients = createClientAdmin(registry, redact);
  const http = createHttpSide({ config, clock, logger, ...seededPart({ seed: runSeed, templates }, 'http routes'), registry, clients, metrics, baseDir: options.baseDir ?? process.cwd(), redact, recordings, budgets, meta, journal, positions: routeState, state: stateStore, caller });
  const stats = (): WebSocketStats => statsOf({ config, transport, proxy, endpoints, http, sse, budgets }, state === 'running' ? clock.now() - startedAt : 0);
  const publish = (name: string, data: unknown, endpointPath: string | undefined): number => {
    if (state !== 'running') throw new MockwaveError('MW_NOT_RUNNING', `publish() needs a running server (the server is ${state})`);
    const { endpoint, stream } = registry.holding(name, endpointPath, 'say which endpoint ({ endpoint })');
    return endpoint.publish(stream, data, ADMIN_SOURCE);
  };
  const reread = options.reload;
  const reload = reread === undefined ? undefined : (resetState: boolean): unknown => {
    const next = reread();
    const report = applyReload(activeConfig, next, { endpoints, ...httpReload(http, registry) }, state === 'running');
    activeConfig = next;
    // Only once the new configuration is in: a reload that is refused changes nothing, the state included.
    if (resetState) stateStore.reset(undefined, RELOAD_SOURCE);
    logger.info(`Configuration reloaded: ${report.streamsAdded.length} stream(s) added, ${report.streamsChanged.length} changed, ${report.streamsRemoved.length} removed; ${report.httpRoutes} HTTP route(s)${report.restartNeeded.length > 0 ? `; needs a restart: ${report.restartNeeded.join(', ')}` : ''}`);
    return report;
  };
  const refused = createRefusals({ logger, now: () => clock.now(), requestId, count: (code) => metrics.rejected(code), maskUrl: (url) => redact.url(url), journal, upgradeRefused: upgrades });
  const limited = config.http.rateLimit === undefined ? undefined : httpRateLimit(config.http.rateLimit, { now: () => clock.now(), refused, cors: config.cors });
  const transport: Transport = new Transport({
    port: config.port,
    host: config.host,
    tls,
    maxPayload: config.websocket.maxPayload,
    heartbeatInterval: config.websocket.heartbeatInterval,
    handshakeTimeout: config.websocket.handshakeTimeout,
    maxBufferedBytes: config.websocket.maxBufferedBytes,
    pressure,
    slowClientGrace: config.websocket.slowClientGrace,
    clock,
    createId: () => createClientId(clock, idRandom),
    route: createHandshakeGate({ config, registry, proxy, logger, clients: () => transport.peers.size, upgraded: (path, client) => upgrades(path, 101, client) }),
    refused,
    handleRequest: dispatchRequests(createAdminHandler(createAdminView({
      config, streams, faults: createFaultAdmin(registry), clients, metrics, stats, publish, reload, requestId, journal: journalAdmin, liveJournal: liveJournalOf(journal, registry), redact, state: stateStore, http: createHttpAdmin(http, { config, registry, baseDir: options.baseDir ?? process.cwd() }),
      describe: () => ({ name: 'mockwave', version: VERSION, uptimeMs: clock.now() - startedAt, endpoints: registry.describe(started?.url) }),
      now: () => clock.now(),
    })), { routes: http, config, registry, sse, logger, limited, meta }),
    onPeerError: (peer, error) => {
      const code = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'MW_PAYLOAD_TOO_LARGE' : (error.code ?? 'error');
      logger.warn(`Client ${peer.id}: ${error.message} [${code}]`, { clientId: peer.id, endpoint: peer.endpoint, code });
    },
  });

  return {
    get config() {
      return activeConfig;
    },
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
      started = startInfo({ config, address, secure: tls !== undefined, registry, proxy, redact });
      return started;
    },
    async stop() {
      if (state === 'stopping' || state === 'stopped' || state === 'new') {
        state = state === 'new' ? 'stopped' : state;
        return;
      }
      state = 'stopping';
      for (const endpoint of endpoints) endpoint.stop();
      sse.closeAll();
      await transport.close(closeCodeOf('MW_SHUTTING_DOWN'), 'Server shutting down', options.shutdownGraceMs ?? 3000);
      await Promise.all([...[...recordings].map((r) => r.end()), stateFile?.flush()]);
      state = 'stopped';
    },
    publish: (name, data, publishOptions = {}) => publish(name, data, publishOptions.endpoint),
    clients: () => clients.clients(),
    state: stateStore,
    stats,
    journal: (query = {}) => journalAdmin.journal(journalAdmin.query(query, 'journal()')),
    clearJournal: (clearing = {}) => journalAdmin.clearJournal(clearing.scope),
    saveJournal: async (dir, saving = {}) => journalAdmin.saveJournal(dir, journalAdmin.parse(exportQuerySchema, saving, 'saveJournal')),
    verify: (match, verifyOptions) => journalLibrary.verify(match, verifyOptions),
    waitFor: (match, waitOptions) => journalLibrary.waitFor(match, waitOptions),
    waitForClient: (waitOptions) => journalLibrary.waitForClient(waitOptions),
    reset: (resetting = {}) => {
      if (resetting.scope === undefined) routeState.reset();
      // The state first: its reset is journaled, and the journal's clearing then takes that entry too.
      stateStore.reset(resetting.scope === undefined ? undefined : testScope(resetting.scope), ADMIN_SOURCE);
      if (journal !== undefined) journal.clear(resetting.scope);
    },
  };
}
