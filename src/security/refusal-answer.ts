/**
 * The one writer of an error answer over HTTP, from a `Refusal`: for the admin API, the HTTP routes,
 * Server-Sent Events connects, `http.rateLimit` and a request that failed to be answered. The status is the
 * refusal's (from the catalog); the body is the catalog's envelope (`refusalBody`); the headers are the
 * request's CORS grant (so a page on an allowed origin can read why it was refused), the Bearer challenge of
 * a 401, and what the refusal itself names (Allow, Retry-After). A refused WebSocket upgrade is answered on
 * its raw socket (src/transport/handshake.ts), with the same envelope.
 */
import type { ServerResponse } from 'node:http';
import { refusalBody, type Meta, type Refusal } from '../errors/refusal.ts';
import type { CorsGrant } from './cors.ts';

export interface RefusalAnswer {
  /** The answer's metadata (timestamp, requestId), in the envelope. */
  readonly meta: Meta;
  /** The request's CORS grant; undefined for a request no page can have sent (a refused target). */
  readonly cors: CorsGrant | undefined;
  /** Headers the refusal names: Allow for a 405, Retry-After for a 429. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Fields beside `error` in the body: a 404's `closest` routes. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** Answers `refused`; returns its status (for the caller's figures). */
export function answerRefusal(response: ServerResponse, refused: Refusal, answer: RefusalAnswer): number {
  const challenge = refused.code === 'MW_UNAUTHORIZED' ? { 'WWW-Authenticate': 'Bearer' } : undefined;
  writeJson(response, refused.status, refusalBody(refused, answer.meta, answer.fields), { ...answer.cors?.headers, ...challenge, ...answer.headers });
  return refused.status;
}

/** A JSON answer that no cache keeps: the admin API's data answers and every error answer. */
export function writeJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  response.end(text);
}
