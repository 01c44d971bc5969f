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
import { compileRegex, compileWhen, type Matcher } from '../rules/index.ts';
import { answerPreflight, applyCors, corsGrant, exposeWrittenHeaders, isPreflight, type CorsGrant, type CorsPolicy } from '../security/cors.ts';
import { answerRefusal } from '../security/refusal-answer.ts';
import { bySpecificity, compilePathPattern, type PathPattern } from '../util/path-pattern.ts';
import type { FileScope } from './files.ts';
import { forward } from './forward.ts';
import { bodyPending, checkBodyDepth, closeAfterAnswer, readBody, requestView, skipBody, type BodyLimits, type HttpRequestView } from './request.ts';
import { HTTP_METHODS, type HttpRouteConfig } from './schema.ts';
import { explainRoute } from './explain.ts';
import { answerRequest, compileSteps, type HttpHost, type Step } from './steps.ts';
import type { HttpFigures, HttpRequestRecord } from './figures.ts';

interface CompiledRoute {
  readonly config: HttpRouteConfig;
  readonly name: string;
  /** The route in one line: `GET /api/orders/:id -> respond 200 (json body)`. */
  readonly explain: string;
  readonly methods: ReadonlySet<string> | undefined;
  readonly pattern: PathPattern;
  readonly when: (view: HttpRequestView) => boolean;
  readonly steps: readonly Step[];
  hits: number;
  failures: number;
  last: HttpRequestRecord | undefined;
}

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
}

const RECENT = 100;

export function routeName(config: HttpRouteConfig): string {
  if (config.name !== undefined) return config.name;
  const methods = config.method === undefined ? 'ANY' : config.method.join(',');
  return `${methods} ${config.path}`;
}

function compileRouteWhen(config: HttpRouteConfig): (view: HttpRequestView) => boolean {
  const when = config.when;
  if (when === undefined) return () => true;
  const query = Object.entries(when.query ?? {});
  const headers = Object.entries(when.headers ?? {}).map(([name, pattern]) => [name.toLowerCase(), compileRegex(pattern)] as const);
  const cookies = Object.entries(when.cookies ?? {}).map(([name, pattern]) => [name, compileRegex(pattern)] as const);
  const body: Matcher | undefined = when.body === undefined ? undefined : compileWhen(when.body);
  return (view) =>
    query.every(([name, value]) => view.query[name] === value) &&
    headers.every(([name, test]) => view.headers[name] !== undefined && test(view.headers[name] as string)) &&
    cookies.every(([name, test]) => view.cookies[name] !== undefined && test(view.cookies[name] as string)) &&
    (body === undefined || body(view.body));
}

/** A refusal of the request itself (a path that may not be forwarded), not a failure of the route or the real API. */
const clientFault = (error: unknown): boolean => error instanceof MockwaveError && error.code === 'MW_INVALID_PATH';

/** How alike two paths are, segment by segment from the start: for naming the closest routes in a 404. */
function likeness(pattern: string, path: string): number {
  const a = pattern.split('/');
  const b = path.split('/');
  let same = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i] || a[i]?.startsWith(':') || a[i] === '*') same += 1;
    else break;
  }
  return same * 10 - Math.abs(a.length - b.length);
}

export class HttpRoutes {
  #routes: CompiledRoute[] = [];
  readonly #host: HttpHost;
  readonly #options: HttpRoutesOptions;
  readonly #recent: HttpRequestRecord[] = [];
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
    return { requests: this.#requests, routes, recent: [...this.#recent].reverse() };
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
    const name = routeName(config);
    const methods = config.method === undefined ? undefined : new Set(config.method);
    return { config, name, explain: explainRoute(config), methods, pattern: compilePathPattern(config.path), when: compileRouteWhen(config), steps: compileSteps(config.then, files, where), hits: 0, failures: 0, last: undefined };
  }

