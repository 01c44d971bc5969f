/**
 * A journal entry as the admin API and the library show it: plain JSON, secrets masked as in recordings
 * (`redact`: headers, query parameters, JSON fields), a payload as its JSON value (`json`), its text (`text`)
 * or base64 (`base64`), and the time as ISO 8601.
 */
import { isText } from '../recording/payload.ts';
import { deeperThan } from '../util/json-depth.ts';
import type { Redactor } from '../security/redact.ts';
import type { JournalEntry, JournalKind, JournalProtocol } from './entry.ts';

export interface JournalPayloadView {
  readonly json?: unknown;
  readonly text?: string;
  readonly base64?: string;
}

export interface JournalEntryView extends JournalPayloadView {
  readonly seq: number;
  readonly time: string;
  readonly protocol: JournalProtocol;
  readonly kind: JournalKind;
  readonly direction?: 'in' | 'out';
  readonly client?: string;
  readonly scope?: string;
  readonly endpoint?: string;
  readonly route?: string;
  readonly size: number;
  readonly truncated?: true;
  readonly topics?: readonly string[];
  readonly recipients?: number;
  readonly reached?: readonly string[];
  readonly missed?: readonly string[];
  readonly source?: string;
  readonly code?: number;
  readonly reason?: string;
  readonly request?: { readonly method: string; readonly path: string; readonly query: Readonly<Record<string, string>>; readonly headers: Readonly<Record<string, string>> } & JournalPayloadView;
  readonly response?: { readonly status: number; readonly ms: number; readonly headers?: Readonly<Record<string, string>> } & JournalPayloadView;
}

/** Text as its JSON value (secret fields masked) when it is JSON, else as text. */
function textView(text: string, redact: Redactor): JournalPayloadView {
  if (/^\s*[[{]/.test(text)) {
    try {
      const value: unknown = JSON.parse(text);
      // JSON nested deeper than anything real is shown as its text: writing it again would overflow the stack.
      if (deeperThan(value)) return { text };
      redact.json(value);
      return { json: value };
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  return { text };
}

function bytesView(bytes: Buffer, redact: Redactor): JournalPayloadView {
  if (bytes.length === 0) return {};
  return isText(bytes) ? textView(bytes.toString('utf8'), redact) : { base64: bytes.toString('base64') };
}

function payloadView(data: string | Buffer | undefined, redact: Redactor): JournalPayloadView {
  if (data === undefined) return {};
  return typeof data === 'string' ? textView(data, redact) : { base64: data.toString('base64') };
}

/**
 * A raw header list as one string per lower-case name (repeated ones joined), secrets masked: by name, and
 * a WebSocket subprotocol by its value (`bearer.<token>` carries a token under a harmless name).
 */
export function rawHeadersView(raw: readonly string[], redact: Redactor): Record<string, string> {
  const flat: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    flat[name] = flat[name] === undefined ? (raw[i + 1] as string) : `${flat[name]}, ${raw[i + 1] as string}`;
  }
  const masked = redact.headers(flat);
  const protocols = masked['sec-websocket-protocol'];
  return protocols === undefined ? masked : { ...masked, 'sec-websocket-protocol': protocols.split(',').map((part) => redact.protocol(part.trim())).join(', ') };
}

/** An answer's body as shown: text or JSON (masked), bytes as text when they are text, else base64. */
function answerView(body: string | Buffer | undefined, redact: Redactor): JournalPayloadView {
  if (body === undefined || body.length === 0) return {};
  return typeof body === 'string' ? textView(body, redact) : bytesView(body, redact);
}

/** A query as written (`?a=1`) as its parameters, the secret ones masked. */
export function queryView(search: string, redact: Redactor): Record<string, string> {
  return Object.fromEntries([...new URLSearchParams(search)].map(([name, value]) => [name, redact.isSecret(name) ? '***' : value]));
}

export function entryView(entry: JournalEntry, redact: Redactor): JournalEntryView {
  const http = entry.http;
  const query = http === undefined ? {} : queryView(http.search, redact);
  return {
    seq: entry.seq,
    time: new Date(entry.at).toISOString(),
    protocol: entry.protocol,
    kind: entry.kind,
    ...(entry.direction === undefined ? {} : { direction: entry.direction }),
    ...(entry.client === undefined ? {} : { client: entry.client }),
    ...(entry.scope === undefined ? {} : { scope: entry.scope }),
    ...(entry.endpoint === undefined ? {} : { endpoint: entry.endpoint }),
    ...(entry.route === undefined ? {} : { route: entry.route }),
    size: entry.size,
    ...(entry.truncated ? { truncated: true as const } : {}),
    ...(entry.topics === undefined ? {} : { topics: entry.topics }),
    ...(entry.recipients === undefined ? {} : { recipients: entry.recipients }),
    ...(entry.reached === undefined ? {} : { reached: entry.reached }),
    ...(entry.missed === undefined ? {} : { missed: entry.missed }),
    ...(entry.source === undefined ? {} : { source: entry.source }),
    ...(entry.code === undefined ? (entry.reason === undefined ? {} : { reason: entry.reason }) : { code: entry.code, reason: entry.reason ?? '' }),
    ...payloadView(entry.data, redact),
    ...(http === undefined
      ? {}
      : { request: { method: http.method, path: http.path, query, headers: rawHeadersView(http.rawHeaders, redact), ...bytesView(http.body, redact) }, response: { status: http.status, ms: http.ms, ...(http.answerHeaders === undefined ? {} : { headers: redact.headers(http.answerHeaders) }), ...answerView(http.answerBody, redact) } }),
  };
}
