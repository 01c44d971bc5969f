/**
 * What keeps web pages from driving the admin API. A page on another origin can send a "simple" request
 * (a `text/plain` POST) without a preflight, and a page on a DNS-rebound name can read the answers. So:
 * bound to loopback, a request must name a loopback host (rebinding needs a foreign name); without a
 * configured origin list, a state-changing request from a browser must come from the server's own origin or
 * a loopback one (the developer's own dev server); and an admin body must be declared as JSON, which a page
 * can only do after a preflight that is not answered for foreign origins.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { refusal, type Refusal } from '../errors/refusal.ts';
import { hasBody } from '../util/request-body.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export interface AdminGuardOptions {
  /** The interface the server is bound to (undefined: every interface). */
  readonly host: string | undefined;
  /** The configured CORS origins: when any are set, they decide instead of the same-origin rule. */
  readonly origins: readonly string[];
}

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackName(name: string): boolean {
  const bare = name.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/** The host name of a `Host` header (without its port); undefined when it cannot be read. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  try {
    return new URL(`http://${header}`).hostname;
  } catch {
    return undefined;
  }
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** Whether an Origin is the server's own (the request's Host) or a loopback one. */
export function friendlyOrigin(origin: string, host: string | undefined): boolean {
  const own = originHost(origin);
  if (own === undefined) return false;
  if (host !== undefined && own.toLowerCase() === host.toLowerCase()) return true;
  return isLoopbackName(hostName(own) ?? '');
}

/** Undefined when the request may go on, else why not. Applied to every request the admin layer serves. */
export function guardAdminRequest(request: IncomingMessage, options: AdminGuardOptions): Refusal | undefined {
  const host = request.headers.host;
  if (options.host !== undefined && isLoopbackName(options.host)) {
    const name = hostName(host);
    if (name === undefined || !(isLoopbackName(name) || name === options.host.toLowerCase())) {
      return refusal('MW_FORBIDDEN_HOST', `Host ${JSON.stringify(host ?? '')} is not a name of this server: bound to ${options.host}, it answers only to loopback names (localhost, 127.0.0.1, [::1])`);
    }
  }
  if (!STATE_CHANGING.has(request.method ?? 'GET')) return undefined;
  const origin = request.headers.origin;
  if (options.origins.length === 0 && origin !== undefined && !friendlyOrigin(origin, host)) {
    return refusal('MW_FORBIDDEN_ORIGIN', `Origin ${origin} may not change this server: only its own origin or a loopback one may (set cors.origins / CORS_ORIGINS to allow others)`);
  }
  if (hasBody(request) && !JSON_TYPE.test(request.headers['content-type'] ?? '')) {
    return refusal('MW_UNSUPPORTED_MEDIA_TYPE', `Admin request bodies are JSON: send Content-Type: application/json (got ${request.headers['content-type'] ?? 'none'})`);
  }
  return undefined;
}
