/**
 * The REST side of the server, beside the WebSocket one: the HTTP routes with what their steps may reach
 * (WebSocket streams and clients through the registry, the run's seeded randomness, the state store), and
 * the one request handler of the port: mockwave's own paths (src/util/own-paths.ts: admin API, /metrics, the
 * dashboard) first, then the routes, the fallback, or a 404 naming the closest routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../admin/metrics.ts';
import type { MockwaveConfig } from '../config/schema.ts';
import { configError } from '../config/validate.ts';
import { errorMessage } from '../errors/error-message.ts';
import { answerFault, HttpRoutes, httpRouteSchema, loadCollections, reservedPathProblem, routeName, type Collection, type DisconnectTarget, type HttpRouteConfig } from '../http/index.ts';
import { MockwaveError } from '../errors/catalog.ts';
import type { Meta } from '../errors/refusal.ts';
import { formatIssues, issueMessage } from '../errors/schema-issues.ts';
import type { Logger } from '../log/logger.ts';
import { corsGrant, type CorsSide } from '../security/cors.ts';
import { tokenMatches } from '../security/tokens.ts';
import type { Positions } from '../state/positions.ts';
import type { StateStore } from '../state/store.ts';
import type { CallerOf } from '../state/caller.ts';
import type { TemplateServices } from '../templates/index.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { Deadlines } from '../util/deadlines.ts';
import type { Random } from '../util/random.ts';
import type { createClientAdmin } from './client-admin.ts';
import type { Endpoint } from '../endpoint/endpoint.ts';
import type { Peer } from '../hub/peer.ts';
import type { EndpointRegistry } from './registry.ts';
import type { ReloadTargets } from './reload.ts';
import type { Flushable } from './build.ts';
import { HttpRecorder, type ForwardedExchange } from '../recording/http-recorder.ts';
import type { RecordingBudgets } from '../recording/recording-file.ts';
import type { Redactor } from '../security/redact.ts';
import { runtimeRoutePolicy } from './runtime-routes.ts';
import type { SseSide } from '../sse/side.ts';
import type { RequestTarget } from '../util/request-target.ts';
import { ownPathAt } from '../util/own-paths.ts';
import type { Journal } from '../journal/index.ts';

export interface HttpSideContext {
  readonly config: MockwaveConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: Random;
  readonly templates: TemplateServices;
  readonly registry: EndpointRegistry;
  readonly clients: ReturnType<typeof createClientAdmin>;
  readonly metrics: Metrics;
  /** The configuration's folder: `file` bodies are read under it. */
  readonly baseDir: string;
  readonly redact: Redactor;
  /** Where the HTTP recording registers itself, so stopping waits for it. */
  readonly recordings: Set<Flushable>;
  /** The recording folders' byte budgets, shared with the proxy's recordings. */
  readonly budgets: RecordingBudgets;
  /** The metadata of an error answer given now (timestamp, requestId). */
  readonly meta: () => Meta;
  /** The traffic journal; undefined when it is off. */
  readonly journal: Journal | undefined;
  /** The sequence positions of the routes' steps, which `reset()` clears. */
  readonly positions: Positions;
  /** The state routes read and write. */
  readonly state: StateStore;
  /** Who a request's caller is, for state (`stateStore.caller`). */
  readonly caller: CallerOf;
}

/** The stream a publish target names, on its endpoint; throws (MW_UNKNOWN_STREAM, …) when it is not there. */
const holding = (registry: EndpointRegistry, target: { readonly stream: string; readonly endpoint?: string | undefined }) => registry.holding(target.stream, target.endpoint, 'say which endpoint ({ stream, endpoint })');

/** Checks that what a step or a collection names is there: what `find` throws is a problem at `where`. */
function findIn(problems: string[], where: string, find: () => unknown): void {
  try {
    find();
  } catch (error) {
    problems.push(`${where}: ${errorMessage(error)}`);
  }
}

