/**
 * Recorded HTTP exchanges as HTTP routes. Calls of one method and path shape make one route (one per
 * operation where one path answers several, told apart by a body field), a path segment becoming a `:param`
 * where the recording shows ids varying in it, answering with one template (`http-answer.ts`). When that
 * template cannot give back every recorded answer (a field varied with nothing in the request to explain it,
 * or the calls got different statuses), each recorded request also gets a route of its own, written before
 * the general one so it is tried first: its literal path, the query values and JSON body fields that told it
 * apart. A recording then replays what was recorded, and the general route answers only what was not.
 */
import type { ExchangeLine, HttpRecording } from './http-format.ts';
import { groupBy } from '../util/group.ts';
import { isPlainObject } from '../util/plain-object.ts';
import { answerOf, echoedFields, jsonOf, textOf, type Answer, type Params } from './http-answer.ts';
import { OPERATION_FIELDS, parseJson, type Obj } from './operations.ts';

const ID = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|[A-Za-z]{0,4}[-_]?\d+)$/i;

/** `orders` -> `orderId`: a parameter named after the collection before it. */
function paramName(previous: string | undefined, taken: Set<string>): string {
  const base = previous === undefined || previous === '' || ID.test(previous) ? 'id' : `${previous.replace(/[^\w]/g, '').replace(/ies$/, 'y').replace(/s$/, '')}Id`;
  let name = /^[A-Za-z_]/.test(base) ? base : 'id';
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

/** A path shape: its segments, and which of them are parameters (an id-like segment whose value varied). */
interface Pattern {
  readonly segments: readonly string[];
  readonly columns: readonly { readonly name: string; readonly index: number }[];
}

function patternOf(exchanges: readonly ExchangeLine[]): Pattern {
  const paths = exchanges.map((x) => x.request.path.split('/'));
  const first = paths[0] as string[];
  const taken = new Set<string>();
  const columns: { name: string; index: number }[] = [];
  const segments = first.map((segment, index) => {
    // An id-like segment with one value in the whole recording stays literal: nothing says it is a parameter.
    if (!ID.test(segment) || new Set(paths.map((p) => p[index] ?? '')).size === 1) return segment;
    const name = paramName(first[index - 1], taken);
    columns.push({ name, index });
    return `:${name}`;
  });
  return { segments, columns };
}

/** Each parameter's value in each call. */
function paramsOf(exchanges: readonly ExchangeLine[], pattern: Pattern): Params {
  return pattern.columns.map(({ name, index }) => ({ name, values: exchanges.map((x) => x.request.path.split('/')[index] ?? '') }));
}

/** The operation a route answers (`operationName: GetUser`), matched by that body field. */
interface Operation {
  readonly field: string;
  readonly value: string;
}

/** What tells one recorded request apart from the others of its route: each is a condition of its route. */
interface Request {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: Obj;
  readonly calls: ExchangeLine[];
}

/** How finely requests are told apart: their JSON body less the fields answers echo (a JSON-RPC `id`), or all of it. */
type Level = 'echoes-aside' | 'whole-body';

/** Leaf values in a JSON value: how specific a body condition is. */
function leaves(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + leaves(v), 0);
  return isPlainObject(value) ? Object.values(value).reduce((n: number, v) => n + leaves(v), 0) : 1;
}

/**
 * The recorded requests among `calls` told apart by what varied across them: the path, the query
 * parameters and the top-level JSON body fields whose values differ (less the fields answers echo, at the
 * first level). A body that is not a JSON object is not a condition a route can state (its text would be a
 * regular expression, checked at load): requests differing only there share one route.
 */
