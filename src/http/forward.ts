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

/** Headers that belong to one connection, not to the request (RFC 9110 7.6.1), and the target's own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

export interface ForwardOptions {
  /** Whether a bearer token the client sent is one mockwave accepted (then it is not passed on). */
  readonly consumed: (token: string) => boolean;
  readonly timeoutMs: number;
}

export function targetUrl(base: string, path: string, search: string): URL {
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

/** Forwards and pipes the answer; resolves with its status. Rejects with MW_HTTP_UPSTREAM_FAILED before any byte was written. */
export function forward(request: IncomingMessage, body: Buffer, response: ServerResponse, target: URL, options: ForwardOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = forwardedHeaders(request, options);
    if (body.length > 0) headers['content-length'] = String(body.length);
    const outgoing = send(target, { method: request.method, headers, timeout: options.timeoutMs }, (answer) => {
      const passed: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        // The answer keeps its length; the framing of this hop is Node's to choose.
        if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'content-length')) continue;
        passed[name] = value;
      }
      response.writeHead(answer.statusCode ?? 502, passed);
      answer.pipe(response);
      answer.once('error', () => response.destroy());
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
      if (!response.writableFinished) outgoing.destroy();
    });
    outgoing.end(body.length > 0 ? body : undefined);
  });
}
