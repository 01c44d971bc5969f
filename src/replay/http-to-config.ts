/**
 * Recorded HTTP exchanges as HTTP routes: one route per method and path pattern (and per operation where one
 * path answers several, told apart by a body field), a path segment becoming a `:param` where the recording
 * shows ids varying in it; the answer as recorded, with the JSON fields that
 * varied across calls turned into templates (the path parameter or request field they echoed, the time, a
 * fresh UUID) and the rest literal; a streamed answer replayed chunk by chunk with its average gap.
 */
import { bodyBytes, type ExchangeLine, type HttpRecording } from './http-format.ts';
import { hasUnwritableBraces, literalTemplate } from '../templates/index.ts';
import { groupBy } from '../util/group.ts';
import { isPlainObject } from '../util/plain-object.ts';
import { parseSseText } from '../util/sse.ts';
import { OPERATION_FIELDS, parseJson, type Obj } from './operations.ts';

const ID = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|[A-Za-z]{0,4}[-_]?\d+)$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Response headers a route answers with (the rest describe the recorded hop, or are secrets masked anyway). */
const KEPT_HEADERS = ['content-type', 'location', 'cache-control', 'etag'];

/** `orders` -> `orderId`: a parameter named after the collection before it. */
function paramName(previous: string | undefined, taken: Set<string>): string {
  const base = previous === undefined || previous === '' || ID.test(previous) ? 'id' : `${previous.replace(/[^\w]/g, '').replace(/ies$/, 'y').replace(/s$/, '')}Id`;
  let name = /^[A-Za-z_]/.test(base) ? base : 'id';
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

type Params = readonly { readonly name: string; readonly values: readonly string[] }[];

/** What a field of an answer may echo: the path parameters, and each call's request body by dotted path. */
interface Sources {
  readonly params: Params;
  /** Per call: every path into its JSON body (objects only, a few levels deep) and the value there. */
  readonly bodies: readonly ReadonlyMap<string, unknown>[];
}

/** A name a template path can hold as it is (`variables.id`, not `x-id` or `a b`). */
const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

function bodyPaths(value: unknown, prefix = '', into = new Map<string, unknown>(), depth = 0): Map<string, unknown> {
  if (!isPlainObject(value) || depth > 4) return into;
  for (const [key, child] of Object.entries(value)) {
    if (!PLAIN_KEY.test(key)) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    into.set(path, child);
    bodyPaths(child, path, into, depth + 1);
  }
  return into;
}

function sourcesOf(exchanges: readonly ExchangeLine[], params: Params): Sources {
  const parsed = exchanges.map((x) => parseJson(x.request.body));
  return { params, bodies: parsed.map((p) => (p.ok ? bodyPaths(p.value) : new Map<string, unknown>())) };
}

/** A field's template across calls: literal when it never changed, else what explains its values (a literal escaped, so it renders to itself). */
function fieldTemplate(values: readonly unknown[], sources: Sources): unknown {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const first = values[0];
  if (values.every((v) => same(v, first))) return literalTemplate(first);
  for (const param of sources.params) if (values.every((v, i) => String(v) === param.values[i])) return `{{request.params.${param.name}}}`;
  const [firstBody] = sources.bodies;
  for (const path of firstBody?.keys() ?? []) {
    if (values.every((v, i) => sources.bodies[i]?.has(path) === true && same(sources.bodies[i]?.get(path), v))) return `{{request.body.${path}}}`;
  }
  if (values.every((v) => typeof v === 'string' && ISO.test(v))) return '{{now}}';
  if (values.every((v) => typeof v === 'string' && UUID.test(v))) return '{{uuid}}';
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return `{{int ${Math.min(...(values as number[]))} ${Math.max(...(values as number[]))}}}`;
  return literalTemplate(values.at(-1));
}

/** Values across calls: objects field by field (so a nested field can echo the request), the rest as fields. */
function shapeTemplate(values: readonly unknown[], sources: Sources, depth = 0): unknown {
  if (depth > 5 || !values.every(isPlainObject)) return fieldTemplate(values, sources);
  const keys = [...new Set(values.flatMap((v) => Object.keys(v)))];
  return Object.fromEntries(keys.map((key) => [key, shapeTemplate(values.map((v) => v[key]), sources, depth + 1)]));
}

/**
 * Top-level fields that every answer of these calls copies from its request's JSON body, with values that
 * varied (JSON-RPC's `id`): found over all the calls to a path, so an operation recorded once still echoes them.
 */
function echoedFields(exchanges: readonly ExchangeLine[]): ReadonlySet<string> {
  const pairs = exchanges.map((x) => [parseJson(x.request.body), parseJson(x.response.body)] as const);
  const objects = pairs.flatMap(([q, a]) => (q.ok && a.ok && isPlainObject(q.value) && isPlainObject(a.value) ? [[q.value, a.value] as const] : []));
  if (objects.length < 2 || objects.length !== pairs.length) return new Set();
  const keys = Object.keys(objects[0]?.[1] ?? {}).filter((key) => PLAIN_KEY.test(key) && objects.every(([q, a]) => key in q && JSON.stringify(q[key]) === JSON.stringify(a[key])) && new Set(objects.map(([q]) => JSON.stringify(q[key]))).size > 1);
  return new Set(keys);
}

function bodyTemplate(exchanges: readonly ExchangeLine[], params: Params, echoed: ReadonlySet<string>): unknown {
  const parsed = exchanges.map((x) => parseJson(x.response.body));
  const last = exchanges.at(-1) as ExchangeLine;
  if (!parsed.every((p) => p.ok)) return literalTemplate(last.response.body);
  const values = parsed.map((p) => (p as { value: unknown }).value);
  const template = shapeTemplate(values, sourcesOf(exchanges, params));
  if (!isPlainObject(template)) return template;
  return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, echoed.has(key) ? `{{request.body.${key}}}` : value]));
}

