/**
 * Opens the upstream side of a proxied connection: the route's URL plus the rest of the client's path and its
 * query, the client's credentials (unless the route says not), the route's own headers and TLS options.
 *
 * A token that mockwave itself accepted (auth is on and it matched `auth.tokens`) was for mockwave's door:
 * it is never passed on, whether it came as `Authorization: Bearer`, `?token=` or a `bearer.` subprotocol.
 * Every other credential belongs to the upstream and is forwarded as `forwardAuth` says.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ProxyRouteConfig } from './schema.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { BEARER_PROTOCOL } from '../security/tokens.ts';
import { wsDeflateOptions } from '../transport/deflate.ts';
import { errorMessage } from '../errors/error-message.ts';

/** Whether a token presented by the client is one mockwave accepted for itself. */
export type Consumed = (token: string) => boolean;

const FORWARDED = ['authorization', 'cookie'] as const;

export function upstreamUrl(route: ProxyRouteConfig, rest: string, clientQuery: URLSearchParams, consumed: Consumed): string {
  const url = new URL(route.url);
  if (rest !== '' && rest !== '/') url.pathname = `${url.pathname.replace(/\/$/, '')}${rest.startsWith('/') ? rest : `/${rest}`}`;
  for (const [key, value] of clientQuery) if (!(key === 'token' && consumed(value))) url.searchParams.append(key, value);
  for (const [key, value] of Object.entries(route.query)) url.searchParams.set(key, value);
  return url.toString();
}

/** The subprotocols the client offered, less a `bearer.<token>` that mockwave consumed. */
export function clientProtocols(request: IncomingMessage, consumed: Consumed): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '' && !(p.startsWith(BEARER_PROTOCOL) && consumed(p.slice(BEARER_PROTOCOL.length))));
}

function consumedHeader(value: string, consumed: Consumed): boolean {
  const bearer = /^bearer\s+(.*)$/i.exec(value);
  return bearer !== null && consumed((bearer[1] ?? '').trim());
}

export function upstreamHeaders(route: ProxyRouteConfig, request: IncomingMessage, consumed: Consumed): Record<string, string> {
  const headers: Record<string, string> = {};
  const dropped = new Set(route.dropHeaders.map((h) => h.toLowerCase()));
  if (route.forwardAuth) {
    for (const name of FORWARDED) {
      const value = request.headers[name];
      if (typeof value !== 'string' || dropped.has(name)) continue;
      if (name === 'authorization' && consumedHeader(value, consumed)) continue;
      headers[name] = value;
    }
  }
  for (const [name, value] of Object.entries(route.headers)) headers[name.toLowerCase()] = value;
  return headers;
}

/** The CA file is read once per route, when the proxy is built, so a bad path fails at start. */
export function tlsOptions(route: ProxyRouteConfig): { ca?: Buffer; rejectUnauthorized: boolean } {
  if (route.tls === undefined) return { rejectUnauthorized: true };
  let ca: Buffer | undefined;
  try {
    ca = route.tls.ca === undefined ? undefined : readFileSync(route.tls.ca);
  } catch (error) {
    throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `proxy route ${route.name}: tls.ca: cannot read ${route.tls.ca}: ${errorMessage(error)}`, { cause: error });
  }
  return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: route.tls.rejectUnauthorized };
}

export function openUpstream(route: ProxyRouteConfig, url: string, request: IncomingMessage, tls: { ca?: Buffer; rejectUnauthorized: boolean }, maxPayload: number, consumed: Consumed): WebSocket {
  const protocols = route.forwardAuth ? clientProtocols(request, consumed) : [];
  return new WebSocket(url, protocols, {
    headers: upstreamHeaders(route, request, consumed),
    handshakeTimeout: route.connectTimeout,
    perMessageDeflate: wsDeflateOptions(route.upstreamPerMessageDeflate),
    maxPayload,
    ...tls,
  });
}
