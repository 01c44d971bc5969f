/**
 * The HTTP routes of a server: which route answers a request (the most specific path first, then the
 * first whose method and `when` match), what happens when none does (the fallback API, 405 with Allow, or
 * 404 naming the closest routes), CORS for browsers on another port (src/security/cors.ts), and each route's
 * figures. Routes are added, replaced and removed at run time through the admin API; the table stays ordered
 * by specificity.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import { refusal, refusalOf, type Meta, type Refusal } from '../errors/refusal.ts';
import type { Logger } from '../log/logger.ts';
import { LineLimiter } from '../log/line-limiter.ts';
import { answerPreflight, applyCors, corsGrant, exposeWrittenHeaders, isPreflight, type CorsGrant, type CorsPolicy } from '../security/cors.ts';
import { answerRefusal } from '../security/refusal-answer.ts';
import { answerFault } from './fault.ts';
import { bySpecificity } from '../util/path-pattern.ts';
import { allows, chooseRoute, compileRoute, likeness, routeName, type CompiledRoute, type OnPath } from './compiled-route.ts';
import type { FileScope } from './files.ts';
import { forward } from './forward.ts';
import { bodyPending, closeAfterAnswer, NO_BODY, readBody, skipBody, type BodyLimits, type BodyRead } from './body.ts';
import { RequestView, templateRequest, type HttpRequestView } from './request.ts';
import { HTTP_METHODS, type HttpRouteConfig } from './schema.ts';
import { answerRequest, httpStateScopes, type HttpHost } from './steps.ts';
import { withState } from '../steps/index.ts';
import type { SentAnswer } from './respond.ts';
import type { RunResult } from '../steps/index.ts';
import type { RequestTarget } from '../util/request-target.ts';
import { hasBody } from '../util/request-body.ts';
import type { HttpFigures, HttpRequestRecord } from './figures.ts';
import { RecentRequests } from './recent.ts';
import { scopeOf, type Journal } from '../journal/index.ts';

export interface HttpRoutesOptions {
  readonly fallback: string | undefined;
  readonly limits: BodyLimits;
  /** `cors`: which browser origins may read the answers, and with cookies (src/security/cors.ts). */
  readonly cors: CorsPolicy;
  readonly logger: Logger;
  readonly now: () => number;
  /** The metadata of an error answer given now (timestamp, requestId). */
  readonly meta: () => Meta;
  /** Counts one answered request (for /metrics). */
  count(route: string, status: number): void;
  /** The traffic journal, which keeps every answered request but those of routes with `journal: false`. */
  readonly journal?: Journal | undefined;
}


/** One request being routed: what every step of answering it reads (one small object per request). */
interface Asked {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly target: RequestTarget;
  readonly started: number;
  readonly cors: CorsGrant;
  /** The routes whose path matches, most specific first. */
  readonly onPath: readonly OnPath[];
  /** The request's body once read (for the journal). */
  body: Buffer;
  /** The answering step's head and body, noted when the journal keeps this request. */
  sent: SentAnswer | undefined;
}

/** A refusal of the request itself (a path that may not be forwarded), not a failure of the route or the real API. */
const clientFault = (error: unknown): boolean => error instanceof MockwaveError && error.code === 'MW_INVALID_PATH';

export class HttpRoutes {
  #routes: CompiledRoute[] = [];
  readonly #host: HttpHost;
  readonly #options: HttpRoutesOptions;
  /** The last requests answered; the server adds WebSocket upgrades and Server-Sent Events connects. */
  readonly recent = new RecentRequests();
  readonly #failureLines = new LineLimiter<string>(10_000, { maxKeys: 1000 });
  #requests = 0;

  constructor(configs: readonly HttpRouteConfig[], host: HttpHost, options: HttpRoutesOptions) {
    this.#host = host;
    this.#options = options;
    // Compiled, then sorted once: inserting one by one sorts the table per route (a recording's thousands of
    // routes took tens of seconds). The sort is stable, so routes of equal rank keep their written order.
    this.#routes = configs.map((config, index) => this.#compile(config, undefined, `http.routes[${index}]`)).sort((a, b) => bySpecificity(a.pattern, b.pattern));
  }

