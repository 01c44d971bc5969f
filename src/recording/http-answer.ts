/**
 * The answer of an HTTP route made from recorded calls: the status most of them had, and that status's
 * answers as one template. A JSON field that never changed is literal; one that varied becomes what explains
 * its values (the path parameter or request body field it echoed, the time, a fresh UUID). Whether the
 * template gives back every recorded answer is `exact`; when it is not (a field varied with nothing to explain
 * it, or the calls had several statuses), the caller gives each recorded request a route of its own.
 */
import { bodyBytes, type ExchangeLine, type RecordedBody } from './http-format.ts';
import { hasUnwritableBraces, literalTemplate } from '../templates/index.ts';
import { groupBy } from '../util/group.ts';
import { isPlainObject } from '../util/plain-object.ts';
import { parseSseText } from '../util/sse.ts';
import { parseJson, type Obj } from './operations.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Response headers a route answers with (the rest describe the recorded hop, or are secrets masked anyway). */
const KEPT_HEADERS = ['content-type', 'location', 'cache-control', 'etag'];

/** A path parameter and its value in each call, in the calls' order. */
export type Params = readonly { readonly name: string; readonly values: readonly string[] }[];

const texts = new WeakMap<RecordedBody, string>();
const values = new WeakMap<RecordedBody, ReturnType<typeof parseJson>>();

/** A recorded body as text, read once (bodies are read through http-format's functions only). */
export function textOf(body: RecordedBody): string {
  let text = texts.get(body);
  if (text === undefined) texts.set(body, (text = bodyBytes(body).toString('utf8')));
  return text;
}

/** A recorded body's JSON value, parsed once: the converters ask for it several times. Not to be changed. */
export function jsonOf(body: RecordedBody): ReturnType<typeof parseJson> {
  let json = values.get(body);
  if (json === undefined) values.set(body, (json = parseJson(textOf(body))));
  return json;
}

/** What a field of an answer may echo: the path parameters, and each call's request body by dotted path. */
interface Sources {
  readonly params: Params;
  /** Per call: every path into its JSON body (objects only, a few levels deep) and the value there. */
  readonly bodies: readonly ReadonlyMap<string, unknown>[];
}

/** What building a template found: whether it gives back every recorded value, and which parameters it reads as numbers. */
interface Fidelity {
  exact: boolean;
  readonly numeric: Set<string>;
}

/** A name a template path can hold as it is (`variables.id`, not `x-id` or `a b`). */
export const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

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

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * A field's template across calls: literal when it never changed, else what explains its values (a literal
 * escaped, so it renders to itself). A path parameter echoed as a JSON number renders as a number: the
 * arithmetic helpers read a numeric string as its number, and a template that is one expression keeps its type.
 */
function fieldTemplate(values: readonly unknown[], sources: Sources, fidelity: Fidelity): unknown {
  const first = values[0];
  if (values.every((v) => same(v, first))) return literalTemplate(first);
  for (const param of sources.params) {
    if (values.every((v, i) => typeof v === 'string' && v === param.values[i])) return `{{request.params.${param.name}}}`;
    if (values.every((v, i) => typeof v === 'number' && String(v) === param.values[i])) {
      fidelity.numeric.add(param.name);
      return `{{add request.params.${param.name} 0}}`;
    }
  }
  const [firstBody] = sources.bodies;
  for (const path of firstBody?.keys() ?? []) {
    if (values.every((v, i) => sources.bodies[i]?.has(path) === true && same(sources.bodies[i]?.get(path), v))) return `{{request.body.${path}}}`;
  }
  // A time or a generated id stands for "a fresh one": the recorded value itself is not what was meant.
  if (values.every((v) => typeof v === 'string' && ISO.test(v))) return '{{now}}';
  if (values.every((v) => typeof v === 'string' && UUID.test(v))) return '{{uuid}}';
  fidelity.exact = false;
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return `{{int ${Math.min(...(values as number[]))} ${Math.max(...(values as number[]))}}}`;
  return literalTemplate(values.at(-1));
}

/** Values across calls: objects field by field (so a nested field can echo the request), the rest as fields. */
function shapeTemplate(values: readonly unknown[], sources: Sources, fidelity: Fidelity, depth = 0): unknown {
  if (depth > 5 || !values.every(isPlainObject)) return fieldTemplate(values, sources, fidelity);
  const keys = [...new Set(values.flatMap((v) => Object.keys(v)))];
  return Object.fromEntries(keys.map((key) => [key, shapeTemplate(values.map((v) => v[key]), sources, fidelity, depth + 1)]));
}

/**
 * Top-level fields that every answer of these calls copies from its request's JSON body, with values that
 * varied (JSON-RPC's `id`): found over all the calls to a path, so an operation recorded once still echoes them.
 */
