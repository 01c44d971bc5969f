/**
 * One route of the table, compiled: its name, its one-line explanation, its methods, its path pattern, its
 * `when` (query, headers, cookies, body) and its steps, with the figures it keeps.
 */
import { compileRegex, compileWhen, type Matcher } from '../rules/index.ts';
import { mayRead, type RenderContext } from '../templates/index.ts';
import { compileBehaviourState, readsState, withScenarioStep, withState, type StateCondition } from '../steps/index.ts';
import { compilePathPattern, type PathPattern } from '../util/path-pattern.ts';
import { routeSource } from '../util/source.ts';
import { explainRoute } from './explain.ts';
import type { FileScope } from './files.ts';
import type { HttpRequestRecord } from './figures.ts';
import type { HttpRequestView, RequestView, TemplateReads } from './request.ts';
import type { Collection } from './collection.ts';
import { eachStep, type HttpRouteConfig } from './schema.ts';
import { compileSteps, httpStateScopes, type HttpHost, type Step } from './steps.ts';

export interface CompiledRoute extends TemplateReads {
  readonly config: HttpRouteConfig;
  readonly name: string;
  /** What its `publish` steps are journaled as coming from: `route:<name>`, made once. */
  readonly source: string;
  /** The route in one line: `GET /api/orders/:id -> respond 200 (json body)`. */
  readonly explain: string;
  readonly methods: ReadonlySet<string> | undefined;
  readonly pattern: PathPattern;
  readonly when: (view: HttpRequestView) => boolean;
  /** Its `state:` condition. */
  readonly holds: StateCondition | undefined;
  /** Whether it reads state (a `state:` condition, a template of `state`): its context then has `state`. */
  readonly readsState: boolean;
  readonly steps: readonly Step[];
  /** Whether its `when` matches the body. */
  readonly matchesBody: boolean;
  hits: number;
  failures: number;
  last: HttpRequestRecord | undefined;
}

/** A route whose path matches a request, with the params its path gave. */
export interface OnPath {
  readonly route: CompiledRoute;
  readonly params: Readonly<Record<string, string>>;
}

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

/** Whether one of its steps (a sequence's too) is a `key` step. */
function hasStep(config: HttpRouteConfig, key: string): boolean {
  let found = false;
  eachStep(config.then, 'then', (step) => {
    found ||= key in step;
  });
  return found;
}

/** `files`: where its `file` steps may read; `where` starts the paths of its configuration problems. */
export function compileRoute(config: HttpRouteConfig, files: FileScope, where: string, collections?: ReadonlyMap<string, Collection>): CompiledRoute {
  const methods = config.method === undefined ? undefined : new Set(config.method);
  const name = routeName(config);
  return { config, name, source: routeSource(name), explain: explainRoute(config), methods, pattern: compilePathPattern(config.path), when: compileRouteWhen(config), holds: compileBehaviourState(config), readsState: readsState(config, config.then), steps: compileSteps(withScenarioStep(config, config.then), files, where, collections), readsBody: mayRead(config.then, ['request', 'body']) || hasStep(config, 'collection'), readsQuery: mayRead(config.then, ['request', 'query']), matchesBody: config.when?.body !== undefined, hits: 0, failures: 0, last: undefined };
}

/** Whether a route takes this method (a GET route takes HEAD too). */
export const allows = (route: CompiledRoute, method: string): boolean => route.methods === undefined || route.methods.has(method) || (method === 'HEAD' && route.methods.has('GET'));

/** How alike two paths are, segment by segment from the start: for naming the closest routes in a 404. */
export function likeness(pattern: string, path: string): number {
  const a = pattern.split('/');
  const b = path.split('/');
  let same = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i] || a[i]?.startsWith(':') || a[i] === '*') same += 1;
    else break;
  }
  return same * 10 - Math.abs(a.length - b.length);
}

/**
 * The route that answers: the first on the path (most specific first) whose method and `when` match. A body is
 * checked for depth (400 past `MAX_DEPTH`) before anything walks it: a route's `when` on the body, or the
 * templates of the route that answers; a route that reads neither does not parse it at all.
 */
export function chooseRoute(onPath: readonly OnPath[], view: RequestView, host: Pick<HttpHost, 'state' | 'templates' | 'caller'>): OnPath | undefined {
  let stateful: RenderContext | undefined;
  for (const candidate of onPath) {
    const route = candidate.route;
    if (!allows(route, view.method)) continue;
    if (route.matchesBody) view.checkDepth();
    if (!route.when(view)) continue;
    if (route.holds !== undefined && !route.holds((stateful ??= withState({}, host.state, httpStateScopes(view, host.caller))), host.templates)) continue;
    if (route.readsBody) view.checkDepth();
    return candidate;
  }
  return undefined;
}