/**
 * A streamed answer: its lines (JSON lines) or events (Server-Sent Events) and its average gap. Events that
 * carry only data become `chunks`; once one has a name, an id, a retry or a comment, all are kept whole as
 * `events`, so a page listening for named events hears them in the replay too.
 */
function streamedAnswer(last: ExchangeLine): Obj | undefined {
  const chunks = last.response.chunks ?? [];
  const text = chunks.map((c) => c.data).join('');
  const gaps = chunks.slice(1).map((c, i) => c.t - (chunks[i] as { t: number }).t);
  const chunkDelay = gaps.length === 0 ? 0 : Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length);
  const valueOf = (piece: string): unknown => {
    const parsed = parseJson(piece);
    return literalTemplate(parsed.ok ? parsed.value : piece);
  };
  const answer = { status: last.response.status, chunkDelay };
  if (!/event-stream/i.test(last.response.headers['content-type'] ?? '')) {
    // A last line with no line end is a line cut short (the client left mid-line): left out.
    const lines = text.split(/\r?\n/).slice(0, -1).filter((l) => l.trim() !== '');
    return lines.length === 0 ? undefined : { ...answer, format: 'ndjson', chunks: lines.map(valueOf) };
  }
  const events = parseSseText(text);
  const done = events.length > 1 && Object.keys(events.at(-1) as object).join() === 'data' && events.at(-1)?.data === '[DONE]' ? (events.pop(), '[DONE]') : undefined;
  if (events.length === 0) return undefined;
  const tail = done === undefined ? {} : { done };
  if (events.every((e) => Object.keys(e).join() === 'data')) return { ...answer, format: 'sse', chunks: events.map((e) => valueOf(e.data ?? '')), ...tail };
  return { ...answer, format: 'sse', events: events.map((e) => ({ ...(literalTemplate(e) as Obj), ...(e.data === undefined ? {} : { data: valueOf(e.data) }) })), ...tail };
}

