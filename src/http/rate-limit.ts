/**
 * `http.rateLimit`: HTTP requests per client address, beside `websocket.rateLimit` (which counts a
 * client's WebSocket messages). It applies to what a client of the mock sends: routes, the fallback and
 * Server-Sent Events connects. The admin API, `/metrics` and the dashboard are not limited: they are how a
 * person or a test harness sees and steers a server that is being flooded (and they have their own token
 * when `auth` is on), so a limited address must still be able to reach them.
 *
 * A request over the limit is answered 429 with `Retry-After` (whole seconds until the address may send
 * again) and the catalog's error, by the one error writer (with CORS headers for a page on an allowed origin,
 * so it can tell a 429 from a network failure); its body is not read (a large one closes the connection,
 * `skipBody`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refusal, type Meta, type Refusal } from '../errors/refusal.ts';
import { corsGrant, type CorsPolicy } from '../security/cors.ts';
import { KeyedRateGate } from '../security/rate-limit.ts';
import { answerRefusal } from '../security/refusal-answer.ts';
import { skipBody } from './body.ts';

export interface HttpRateLimit {
  readonly requestsPerSecond: number;
  readonly burst?: number | undefined;
}

/** Client addresses remembered; past this, the least recently seen is forgotten (it starts again with a full bucket). */
const MAX_ADDRESSES = 10_000;

export interface HttpRateLimitContext {
  readonly now: () => number;
  /** Counts and logs a refusal; returns its envelope, whose metadata the answer carries. */
  readonly refused: (refused: Refusal, request: IncomingMessage) => { readonly meta: Meta };
  /** `cors`: the limited requests are the mock's (routes, Server-Sent Events), answered with its CORS headers. */
  readonly cors: CorsPolicy;
}

/** Returns `limited(request, response)`: true when the request was over the limit and has been answered 429. */
export function httpRateLimit(limit: HttpRateLimit, context: HttpRateLimitContext): (request: IncomingMessage, response: ServerResponse) => boolean {
  const gate = new KeyedRateGate({ perSecond: limit.requestsPerSecond, burst: limit.burst }, context.now, MAX_ADDRESSES);
  return (request, response) => {
    const address = request.socket.remoteAddress ?? 'unknown';
    const waitMs = gate.admit(address);
    if (waitMs === undefined) return false;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    const refused = refusal('MW_HTTP_RATE_LIMITED', `${address} sent more than http.rateLimit allows (${limit.requestsPerSecond} requests per second): retry in ${seconds} s`);
    const { meta } = context.refused(refused, request);
    skipBody(request, response);
    answerRefusal(response, refused, { meta, cors: corsGrant(request.headers.origin, context.cors, 'mock'), headers: { 'Retry-After': String(seconds) } });
    return true;
  };
}
