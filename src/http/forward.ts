/**
 * Sending a request on to a real API: a route's `forward` step, and `http.fallback` for every request no
 * route answers. Method, path (after the target's own path), query, headers and body go as they came, less
 * the hop-by-hop headers and a token mockwave itself accepted (that one was for mockwave's door); the answer
 * comes back as it is (status, headers, compression, redirects not followed), streamed.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import { systemClock } from '../util/clock.ts';
import { encodedSeparatorProblem } from '../util/encoded-path.ts';
import type { ForwardedExchange } from '../recording/http-recorder.ts';
import type { HttpRequestView } from './request.ts';
import type { SentAnswer } from './respond.ts';
import { JOURNAL_PAYLOAD_BYTES } from '../journal/index.ts';

const flat = (headers: Record<string, string | string[] | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])));

/** Headers that belong to one connection, not to the request (RFC 9110 7.6.1), and the target's own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

export interface ForwardOptions {
  /** Whether a bearer token the client sent is one mockwave accepted (then it is not passed on). */
  readonly consumed: (token: string) => boolean;
  readonly timeoutMs: number;
  /** Given each exchange once its answer has ended, when recording (`http.record`). */
  readonly record?: ((exchange: ForwardedExchange) => void) | undefined;
  /** Bytes of an answer kept for the recording; the rest is forwarded but not kept. */
  readonly recordMaxBytes?: number;
  readonly now?: () => number;
}

function targetUrl(base: string, path: string, search: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/$/, '')}${path}`;
  url.search = search;
  return url;
}

function forwardedHeaders(request: IncomingMessage, options: ForwardOptions): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (name === 'authorization' && typeof value === 'string') {
      const bearer = /^bearer\s+(.*)$/i.exec(value);
      if (bearer !== null && options.consumed((bearer[1] ?? '').trim())) continue;
    }
    headers[name] = value;
  }
  return headers;
}

/**
 * Forwards and pipes the answer; resolves with its status once it has ended, with 499 when the client left
 * first (an endless event stream is left this way) and 502 when the API broke off mid-answer. Rejects with
 * MW_HTTP_UPSTREAM_FAILED before any byte was written, and with MW_INVALID_PATH (400) before connecting.
 */
export function forward(view: HttpRequestView, response: ServerResponse, base: string, options: ForwardOptions, sent?: SentAnswer): Promise<number> {
  // Refused before anything is sent: the API must never see a path that could climb out of `base` (as the proxy).
  const encoded = encodedSeparatorProblem(view.path);
  if (encoded !== undefined) return Promise.reject(new MockwaveError('MW_INVALID_PATH', `Not forwarded: the path ${encoded}`));
  const { raw: request, body: { data: body } } = view;
  const target = targetUrl(base, view.path, view.search);
  return new Promise((resolveOnce, reject) => {
    let settled = false;
    const resolve = (status: number): void => {
      if (settled) return;
      settled = true;
      resolveOnce(status);
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = forwardedHeaders(request, options);
    if (body.length > 0) headers['content-length'] = String(body.length);
    const now = options.now ?? systemClock.now;
    const started = now();
    const outgoing = send(target, { method: request.method, headers, timeout: options.timeoutMs }, (answer) => {
      if (options.record !== undefined) recordAnswer(answer, view, started, now, options.record, options.recordMaxBytes ?? 1024 * 1024);
      const passed: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        // The answer keeps its length; the framing of this hop is Node's to choose.
        if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'content-length')) continue;
        passed[name] = value;
      }
      response.writeHead(answer.statusCode ?? 502, passed);
      if (sent !== undefined) noteAnswer(answer, passed, sent);
      answer.pipe(response);
      answer.once('error', () => {
        resolve(502);
        response.destroy();
      });
      answer.once('end', () => resolve(answer.statusCode ?? 502));
    });
    const fail = (why: string): void => {
      outgoing.destroy();
      if (response.headersSent) {
        response.destroy();
        resolve(502);
      } else reject(new MockwaveError('MW_HTTP_UPSTREAM_FAILED', `${request.method ?? 'GET'} ${target.origin}${target.pathname}: ${why}`));
    };
    outgoing.once('timeout', () => fail(`no answer within ${options.timeoutMs} ms`));
    outgoing.once('error', (error) => fail(errorMessage(error)));
    // The client going away ends the forwarded request too.
    response.once('close', () => {
      if (response.writableFinished) return;
      outgoing.destroy();
      if (response.headersSent) resolve(499);
    });
    outgoing.end(body.length > 0 ? body : undefined);
  });
}

/** Notes the API's answer for the journal: its head, and its body up to JOURNAL_PAYLOAD_BYTES bytes. */
function noteAnswer(answer: IncomingMessage, head: Record<string, string | string[]>, sent: SentAnswer): void {
  sent.headers = head;
  const kept: Buffer[] = [];
  let size = 0;
  answer.on('data', (chunk: Buffer) => {
    if (size >= JOURNAL_PAYLOAD_BYTES) return;
    kept.push(chunk.subarray(0, JOURNAL_PAYLOAD_BYTES - size));
    size += chunk.length;
  });
  answer.once('end', () => {
    sent.body = Buffer.concat(kept);
  });
}

/**
 * Keeps what the answer says (up to `max` bytes, and its chunks with their times when it streams) for the
 * recording. A stream is recorded however it ended (an endless one ends when its client leaves: what that
 * client got is the recording); any other answer only when it arrived whole.
 */
function recordAnswer(answer: IncomingMessage, view: HttpRequestView, started: number, now: () => number, record: (exchange: ForwardedExchange) => void, max: number): void {
  const head = now();
  const streamed = /event-stream|ndjson|jsonl/i.test(answer.headers['content-type'] ?? '');
  const kept: Buffer[] = [];
  const chunks: { t: number; data: Buffer }[] = [];
  let size = 0;
  let truncated = false;
  answer.on('data', (chunk: Buffer) => {
    if (size + chunk.length > max) truncated = true;
    const room = Math.max(0, max - size);
    if (room > 0) {
      const part = chunk.subarray(0, room);
      kept.push(part);
      if (streamed) chunks.push({ t: now() - head, data: part });
    }
    size += chunk.length;
  });
  answer.once('close', () => {
    if (!answer.complete && !streamed) return;
    record({
      started,
      ended: now(),
      // The query as the URL gave it (a repeated name keeps its last value), not the routes' first-wins view.
      request: { method: view.method, path: view.path, query: Object.fromEntries(new URLSearchParams(view.search)), headers: flat(view.raw.headers), body: view.body.data },
      response: { status: answer.statusCode ?? 502, headers: flat(answer.headers), body: Buffer.concat(kept), truncated, chunks: streamed ? chunks : undefined },
    });
  });
}