function distinctRequests(calls: readonly ExchangeLine[], echoed: ReadonlySet<string>, level: Level): Request[] {
  const queryKeys = [...new Set(calls.flatMap((x) => Object.keys(x.request.query)))].filter((key) => new Set(calls.map((x) => x.request.query[key])).size > 1).sort();
  const bodies = calls.map((x): Obj => {
    const json = jsonOf(x.request);
    return json.ok && isPlainObject(json.value) ? json.value : {};
  });
  // Only fields whose values differ say which request is which: the rest (`jsonrpc: "2.0"`, the operation) would be noise.
  const bodyKeys = [...new Set(bodies.flatMap((b) => Object.keys(b)))].filter((key) => (level === 'whole-body' || !echoed.has(key)) && new Set(bodies.map((b) => JSON.stringify(b[key]))).size > 1);
  const requests = calls.map((x, i): Request => ({
    path: x.request.path,
    query: Object.fromEntries(queryKeys.flatMap((key) => (x.request.query[key] === undefined ? [] : [[key, x.request.query[key] as string]]))),
    body: Object.fromEntries(bodyKeys.flatMap((key) => ((bodies[i] as Obj)[key] === undefined ? [] : [[key, (bodies[i] as Obj)[key]]]))),
    calls: [x],
  }));
  const grouped = groupBy(requests, (r) => JSON.stringify([r.path, r.query, r.body]));
  return [...grouped.values()].map((same) => ({ ...(same[0] as Request), calls: same.map((r) => r.calls[0] as ExchangeLine) }));
}

/** A route's name: unique among the routes made (the dashboard, stats and metrics tell routes apart by name). */
function uniqueName(name: string, names: Set<string>): string {
  const base = name.length > 190 ? `${name.slice(0, 189)}…` : name;
  let unique = base;
  for (let i = 2; names.has(unique); i++) unique = `${base} #${i}`;
  names.add(unique);
  return unique;
}

function operationLabel(operation: Operation | undefined): string {
  if (operation === undefined) return '';
  return ` (${operation.field}: ${operation.value.length > 40 ? `${operation.value.slice(0, 40).replace(/\s+/g, ' ')}…` : operation.value})`;
}

/** Everything a group's routes share: their method and operation, how answers are made, the names taken. */
interface Making {
  readonly method: string;
  readonly operation: Operation | undefined;
  readonly pattern: Pattern;
  readonly echoed: ReadonlySet<string>;
  readonly notes: string[];
  readonly names: Set<string>;
}

/** The route of one recorded request: its path, and a `when` for the query and body values that told it apart. */
function requestRoute(request: Request, answer: Answer, making: Making): { route: Obj; conditions: number } | undefined {
  if (answer.respond === undefined) return undefined;
  const { method, operation } = making;
  const json = { ...(operation === undefined ? {} : { [operation.field]: operation.value }), ...request.body };
  const query = new URLSearchParams(request.query).toString();
  const body = Object.keys(request.body).length === 0 ? '' : ` ${JSON.stringify(request.body)}`;
  const when = {
    ...(query === '' ? {} : { query: request.query }),
    ...(Object.keys(json).length === 0 ? {} : { body: { json } }),
  };
  const name = uniqueName(`${method} ${request.path}${query === '' ? '' : `?${query}`}${operationLabel(operation)}${body.length > 60 ? `${body.slice(0, 60)}…` : body}`, making.names);
  const route = { name, method, path: request.path, ...(Object.keys(when).length === 0 ? {} : { when }), then: [{ respond: answer.respond }] };
  return { route, conditions: Object.keys(request.query).length + (Object.keys(request.body).length === 0 ? 0 : leaves(request.body)) };
}

/**
 * A route per recorded request among `calls`, when something tells them apart; requests whose answers still
 * differ with the echoed fields set aside (`{"id": 1}` and `{"id": 2}` fetching two items) are told apart by
 * their whole body, keeping the conditions that set them apart from the others (`within`).
 */
function requestRoutes(calls: readonly ExchangeLine[], making: Making, level: Level, within?: Request): { route: Obj; conditions: number; path: string }[] {
  const requests = distinctRequests(calls, making.echoed, level).map((r) => (within === undefined ? r : { ...r, query: { ...within.query, ...r.query }, body: { ...within.body, ...r.body } }));
  if (requests.length <= 1) {
    if (level === 'echoes-aside') return requestRoutes(calls, making, 'whole-body');
    const texts = new Set(calls.map((x) => textOf(x.request)));
    const opaque = [...texts].some((text) => {
      const json = parseJson(text);
      return text !== '' && !(json.ok && isPlainObject(json.value));
    });
    if (texts.size > 1 && opaque) making.notes.push(`${making.method} ${calls[0]?.request.path ?? ''}: ${calls.length} calls differ only in a body that is not a JSON object, which a route cannot match by: they share one answer`);
    return [];
  }
  return requests.flatMap((request) => {
    const label = `${making.method} ${request.path}`;
    const answer = answerOf(request.calls, paramsOf(request.calls, making.pattern), making.echoed, label, making.notes);
    if (!answer.exact && level === 'echoes-aside') {
      const finer = requestRoutes(request.calls, making, 'whole-body', request);
      if (finer.length > 0) return finer;
    }
    const made = requestRoute(request, answer, making);
    return made === undefined ? [] : [{ ...made, path: request.path }];
  });
}