/** Looks up a publish target: the stream on its endpoint, or, without a stream, the endpoint. */
function findTarget(registry: EndpointRegistry, target: { readonly stream?: string | undefined; readonly endpoint?: string | undefined }): void {
  if (target.stream !== undefined) holding(registry, { stream: target.stream, endpoint: target.endpoint });
  else if (target.endpoint !== undefined) registry.endpoint(target.endpoint);
}

/** Every publish step's stream and disconnect step's endpoint must exist: a route that could only fail is a configuration error. */
function publishProblems(routes: readonly HttpRouteConfig[], registry: EndpointRegistry): string[] {
  const problems: string[] = [];
  const check = (steps: readonly unknown[], where: string): void =>
    steps.forEach((step, i) => {
      const s = step as { publish?: { stream?: string; endpoint?: string }; disconnect?: { endpoint?: string }; sequence?: { steps: unknown[][] } };
      const { publish, disconnect } = s;
      if (publish !== undefined) findIn(problems, `${where}.then[${i}].publish`, () => findTarget(registry, publish));
      if (disconnect?.endpoint !== undefined) findIn(problems, `${where}.then[${i}].disconnect`, () => registry.endpoint(disconnect.endpoint as string));
      s.sequence?.steps.forEach((list, j) => check(list, `${where}.then[${i}].sequence.steps[${j}]`));
    });
  routes.forEach((route, index) => check(route.then, `http.routes[${index}] (${routeName(route)})`));
  return problems;
}

/** Every collection's publish targets must exist, as a publish step's must. */
function collectionProblems(collections: ReadonlyMap<string, Collection>, registry: EndpointRegistry): string[] {
  const problems: string[] = [];
  for (const { name, publish } of collections.values()) publish.forEach((target, i) => findIn(problems, `http.collections.${name}.publish[${i}]`, () => findTarget(registry, target)));
  return problems;
}

/** Only the connections of `caller` on `endpoint` (everyone when there is no caller). */
const callersOnly = (endpoint: Endpoint, caller: string | undefined) => (caller === undefined ? undefined : (peer: Peer) => endpoint.callerOf(peer) === caller);

/** Closes the clients of an endpoint (of every one), only those whose connection carried `caller` when given. */
function disconnect(registry: EndpointRegistry, target: DisconnectTarget, caller: string | undefined): number {
  const endpoints = target.endpoint === undefined ? registry.all : [registry.endpoint(target.endpoint)];
  let closed = 0;
  for (const peer of registry.peers()) {
    const endpoint = endpoints.find((e) => e.endpoint === peer.endpoint);
    if (endpoint === undefined || peer.closed || (caller !== undefined && endpoint.callerOf(peer) !== caller)) continue;
    peer.close(target.code, target.reason);
    closed++;
  }
  return closed;
}

/** Resolves after `ms` on the clock, or with false as soon as the client goes away. */
function waitFor(clock: Clock, response: ServerResponse, ms: number): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const gone = (): void => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      response.off('close', gone);
      resolve(!response.destroyed);
    }, ms);
    response.once('close', gone);
  });
}

