/**
 * Recorded HTTP exchanges as HTTP routes: one route per method and path pattern, a path segment becoming a
 * `:param` where the recording shows ids varying in it; the answer as recorded, with the JSON fields that
 * varied across calls turned into templates (the path parameter or request field they echoed, the time, a
 * fresh UUID) and the rest literal; a streamed answer replayed chunk by chunk with its average gap.
 */
import { bodyBytes, type ExchangeLine, type HttpRecording } from './http-format.ts';

type Obj = Record<string, unknown>;

const ID = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|[A-Za-z]{0,4}[-_]?\d+)$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Response headers a route answers with (the rest describe the recorded hop, or are secrets masked anyway). */
const KEPT_HEADERS = ['content-type', 'location', 'cache-control', 'etag'];

function json(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** `orders` -> `orderId`: a parameter named after the collection before it. */
function paramName(previous: string | undefined, taken: Set<string>): string {
  const base = previous === undefined || previous === '' || ID.test(previous) ? 'id' : `${previous.replace(/[^\w]/g, '').replace(/ies$/, 'y').replace(/s$/, '')}Id`;
  let name = /^[A-Za-z_]/.test(base) ? base : 'id';
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

/** A field's template across calls: literal when it never changed, else what explains its values. */
function fieldTemplate(values: readonly unknown[], exchanges: readonly ExchangeLine[], params: readonly { readonly name: string; readonly values: readonly string[] }[]): unknown {
  const first = values[0];
  if (values.every((v) => JSON.stringify(v) === JSON.stringify(first))) return first;
  for (const param of params) if (values.every((v, i) => String(v) === param.values[i])) return `{{request.params.${param.name}}}`;
  const bodies = exchanges.map((x) => json(x.request.body));
  if (bodies.every((b) => b.ok && b.value !== null && typeof b.value === 'object')) {
    for (const key of Object.keys((bodies[0] as { value: Obj }).value)) {
      if (values.every((v, i) => JSON.stringify(((bodies[i] as { value: Obj }).value)[key]) === JSON.stringify(v))) return `{{request.body.${key}}}`;
    }
  }
  if (values.every((v) => typeof v === 'string' && ISO.test(v))) return '{{now}}';
  if (values.every((v) => typeof v === 'string' && UUID.test(v))) return '{{uuid}}';
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return `{{int ${Math.min(...(values as number[]))} ${Math.max(...(values as number[]))}}}`;
  return values.at(-1);
}

function bodyTemplate(exchanges: readonly ExchangeLine[], params: readonly { readonly name: string; readonly values: readonly string[] }[]): unknown {
  const parsed = exchanges.map((x) => json(x.response.body));
  const last = exchanges.at(-1) as ExchangeLine;
  if (!parsed.every((p) => p.ok)) return last.response.body;
  const values = parsed.map((p) => (p as { value: unknown }).value);
  const shapes = values.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  if (!shapes) return fieldTemplate(values, exchanges, params);
  const keys = [...new Set(values.flatMap((v) => Object.keys(v as Obj)))];
  return Object.fromEntries(keys.map((key) => [key, fieldTemplate(values.map((v) => (v as Obj)[key]), exchanges, params)]));
}

/** A streamed answer: its events (Server-Sent Events) or lines (JSON lines) as chunks, and its average gap. */
function streamedAnswer(last: ExchangeLine): Obj | undefined {
  const chunks = last.response.chunks ?? [];
  const text = chunks.map((c) => c.data).join('');
  const events = /event-stream/i.test(last.response.headers['content-type'] ?? '');
  const pieces = events
    ? text.split(/\r?\n\r?\n/).map((block) => block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n')).filter((d) => d !== '')
    : text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (pieces.length === 0) return undefined;
  const done = events && pieces.at(-1) === '[DONE]' ? pieces.pop() : undefined;
  const gaps = chunks.slice(1).map((c, i) => c.t - (chunks[i] as { t: number }).t);
  const chunkDelay = gaps.length === 0 ? 0 : Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length);
  return { status: last.response.status, format: events ? 'sse' : 'ndjson', chunkDelay, chunks: pieces.map((p) => { const parsed = json(p); return parsed.ok ? parsed.value : p; }), ...(done === undefined ? {} : { done }) };
}

export function httpRecordingsToRoutes(recordings: readonly HttpRecording[]): { routes: Obj[]; notes: string[] } {
  const notes: string[] = [];
  const groups = new Map<string, ExchangeLine[]>();
  for (const exchange of recordings.flatMap((r) => r.exchanges)) {
    const shape = exchange.request.path.split('/').map((segment) => (ID.test(segment) ? '*' : segment)).join('/');
    const key = `${exchange.request.method} ${shape}`;
    groups.set(key, [...(groups.get(key) ?? []), exchange]);
  }
  const routes: Obj[] = [];
  for (const exchanges of groups.values()) {
    const last = exchanges.at(-1) as ExchangeLine;
    if (last.response.encoding === 'base64') {
      notes.push(`${last.request.method} ${last.request.path}: a binary answer is left out (routes answer with text or JSON)`);
      continue;
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
    const headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => (last.response.headers[name] === undefined ? [] : [[name, last.response.headers[name] as string]])));
    // A stream by its type (a chunked JSON answer is one answer, however it was framed).
    const streaming = /event-stream|ndjson|jsonl/i.test(last.response.headers['content-type'] ?? '');
    const streamed = streaming && last.response.chunks !== undefined ? streamedAnswer(last) : undefined;
    const respond = streamed ?? { status: last.response.status, headers, ...(bodyBytes(last.response).length === 0 ? {} : { body: bodyTemplate(exchanges, params) }) };
    if (last.response.truncated === true) notes.push(`${last.request.method} ${last.request.path}: the recorded answer was cut at the recording's limit`);
    routes.push({ name: `${last.request.method} ${pattern.join('/')}`, method: last.request.method, path: pattern.join('/') || '/', then: [{ respond }] });
  }
  return { routes, notes };
}
