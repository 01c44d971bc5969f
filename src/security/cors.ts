/**
 * CORS: the one builder of the headers mockwave gives a browser page on another origin, for the mock's side
 * (HTTP routes and Server-Sent Events) and for the admin API alike.
 *
 * The mock's side stands for a real API that front ends on a dev server call, so with no `cors.origins` it
 * answers any origin (the origin echoed), with `*` in the list any origin as `*`, else only those listed. The
 * admin API answers only the origins listed (or `*`); its other guards are in admin-guard.ts.
 *
 * Credentials (cookies) are the part that needs care: a credentialed answer lets the page read what the
 * user's cookies unlock, so browsers require the exact origin (never `*`) and
 * `Access-Control-Allow-Credentials: true`, and read `*` in the other headers as a plain name. mockwave grants
 * them only with `cors.credentials: true`, and then only to an origin listed by name in `cors.origins`, or on
 * the mock's side, when the list is empty or `*`, to a loopback origin (localhost, *.localhost, 127.0.0.0/8,
 * [::1]: the developer's own dev server). Any other origin keeps the answer it had without credentials.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { presetHeaders } from '../util/answer-response.ts';
import { isLoopbackName } from './admin-guard.ts';
import { originAllowed } from './origins.ts';

/** `cors` of the configuration. */
export interface CorsPolicy {
  readonly origins: readonly string[];
  readonly credentials: boolean;
}

/** Who answers: the mock (routes, Server-Sent Events) or the admin API (listed origins only, fixed headers). */
export type CorsSide = 'mock' | 'admin';

export interface CorsGrant {
  readonly side: CorsSide;
  /** The Access-Control-Allow-Origin value; undefined for a request without Origin or from an origin refused. */
  readonly origin: string | undefined;
  /** Whether the page may send cookies and read the answer (Access-Control-Allow-Credentials). */
  readonly credentials: boolean;
  /** The headers every answer to this request carries. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The request headers the admin API takes from another origin: its token and a JSON body. */
const ADMIN_REQUEST_HEADERS = 'Authorization, Content-Type';
/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600';
/**
 * Every answer names Origin in Vary, also one to a request without Origin: the CORS headers depend on it, so
 * a cache must not hand one origin's answer (or the answer without any) to another.
 */
const VARY = Object.freeze({ Vary: 'Origin' });

function loopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackName(url.hostname);
  } catch {
    return false;
  }
}

/** Which origin the answer names, and whether with credentials. */
function decide(origin: string, policy: CorsPolicy, side: CorsSide): { origin: string | undefined; credentials: boolean } {
  const { origins, credentials } = policy;
  if (origins.includes(origin)) return { origin, credentials };
  const any = origins.includes('*');
  if (side === 'admin') return { origin: any ? '*' : undefined, credentials: false };
  if (!originAllowed(origin, origins)) return { origin: undefined, credentials: false };
  if (credentials && loopbackOrigin(origin)) return { origin, credentials: true };
  return { origin: any ? '*' : origin, credentials: false };
}

/** The CORS answer to a request with this Origin header (undefined: not a cross-origin browser request). */
export function corsGrant(origin: string | undefined, policy: CorsPolicy, side: CorsSide): CorsGrant {
  if (origin === undefined) return { side, origin: undefined, credentials: false, headers: VARY };
  const decided = decide(origin, policy, side);
  if (decided.origin === undefined) return { side, ...decided, headers: VARY };
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': decided.origin, ...VARY };
  if (decided.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
  // Without credentials `*` exposes every header; with them browsers read it as a name, so the names are
  // written when the answer is (exposeWrittenHeaders).
  else headers['Access-Control-Expose-Headers'] = '*';
  return { side, ...decided, headers };
}

/** Sets a grant's headers on a response, for every answer it gives (a route's own, an error). */
export function applyCors(response: ServerResponse, grant: CorsGrant): void {
  presetHeaders(response, grant.headers);
}

/** Whether a request is a CORS preflight: OPTIONS with Access-Control-Request-Method. */
export function isPreflight(request: IncomingMessage): boolean {
  return request.method === 'OPTIONS' && typeof request.headers['access-control-request-method'] === 'string';
}

/**
 * The headers of a preflight's answer: the methods given, the request headers asked for (named back, since
 * `*` is a plain name to a credentialed request; the admin API names its own), and how long to keep it. Only
 * the Vary header for an origin the grant refused.
 */
export function preflightHeaders(grant: CorsGrant, request: IncomingMessage, methods: readonly string[]): Record<string, string> {
  if (grant.origin === undefined) return { ...VARY };
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': grant.origin, ...VARY, 'Access-Control-Allow-Methods': methods.join(', '), 'Access-Control-Max-Age': PREFLIGHT_MAX_AGE };
  if (grant.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
  const asked = request.headers['access-control-request-headers'];
  const allowed = grant.side === 'admin' ? ADMIN_REQUEST_HEADERS : asked;
  if (allowed !== undefined && allowed !== '') headers['Access-Control-Allow-Headers'] = allowed;
  return headers;
}

/** Answers a preflight: 204 with its headers for these methods, and any others given (the admin API's Allow). */
export function answerPreflight(response: ServerResponse, grant: CorsGrant, request: IncomingMessage, methods: readonly string[], headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(204, { ...headers, ...preflightHeaders(grant, request, methods) });
  response.end();
}

/** Headers never worth exposing: CORS's own, Vary, and Set-Cookie (which browsers never show a page). */
const NOT_EXPOSED = /^(?:access-control-|vary$|set-cookie$)/;

/**
 * A credentialed answer must name the headers a page may read (`*` does not count there), and which headers
 * an answer has is known only when it is written (a route's own, a forwarded API's): so the response's
 * writeHead names them first. Node's implicit head (`end()` without writeHead) goes through writeHead too.
 * Only answers granted credentials pay for this.
 */
export function exposeWrittenHeaders(response: ServerResponse): void {
  const writeHead = response.writeHead;
  response.writeHead = ((...args: unknown[]) => {
    const names = new Set(response.getHeaderNames());
    const given = args.slice(1).find((arg) => typeof arg === 'object' && arg !== null);
    // Node takes the headers as an object or as a flat [name, value, name, value] list.
    if (Array.isArray(given)) for (let i = 0; i < given.length; i += 2) names.add(String(given[i]).toLowerCase());
    else if (given !== undefined) for (const name of Object.keys(given)) names.add(name.toLowerCase());
    const exposed = [...names].filter((name) => !NOT_EXPOSED.test(name));
    if (exposed.length > 0) response.setHeader('Access-Control-Expose-Headers', exposed.join(', '));
    return Reflect.apply(writeHead, response, args) as ServerResponse;
  }) as ServerResponse['writeHead'];
}