  get size(): number {
    return this.#routes.length;
  }

  /** Whether some route's path matches (whatever its method and conditions). */
  claims(path: string): boolean {
    return this.#routes.some((r) => r.pattern.match(path) !== undefined);
  }

  /** Every route with its figures, most specific first; the last requests answered, newest first. */
  figures(): HttpFigures {
    const routes = this.#routes.map((r) => ({ name: r.name, explain: r.explain, methods: r.methods === undefined ? ['ANY'] : [...r.methods], path: r.config.path, hits: r.hits, failures: r.failures, last: r.last }));
    return { requests: this.#requests, routes, recent: this.recent.newestFirst() };
  }

  definitions(): HttpRouteConfig[] {
    return this.#routes.map((r) => r.config);
  }

  /** Compiles routes without using them: throws what building them would (a file outside the folder). */
  check(configs: readonly HttpRouteConfig[]): void {
    void new HttpRoutes(configs, this.#host, this.#options);
  }

  /** Replaces every route at once (a configuration reload): all are compiled before any is swapped in. */
  replaceAll(configs: readonly HttpRouteConfig[]): void {
    this.#routes = new HttpRoutes(configs, this.#host, this.#options).#routes;
  }

  /** A route added at run time; `files`: where its `file` steps may read (not the configuration's folder). */
  add(config: HttpRouteConfig, files: FileScope): void {
    const name = routeName(config);
    if (this.#routes.some((r) => r.name === name)) throw new MockwaveError('MW_HTTP_ROUTE_EXISTS', `An HTTP route named "${name}" exists: use PUT /admin/http/routes/${encodeURIComponent(name)} to change it`);
    this.#insert(config, files);
  }

  replace(name: string, config: HttpRouteConfig, files: FileScope): void {
    this.remove(name);
    this.#insert({ ...config, name: config.name ?? name }, files);
  }

  remove(name: string): void {
    const before = this.#routes.length;
    this.#routes = this.#routes.filter((r) => r.name !== name);
    if (this.#routes.length === before) throw new MockwaveError('MW_UNKNOWN_HTTP_ROUTE', `No HTTP route named "${name}" (routes: ${this.#routes.map((r) => r.name).join(', ') || 'none'})`);
  }

  /**
   * `files`: where its `file` answers may come from (the configuration's folder for the configuration's
   * routes); `where` starts the paths of configuration problems: `http.routes[2]`, or nothing for a route
   * added at run time (as its schema problems).
   */
  #compile(config: HttpRouteConfig, files: FileScope = { dir: this.#host.baseDir, label: 'the configuration\'s folder', hideEnv: false }, where = ''): CompiledRoute {
    return compileRoute(config, files, where, this.#host.collections);
  }

  #insert(config: HttpRouteConfig, files?: FileScope): void {
    this.#routes = [...this.#routes, this.#compile(config, files)].sort((a, b) => bySpecificity(a.pattern, b.pattern));
  }

  /**
   * Answers one HTTP request that is not mockwave's own (admin, metrics, dashboard); `target`: its target, as
   * the transport read it.
   * A request without a body to a route that only responds is answered in the turn it arrived; one with a
   * body once it is read; neither makes a promise unless a step waits (a delay, a file, a forward).
   */
  handle(request: IncomingMessage, response: ServerResponse, target: RequestTarget): void {
    const cors = corsGrant(request.headers.origin, this.#options.cors, 'mock');
    applyCors(response, cors);
    if (cors.credentials) exposeWrittenHeaders(response);
    const path = target.path;
    // Each route's path is matched once: its params are kept for the route that answers.
    const onPath: OnPath[] = [];
    for (const route of this.#routes) {
      const params = route.pattern.match(path);
      if (params !== undefined) onPath.push({ route, params });
    }
    const asked: Asked = { request, response, target, started: this.#options.now(), cors, onPath, body: NO_BODY, sent: undefined };
    if (isPreflight(request)) {
      skipBody(request, response);
      const methods = this.#options.fallback !== undefined || onPath.some((p) => p.route.methods === undefined) ? [...HTTP_METHODS] : [...new Set(onPath.flatMap((p) => [...(p.route.methods ?? [])]))];
      answerPreflight(response, cors, request, methods);
      return this.#finish(asked, 204, undefined);
    }
    if (hasBody(request)) readBody(request, this.#options.limits, asked, this.#bodyRead);
    else this.#bodyRead(asked, NO_BODY, undefined);
  }

  /**
   * Answers a request once its body is read (or refused). One function for every request, passed to
   * `readBody` with the request's `Asked`; called from `handle` itself (no body, or a declared length over
   * the limit), from the request's `data`, `end` or `error` listener, or from the body deadlines' timer,
   * where a throw would end the process. So a fault in answering (a bug: the client's mistakes and the
   * route's failures are answered by `#badRequest` and `#failed`) ends this request, never the server.
   */
  readonly #bodyRead: BodyRead<Asked> = (asked, body, error) => {
    if (body !== undefined) asked.body = body;
    try {
      const later = body === undefined ? this.#badRequest(asked, error) : this.#answer(asked, body);
      if (later !== undefined) later.catch((fault: unknown) => this.#fault(asked, fault));
    } catch (fault) {
      this.#fault(asked, fault);
    }
  };

  #fault(asked: Asked, error: unknown): void {
    answerFault(this.#options.logger, asked.response, { meta: this.#options.meta(), cors: asked.cors }, error);
  }

  #answer(asked: Asked, body: Buffer): void | Promise<void> {
    const view = new RequestView(asked.request, asked.target, body);
    let hit: OnPath | undefined;
    try {
      hit = chooseRoute(asked.onPath, view, this.#host);
    } catch (error) {
      return this.#badRequest(asked, error);
    }
    // The answer is noted only when the journal will keep it (a route may leave the journal).
    if (this.#options.journal !== undefined && hit?.route.config.journal !== false) asked.sent = { headers: undefined, body: undefined };
    if (hit === undefined) {
      const status = this.#unmatched(view, asked);
      return typeof status === 'number' ? this.#finish(asked, status, undefined) : status.then((later) => this.#finish(asked, later, undefined));
    }
    const route = hit.route;
    route.hits += 1;
    const request = templateRequest(view, hit.params, route);
    const context = route.readsState ? withState({ request }, this.#host.state, httpStateScopes(view, this.#host.caller)) : { request };
    let result: RunResult<number>;
    try {
      result = answerRequest(route.steps, { view, response: asked.response, context, host: this.#host, route: route.name, source: route.source, sent: asked.sent });
    } catch (error) {
      return this.#failed(asked, route, error);
    }
    if (!(result instanceof Promise)) return this.#finish(asked, result ?? 500, route);
    return result.then(
      (status) => this.#finish(asked, status ?? 500, route),
      (error: unknown) => this.#failed(asked, route, error),
    );
  }

  /** A body over its limits, too slow, or nested too deep: refused, and the rest of it left unread. */
  #badRequest(asked: Asked, error: unknown): void {
    if (bodyPending(asked.request)) closeAfterAnswer(asked.request, asked.response);
    this.#finish(asked, this.#refuse(asked.response, asked.cors, refusalOf(error)), undefined);
  }

  /** The route's steps failed: the caller's mistake (a catalog error below 500), a client gone, or the route's failure (500). */
  #failed(asked: Asked, route: CompiledRoute, error: unknown): void {
    const { response, request } = asked;
    // A client that went away while being answered (a file cut short) is not the route's failure.
    if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE' && response.destroyed) return this.#finish(asked, 499, route);
    if (error instanceof MockwaveError && (error.httpStatus ?? 500) < 500 && !response.headersSent) return this.#finish(asked, this.#refuse(response, asked.cors, refusalOf(error)), route);
    route.failures += 1;
    const path = asked.target.path;
    const skipped = this.#failureLines.pass(route.name, this.#options.now());
    if (skipped !== undefined) this.#options.logger.error(`HTTP route ${route.name} failed for ${request.method ?? 'GET'} ${path}: ${errorMessage(error)}${skipped === 0 ? '' : ` (${skipped} more failures in the last 10 s)`}`, { route: route.name });
    if (response.headersSent) {
      response.destroy();
      return this.#finish(asked, 500, route);
    }
    this.#finish(asked, this.#refuse(response, asked.cors, refusal(error instanceof MockwaveError && error.code === 'MW_HTTP_UPSTREAM_FAILED' ? error.code : 'MW_HTTP_ROUTE_FAILED', `HTTP route ${route.name} failed: ${errorMessage(error)}`)), route);
  }

  /** Counts an answered request: the route's last, the recent list, /metrics. */
  #finish(asked: Asked, status: number, route: CompiledRoute | undefined): void {
    const record: HttpRequestRecord = { n: this.recent.number(), at: asked.started, method: asked.request.method ?? 'GET', path: asked.target.path.slice(0, 300), status, route: route?.name, ms: this.#options.now() - asked.started };
    this.#requests += 1;
    this.recent.add(record);
    if (route !== undefined) route.last = record;
    this.#options.count(route?.name ?? '(none)', status);
    const journal = this.#options.journal;
    if (journal !== undefined && route?.config.journal !== false) {
      const { request, target } = asked;
      const sent = asked.sent;
      journal.request({ method: record.method, path: target.path, search: target.search, rawHeaders: request.rawHeaders, body: asked.body, status, ms: record.ms, answerHeaders: sent?.headers, answerBody: sent?.body }, route?.name, scopeOf(request.headers));
    }
  }

  /** No route answered: the fallback API, or 405 (the path has routes for other methods), or 404. */
  #unmatched(view: HttpRequestView, asked: Asked): number | Promise<number> {
    const { response, cors } = asked;
    const onPath = asked.onPath.map((p) => p.route);
    const fallback = this.#options.fallback;
    if (fallback !== undefined) {
      return forward(view, response, fallback, this.#host.forwarding, asked.sent).catch((error: unknown) => {
        if (!clientFault(error)) this.#options.logger.warn(`http.fallback: ${errorMessage(error)}`);
        return this.#refuse(response, cors, refusalOf(error));
      });
    }
    const methods = [...new Set(onPath.flatMap((r) => [...(r.methods ?? [])]))];
    if (onPath.length > 0 && !onPath.some((r) => allows(r, view.method))) {
      return this.#refuse(response, cors, refusal('MW_HTTP_METHOD_NOT_ALLOWED', `${view.method} is not allowed on ${view.path} (allowed: ${methods.join(', ')})`), { headers: { Allow: methods.join(', ') } });
    }
    const closest = [...this.#routes]
      .sort((a, b) => likeness(b.config.path, view.path) - likeness(a.config.path, view.path))
      .slice(0, 3)
      .map((r) => `${r.methods === undefined ? 'ANY' : [...r.methods].join(',')} ${r.config.path}${r.config.when === undefined ? '' : ' (with conditions)'}`);
    const why = onPath.length > 0 ? ': the routes on this path did not match its query, headers, cookies or body' : '';
    // A body declared as JSON that does not parse matches no JSON matcher: say so, in the answer and the log.
    const json = view.body.json();
    const declared = /json/i.test(view.headers['content-type'] ?? '') && view.body.data.length > 0;
    const bodyNote = declared && !json.ok ? ` (its body is not valid JSON: ${json.error})` : '';
    if (bodyNote !== '' && this.#failureLines.pass(`body ${view.path}`, this.#options.now()) !== undefined) this.#options.logger.warn(`HTTP ${view.method} ${view.path}: no route matched${bodyNote}`);
    return this.#refuse(response, cors, refusal('MW_HTTP_NO_ROUTE', `No HTTP route for ${view.method} ${view.path}${why}${bodyNote}`), { fields: { closest } });
  }

  /** Answers a refusal with the one error writer; returns its status. */
  #refuse(response: ServerResponse, cors: CorsGrant, refused: Refusal, extra: { readonly headers?: Record<string, string>; readonly fields?: Record<string, unknown> } = {}): number {
    return answerRefusal(response, refused, { meta: this.#options.meta(), cors, ...extra });
  }
}