/** The field whose string value tells this group's calls apart, when their JSON bodies have one that varies. */
function operationField(exchanges: readonly ExchangeLine[]): string | undefined {
  const bodies = exchanges.map((x) => parseJson(x.request.body));
  if (exchanges.length < 2 || !bodies.every((b) => b.ok && isPlainObject(b.value))) return undefined;
  const objects = bodies.map((b) => (b as { value: Obj }).value);
  return OPERATION_FIELDS.find((field) => objects.every((o) => typeof o[field] === 'string') && new Set(objects.map((o) => o[field])).size > 1);
}

/** One route answering `exchanges` (calls of one method and path pattern, and of one operation when `when` says which). */
function routeOf(exchanges: readonly ExchangeLine[], operation: { field: string; value: string } | undefined, echoed: ReadonlySet<string>, notes: string[]): Obj | undefined {
  const last = exchanges.at(-1) as ExchangeLine;
  if (last.response.encoding === 'base64') {
    notes.push(`${last.request.method} ${last.request.path}: a binary answer is left out (routes answer with text or JSON)`);
    return undefined;
  }
  const segments = exchanges.map((x) => x.request.path.split('/'));
  const taken = new Set<string>();
  const params: { name: string; values: string[] }[] = [];
  const pattern = (segments[0] as string[]).map((segment, i) => {
    const column = segments.map((s) => s[i] ?? '');
    if (!ID.test(segment) || new Set(column).size === 1) return segment;
    const name = paramName((segments[0] as string[])[i - 1], taken);
    params.push({ name, values: column });
    return `:${name}`;
  });
  const headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => (last.response.headers[name] === undefined ? [] : [[name, literalTemplate(last.response.headers[name])]])));
  // A stream by its type (a chunked JSON answer is one answer, however it was framed).
  const streaming = /event-stream|ndjson|jsonl/i.test(last.response.headers['content-type'] ?? '');
  const streamed = streaming && last.response.chunks !== undefined ? streamedAnswer(last) : undefined;
  const recorded = bodyBytes(last.response);
  const respond = streamed ?? { status: last.response.status, headers, ...(recorded.length === 0 ? {} : { body: bodyTemplate(exchanges, params, echoed) }) };
  if (hasUnwritableBraces(recorded.toString('utf8'))) notes.push(`${last.request.method} ${last.request.path}: the answer has a backslash right before "{{", which no template escape keeps: edit that value by hand`);
  if (last.response.truncated === true) notes.push(`${last.request.method} ${last.request.path}: the recorded answer was cut at the recording's limit`);
  const path = pattern.join('/') || '/';
  const named = operation === undefined ? '' : ` (${operation.field}: ${operation.value.length > 40 ? `${operation.value.slice(0, 40).replace(/\s+/g, ' ')}…` : operation.value})`;
  return {
    name: `${last.request.method} ${path}${named}`,
    method: last.request.method,
    path,
    ...(operation === undefined ? {} : { when: { body: { json: { [operation.field]: operation.value } } } }),
    then: [{ respond }],
  };
}

/**
 * Recorded exchanges as routes: one per method and path pattern, or, where calls to one path carry different
 * operations in their JSON bodies (GraphQL, JSON-RPC), one per operation, matched by that body field.
 */
export function httpRecordingsToRoutes(recordings: readonly HttpRecording[]): { routes: Obj[]; notes: string[] } {
  const notes: string[] = [];
  const groups = groupBy(recordings.flatMap((r) => r.exchanges), (exchange) => `${exchange.request.method} ${exchange.request.path.split('/').map((segment) => (ID.test(segment) ? '*' : segment)).join('/')}`);
  const routes: Obj[] = [];
  for (const exchanges of groups.values()) {
    const field = operationField(exchanges);
    if (field === undefined) {
      const route = routeOf(exchanges, undefined, new Set(), notes);
      if (route !== undefined) routes.push(route);
      continue;
    }
    const byOperation = groupBy(exchanges, (x) => (parseJson(x.request.body) as { value: Obj }).value[field] as string);
    const echoed = echoedFields(exchanges);
    for (const [value, calls] of byOperation) {
      const route = routeOf(calls, { field, value }, echoed, notes);
      if (route !== undefined) routes.push(route);
    }
  }
  return { routes, notes };
}