export function echoedFields(exchanges: readonly ExchangeLine[]): ReadonlySet<string> {
  const pairs = exchanges.map((x) => [jsonOf(x.request), jsonOf(x.response)] as const);
  const objects = pairs.flatMap(([q, a]) => (q.ok && a.ok && isPlainObject(q.value) && isPlainObject(a.value) ? [[q.value, a.value] as const] : []));
  if (objects.length < 2 || objects.length !== pairs.length) return new Set();
  const keys = Object.keys(objects[0]?.[1] ?? {}).filter((key) => PLAIN_KEY.test(key) && objects.every(([q, a]) => key in q && JSON.stringify(q[key]) === JSON.stringify(a[key])) && new Set(objects.map(([q]) => JSON.stringify(q[key]))).size > 1);
  return new Set(keys);
}

function bodyTemplate(exchanges: readonly ExchangeLine[], params: Params, echoed: ReadonlySet<string>, fidelity: Fidelity): unknown {
  const parsed = exchanges.map((x) => jsonOf(x.response));
  if (!parsed.every((p) => p.ok)) {
    const answers = exchanges.map((x) => textOf(x.response));
    if (new Set(answers).size > 1) fidelity.exact = false;
    return literalTemplate(answers.at(-1));
  }
  const values = parsed.map((p) => (p as { value: unknown }).value);
  const sources = { params, bodies: exchanges.map((x) => {
    const body = jsonOf(x.request);
    return body.ok ? bodyPaths(body.value) : new Map<string, unknown>();
  }) };
  const template = shapeTemplate(values, sources, fidelity);
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

/**
 * The status most calls got; a tie goes to the lower status (a success before a redirect before an error), so
 * the choice does not depend on the order the calls were made in.
 */
function commonStatus(exchanges: readonly ExchangeLine[]): number {
  const counts = [...groupBy(exchanges, (x) => x.response.status)].map(([status, calls]) => ({ status, count: calls.length }));
  counts.sort((a, b) => b.count - a.count || a.status - b.status);
  return (counts[0] as { status: number }).status;
}

export interface Answer {
  /** The `respond` step; undefined when the answer cannot be one (binary), with a note saying so. */
  readonly respond: Obj | undefined;
  /** True when the answer gives back every one of these calls as recorded (times and generated ids aside). */
  readonly exact: boolean;
  /** Path parameters the answer renders as numbers: a route should accept only digits there. */
  readonly numeric: ReadonlySet<string>;
}

/**
 * One answer for `exchanges` (calls of one route; `params[k].values[i]` is call i's value of parameter k).
 * `label` names the route in notes.
 */
export function answerOf(exchanges: readonly ExchangeLine[], params: Params, echoed: ReadonlySet<string>, label: string, notes: string[]): Answer {
  const status = commonStatus(exchanges);
  const chosen = exchanges.flatMap((x, i) => (x.response.status === status ? [i] : []));
  const calls = chosen.map((i) => exchanges[i] as ExchangeLine);
  const fidelity: Fidelity = { exact: calls.length === exchanges.length, numeric: new Set() };
  const last = calls.at(-1) as ExchangeLine;
  if (last.response.encoding === 'base64') {
    notes.push(`${label}: a binary answer is left out (routes answer with text or JSON)`);
    return { respond: undefined, exact: false, numeric: fidelity.numeric };
  }
  const headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => {
    if (!calls.every((x) => x.response.headers[name] === last.response.headers[name])) fidelity.exact = false;
    return last.response.headers[name] === undefined ? [] : [[name, literalTemplate(last.response.headers[name])]];
  }));
  // A stream by its type (a chunked JSON answer is one answer, however it was framed).
  const streaming = /event-stream|ndjson|jsonl/i.test(last.response.headers['content-type'] ?? '');
  const streamed = streaming && last.response.chunks !== undefined ? streamedAnswer(last) : undefined;
  if (streamed !== undefined && new Set(calls.map((x) => (x.response.chunks ?? []).map((c) => c.data).join(''))).size > 1) fidelity.exact = false;
  const recorded = textOf(last.response);
  if (recorded.length === 0 && calls.some((x) => textOf(x.response).length > 0)) fidelity.exact = false;
  const chosenParams = params.map((p) => ({ name: p.name, values: chosen.map((i) => p.values[i] as string) }));
  const respond = streamed ?? { status, headers, ...(recorded.length === 0 ? {} : { body: bodyTemplate(calls, chosenParams, echoed, fidelity) }) };
  if (hasUnwritableBraces(recorded)) notes.push(`${label}: the answer has a backslash right before "{{", which no template escape keeps: edit that value by hand`);
  if (last.response.truncated === true) notes.push(`${label}: the recorded answer was cut at the recording's limit`);
  return { respond, exact: fidelity.exact, numeric: fidelity.numeric };
}
