/**
 * Opens the upstream side of a proxied connection: the route's URL plus the rest of the client's path and its
 * query, the client's credentials (unless the route says not), the route's own headers and TLS options.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ProxyRouteConfig } from '../config/schema.ts';
import { MockwaveError } from '../errors/catalog.ts';

const FORWARDED = ['authorization', 'cookie'] as const;

export function upstreamUrl(route: ProxyRouteConfig, rest: string, clientQuery: URLSearchParams): string {
  const url = new URL(route.url);
  if (rest !== '' && rest !== '/') url.pathname = `${url.pathname.replace(/\/$/, '')}${rest.startsWith('/') ? rest : `/${rest}`}`;
  for (const [key, value] of clientQuery) url.searchParams.append(key, value);
  for (const [key, value] of Object.entries(route.query)) url.searchParams.set(key, value);
  return url.toString();
}

export function clientProtocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  return header === undefined ? [] : header.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

export function upstreamHeaders(route: ProxyRouteConfig, request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const dropped = new Set(route.dropHeaders.map((h) => h.toLowerCase()));
  if (route.forwardAuth) {
    for (const name of FORWARDED) {
      const value = request.headers[name];
      if (typeof value === 'string' && !dropped.has(name)) headers[name] = value;
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
    throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `proxy route ${route.name}: tls.ca: cannot read ${route.tls.ca}: ${(error as Error).message}`, { cause: error });
  }
  return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: route.tls.rejectUnauthorized };
}

export function openUpstream(route: ProxyRouteConfig, url: string, request: IncomingMessage, tls: { ca?: Buffer; rejectUnauthorized: boolean }, maxPayload: number): WebSocket {
  const protocols = route.forwardAuth ? clientProtocols(request) : [];
  return new WebSocket(url, protocols, {
    headers: upstreamHeaders(route, request),
    handshakeTimeout: route.connectTimeout,
    perMessageDeflate: false,
    maxPayload,
    ...tls,
  });
}