export function createHttpSide(context: HttpSideContext): HttpRoutes {
  const { config, clock, registry, clients } = context;
  const collections = loadCollections(config.http.collections, { dir: context.baseDir, label: 'the configuration\'s folder', hideEnv: false }, config.stateStore.maxScopeBytes);
  const problems = [...publishProblems(config.http.routes, registry), ...collectionProblems(collections, registry)];
  if (problems.length > 0) throw configError(problems);
  // One file per run, made when the first exchange ends (a run that forwards nothing leaves no empty file),
  // timed from that exchange's start, so a stream that was open a long while does not start before the file.
  let recorder: HttpRecorder | undefined;
  const dir = config.http.record;
  const budget = dir === undefined ? undefined : context.budgets.folder(dir, config.http.recordMaxBytes);
  let failed = false;
  const record = dir === undefined || budget === undefined ? undefined : (exchange: ForwardedExchange): void => {
    if (failed) return;
    try {
      if (recorder === undefined) {
        // A folder already full gets no new file (not even an empty one); the exchange is counted as left out.
        if (!budget.admits()) return;
        recorder = new HttpRecorder(dir, exchange.started, {
          redact: context.redact,
          maxBodyBytes: config.http.recordMaxBodyBytes,
          budget,
          onError: (error) => context.logger.error(`Cannot write the HTTP recording: ${errorMessage(error)}; the rest of the run is not recorded`),
          onBehind: (waiting) => context.logger.warn(`The HTTP recording is behind its traffic (${Math.round(waiting / 1048576)} MiB of bodies waiting to be written): exchanges are left out until it catches up; /metrics and the admin API count them`),
        });
        context.recordings.add(recorder);
        context.logger.info(`Recording HTTP exchanges to ${recorder.path}`);
      }
      recorder.exchange(exchange);
    } catch (error) {
      // The recording is lost, not the server: this runs in the forwarded answer's end handler.
      failed = true;
      context.logger.error(`Cannot record HTTP exchanges in ${dir}: ${errorMessage(error)}; the rest of the run is not recorded`);
    }
  };
  return new HttpRoutes(
    config.http.routes,
    {
      templates: context.templates,
      random: context.random,
      positions: context.positions,
      state: context.state,
      caller: context.caller,
      collections,
      disconnect: (target, caller) => disconnect(registry, target, caller),
      baseDir: context.baseDir,
      forwarding: { consumed: (token) => config.auth.enabled && tokenMatches(token, config.auth.tokens), timeoutMs: config.http.forwardTimeout, record, recordMaxBytes: config.http.recordMaxBodyBytes, now: () => clock.now() },
      wait: (response, ms) => waitFor(clock, response, ms),
      publish: (target, source, caller) => {
        if (target.stream === undefined) return clients.sendTo({ endpoint: target.endpoint }, target.data, source, callersOnly(registry.endpoint(target.endpoint), caller));
        const { endpoint, stream } = holding(registry, target);
        return endpoint.publish(stream, target.data, source, callersOnly(endpoint, caller));
      },
    },
    {
      fallback: config.http.fallback,
      // Real time by design: a body arrives in real time, whatever clock the mock runs on.
      limits: { maxBytes: config.http.maxBodyBytes, deadlines: new Deadlines(systemClock, config.http.bodyTimeout) },
      cors: config.cors,
      logger: context.logger,
      now: () => clock.now(),
      meta: context.meta,
      count: (route, status) => context.metrics.httpRequest(route, status),
      journal: context.journal,
    },
  );
}

/**
 * The admin API's view of the routes: list, add, change, remove; definitions validated as in a config file,
 * then held to what a route added at run time may reach (`runtime-routes.ts`).
 */
export function createHttpAdmin(routes: HttpRoutes, context: Pick<HttpSideContext, 'config' | 'registry' | 'baseDir'>) {
  const policy = runtimeRoutePolicy(context.config, context.baseDir);
  const parse = (definition: unknown, name?: string): HttpRouteConfig => {
    const result = httpRouteSchema.safeParse(name === undefined ? definition : { name, ...(definition as object) }, { error: issueMessage });
    const problems = result.success ? [] : formatIssues(result.error.issues);
    const path = (definition as { path?: unknown } | null)?.path;
    const reserved = typeof path === 'string' ? reservedPathProblem(path, context.config.dashboard.enabled) : undefined;
    if (reserved !== undefined) problems.push(`path: ${reserved}`);
    if (result.success) problems.push(...publishProblems([result.data], context.registry));
    if (!result.success || problems.length > 0) throw new MockwaveError('MW_BAD_REQUEST', `Invalid HTTP route: ${problems.join('; ')}`, { details: problems });
    const refused = policy.problems(result.data);
    if (refused.length > 0) throw new MockwaveError('MW_HTTP_ROUTE_NOT_ALLOWED', `HTTP route not allowed at run time: ${refused.join('; ')}`, { details: refused });
    return result.data;
  };
  return {
    httpRoutes: () => ({ ...routes.figures(), definitions: routes.definitions() }),
    putHttpRoute(definition: unknown, mode: 'create' | 'replace', name?: string): unknown {
      const route = parse(definition, mode === 'replace' ? name : undefined);
      if (mode === 'create') routes.add(route, policy.files);
      else routes.replace(name ?? routeName(route), route, policy.files);
      return { name: routeName(route), route };
    },
    removeHttpRoute: (name: string): void => routes.remove(name),
  };
}