/** The routes answering `exchanges` (calls of one method and path shape, and of one operation when `operation` says which). */
function routesOf(exchanges: readonly ExchangeLine[], operation: Operation | undefined, echoed: ReadonlySet<string>, notes: string[], names: Set<string>): Obj[] {
  const method = (exchanges[0] as ExchangeLine).request.method;
  const pattern = patternOf(exchanges);
  const making: Making = { method, operation, pattern, echoed, notes, names };
  const label = `${method} ${(exchanges.at(-1) as ExchangeLine).request.path}`;
  const general = answerOf(exchanges, paramsOf(exchanges, pattern), echoed, label, notes);
  const own = general.exact ? [] : requestRoutes(exchanges, making, 'echoes-aside');
  // Most specific first: routes on one path are tried in the order written.
  own.sort((a, b) => b.conditions - a.conditions);
  const routes = own.map((r) => r.route);
  const shape = pattern.segments.join('/') || '/';
  // A request route with no condition on the general route's own path answers everything it would: it is the general route.
  if (general.respond === undefined || own.some((r) => r.conditions === 0 && r.path === shape)) return routes;
  // A parameter rendered as a number takes digits only, so an id the recording never had cannot break the arithmetic.
  const path = pattern.segments.map((segment) => (general.numeric.has(segment.slice(1)) ? `${segment}(\\d+)` : segment)).join('/') || '/';
  routes.push({
    name: uniqueName(`${method} ${shape}${operationLabel(operation)}`, names),
    method,
    path,
    ...(operation === undefined ? {} : { when: { body: { json: { [operation.field]: operation.value } } } }),
    then: [{ respond: general.respond }],
  });
  return routes;
}

/** The field whose string value tells this group's calls apart, when their JSON bodies have one that varies. */
function operationField(exchanges: readonly ExchangeLine[]): string | undefined {
  const bodies = exchanges.map((x) => jsonOf(x.request));
  if (exchanges.length < 2 || !bodies.every((b) => b.ok && isPlainObject(b.value))) return undefined;
  const objects = bodies.map((b) => (b as { value: Obj }).value);
  return OPERATION_FIELDS.find((field) => objects.every((o) => typeof o[field] === 'string') && new Set(objects.map((o) => o[field])).size > 1);
}

/**
 * Recorded exchanges as routes: per method and path shape, or, where calls to one path carry different
 * operations in their JSON bodies (GraphQL, JSON-RPC), per operation, matched by that body field.
 */
export function httpRecordingsToRoutes(recordings: readonly HttpRecording[]): { routes: Obj[]; notes: string[] } {
  const notes: string[] = [];
  const names = new Set<string>();
  const groups = groupBy(recordings.flatMap((r) => r.exchanges), (exchange) => `${exchange.request.method} ${exchange.request.path.split('/').map((segment) => (ID.test(segment) ? '*' : segment)).join('/')}`);
  const routes: Obj[] = [];
  for (const exchanges of groups.values()) {
    const echoed = echoedFields(exchanges);
    const field = operationField(exchanges);
    if (field === undefined) {
      routes.push(...routesOf(exchanges, undefined, echoed, notes, names));
      continue;
    }
    const byOperation = groupBy(exchanges, (x) => (jsonOf(x.request) as { value: Obj }).value[field] as string);
    for (const [value, calls] of byOperation) routes.push(...routesOf(calls, { field, value }, echoed, notes, names));
  }
  // A recorded request's route and the general one may say the same of one answer: each note once.
  return { routes, notes: [...new Set(notes)] };
}
