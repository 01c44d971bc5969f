/**
 * An HTTP request as routes see it: method, path, query, headers, cookies and its body, read once with a
 * size cap and a deadline (a client that trickles its body cannot hold a request open for ever). The body
 * is a `Message`, so a route's body matcher reads it exactly as a rule reads a WebSocket message.
 */
import type { IncomingMessage } from 'node:http';
import { MockwaveError } from '../errors/catalog.ts';
import { Message } from '../util/message.ts';

export interface HttpRequestView {
  readonly method: string;
  readonly path: string;
  /** The query as written (`?a=1`, or ''), for forwarding it unchanged. */
  readonly search: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names; repeated headers joined with ", " as HTTP allows. */
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: Readonly<Record<string, string>>;
  readonly body: Message;
  /** The raw request, for forwarding. */
  readonly raw: IncomingMessage;
}

export interface BodyLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** Reads the whole body, refusing one over `maxBytes` (413) or one not complete within `timeoutMs` (408). */
export function readBody(request: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limits.maxBytes) {
      request.resume();
      reject(new MockwaveError('MW_HTTP_BODY_TOO_LARGE', `Request body of ${declared} bytes is over http.maxBodyBytes (${limits.maxBytes})`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => fail(new MockwaveError('MW_HTTP_BODY_TIMEOUT', `Request body not complete within http.bodyTimeout (${limits.timeoutMs} ms)`)), limits.timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.resume();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) fail(new MockwaveError('MW_HTTP_BODY_TOO_LARGE', `Request body is over http.maxBodyBytes (${limits.maxBytes})`));
      else chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    request.once('error', (error) => fail(error));
  });
}

function cookiesOf(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (name !== '' && !Object.hasOwn(out, name)) Object.defineProperty(out, name, { value: part.slice(at + 1).trim(), enumerable: true });
  }
  return out;
}

/** Own-property records only: a query or header named `__proto__` stays a key. */
function record(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of entries) if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value, enumerable: true });
  return out;
}

/** `url`: the request's URL, parsed once by whoever routed it. */
export function requestView(request: IncomingMessage, url: URL, body: Buffer): HttpRequestView {
  const headers = record(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
  return {
    method: request.method ?? 'GET',
    path: url.pathname,
    search: url.search,
    query: record(url.searchParams),
    headers,
    cookies: cookiesOf(headers['cookie']),
    body: new Message(body, false),
    raw: request,
  };
}