export type HttpAdmin = ReturnType<typeof createHttpAdmin>;

/** What a configuration reload needs of the HTTP side: check new routes first, then swap them in. */
export function httpReload(routes: HttpRoutes, registry: EndpointRegistry): Pick<ReloadTargets, 'checkHttpRoutes' | 'replaceHttpRoutes'> {
  return {
    checkHttpRoutes(configs) {
      const problems = publishProblems(configs, registry);
      if (problems.length > 0) throw configError(problems);
      routes.check(configs);
    },
    replaceHttpRoutes: (configs) => routes.replaceAll(configs),
  };
}

/** What the port's request handler is given besides the admin handler. */
export interface DispatchParts {
  readonly routes: HttpRoutes;
  readonly config: MockwaveConfig;
  readonly registry: EndpointRegistry;
  readonly sse: SseSide;
  readonly logger: Logger;
  /** `http.rateLimit`: true when the request was over it and has been answered 429. */
  readonly limited?: ((request: IncomingMessage, response: ServerResponse) => boolean) | undefined;
  /** The metadata of an error answer given now (timestamp, requestId). */
  readonly meta: () => Meta;
}

/**
 * The port's request handler: mockwave's own paths go to the admin handler; a Server-Sent Events endpoint's
 * path to its endpoint; `/` to the admin handler while the dashboard is on (or neither a route nor the
 * fallback claims it); everything else to the HTTP routes when there are any (or a fallback), else to the
 * admin handler (which answers 404 for what it does not know).
 */
export function dispatchRequests(admin: (request: IncomingMessage, response: ServerResponse, target: RequestTarget) => void, parts: DispatchParts): (request: IncomingMessage, response: ServerResponse, target: RequestTarget) => void {
  const { routes, config, registry, sse, logger, limited } = parts;
  const hasSse = config.endpoints.some((e) => e.protocol === 'sse');
  // A fault in answering one request ends that request, never the server (an uncaught throw in a request
  // handler, or an unhandled rejection, would end the process).
  const fault = (request: IncomingMessage, response: ServerResponse, side: CorsSide, error: unknown): void =>
    answerFault(logger, response, { meta: parts.meta(), cors: corsGrant(request.headers.origin, config.cors, side) }, error);
  return (request, response, target) => {
    // Read once by the transport, for routing and for whoever answers.
    const path = target.path;
    const own = ownPathAt(path, config.dashboard.enabled) !== undefined;
    // A Server-Sent Events endpoint configured at / is served there, before the dashboard.
    const streaming = hasSse && ownPathAt(path, false) === undefined ? registry.match(path) : undefined;
    const fallback = config.http.fallback !== undefined;
    const toRoutes = (routes.size > 0 || fallback) && !own && !(path === '/' && !routes.claims(path) && !fallback);
    // The mock's side (SSE connects, routes, the fallback) or mockwave's own (the admin handler).
    const side: CorsSide = streaming?.config.protocol === 'sse' || toRoutes ? 'mock' : 'admin';
    try {
      // http.rateLimit: what clients of the mock send, never the admin API.
      if (side === 'mock' && limited?.(request, response) === true) return;
      if (streaming?.config.protocol === 'sse') sse.handle(request, response, streaming, target.url);
      else if (toRoutes) routes.handle(request, response, target);
      else admin(request, response, target);
    } catch (error) {
      fault(request, response, side, error);
    }
  };
}