  #insert(config: HttpRouteConfig, files?: FileScope): void {
    this.#routes = [...this.#routes, this.#compile(config, files)].sort((a, b) => bySpecificity(a.pattern, b.pattern));
  }

  /** Answers one HTTP request that is not mockwave's own (admin, metrics, dashboard); `url` is its URL, parsed. */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const started = this.#options.now();
    const cors = corsGrant(request.headers.origin, this.#options.cors, 'mock');
    applyCors(response, cors);
    if (cors.credentials) exposeWrittenHeaders(response);
    const method = request.method ?? 'GET';
    const path = url.pathname;
    // Each route's path is matched once: its params are kept for the route that answers.
    const matched = new Map<CompiledRoute, Readonly<Record<string, string>>>();
    for (const route of this.#routes) {
      const params = route.pattern.match(path);
      if (params !== undefined) matched.set(route, params);
    }
    const onPath = [...matched.keys()];
    const finish = (status: number, route: CompiledRoute | undefined): void => {
      const record: HttpRequestRecord = { at: started, method, path: path.slice(0, 300), status, route: route?.name, ms: this.#options.now() - started };
      this.#requests += 1;
      if (this.#recent.push(record) > RECENT) this.#recent.shift();
      if (route !== undefined) route.last = record;
      this.#options.count(route?.name ?? '(none)', status);
    };

    if (isPreflight(request)) {
      skipBody(request, response);
      const methods = this.#options.fallback !== undefined || onPath.some((r) => r.methods === undefined) ? [...HTTP_METHODS] : [...new Set(onPath.flatMap((r) => [...(r.methods ?? [])]))];
      answerPreflight(response, cors, request, methods);
      return finish(204, undefined);
    }

    let view: HttpRequestView;
    try {
      view = requestView(request, url, await readBody(request, this.#options.limits));
      if (onPath.length > 0) checkBodyDepth(view.body);
    } catch (error) {
      if (bodyPending(request)) closeAfterAnswer(request, response);
      return finish(this.#refuse(response, cors, refusalOf(error)), undefined);
    }
    const allows = (r: CompiledRoute): boolean => r.methods === undefined || r.methods.has(method) || (method === 'HEAD' && r.methods.has('GET'));
    const route = onPath.find((r) => allows(r) && r.when(view));
    if (route === undefined) return finish(await this.#unmatched(view, response, cors, onPath, allows), undefined);
    route.hits += 1;
    const params = matched.get(route) ?? {};
    const context = { request: { method, path, params, query: view.query, headers: view.headers, cookies: view.cookies, body: view.body.isJson ? view.body.value : view.body.text } };
    try {
      const status = await answerRequest(route.steps, { view, response, context, host: this.#host, route: route.name });
      finish(status ?? 500, route);
    } catch (error) {
      // A client that went away while being answered (a file cut short) is not the route's failure.
      if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE' && response.destroyed) return finish(499, route);
      // A request the route cannot take (a catalog error below 500) is the caller's mistake, not the route's failure.
      if (error instanceof MockwaveError && (error.httpStatus ?? 500) < 500 && !response.headersSent) return finish(this.#refuse(response, cors, refusalOf(error)), route);
      route.failures += 1;
      const skipped = this.#failureLines.pass(route.name, this.#options.now());
      if (skipped !== undefined) this.#options.logger.error(`HTTP route ${route.name} failed for ${method} ${path}: ${errorMessage(error)}${skipped === 0 ? '' : ` (${skipped} more failures in the last 10 s)`}`, { route: route.name });
      if (response.headersSent) {
        response.destroy();
        return finish(500, route);
      }
      finish(this.#refuse(response, cors, refusal(error instanceof MockwaveError && error.code === 'MW_HTTP_UPSTREAM_FAILED' ? error.code : 'MW_HTTP_ROUTE_FAILED', `HTTP route ${route.name} failed: ${errorMessage(error)}`)), route);
    }
  }

  /** No route answered: the fallback API, or 405 (the path has routes for other methods), or 404. */
  async #unmatched(view: HttpRequestView, response: ServerResponse, cors: CorsGrant, onPath: readonly CompiledRoute[], allows: (r: CompiledRoute) => boolean): Promise<number> {
    const fallback = this.#options.fallback;
    if (fallback !== undefined) {
      try {
        return await forward(view, response, fallback, this.#host.forwarding);
      } catch (error) {
        if (!clientFault(error)) this.#options.logger.warn(`http.fallback: ${errorMessage(error)}`);
        return this.#refuse(response, cors, refusalOf(error));
      }
    }
    const methods = [...new Set(onPath.flatMap((r) => [...(r.methods ?? [])]))];
    if (onPath.length > 0 && !onPath.some(allows)) {
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
