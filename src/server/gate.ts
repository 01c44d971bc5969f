/**
 * The handshake gate: whether a WebSocket upgrade may go on, and to which acceptor. Checked in this order,
 * so a client that may not connect learns nothing about the endpoints: WebSocket on at all, then the one
 * access check of every door (origin, token, connection limit: src/security/access.ts); then the proxy's
 * routes, then the endpoints. Each "no" is a Refusal from the catalog.
 */
import type { IncomingMessage } from 'node:http';
import type { MockwaveConfig } from '../config/schema.ts';
import { clip } from '../dialects/types.ts';
import { refusal } from '../errors/refusal.ts';
import type { Logger } from '../log/logger.ts';
import type { ProxyRouter } from '../proxy/router.ts';
import { accessPolicy, accessRefusal } from '../security/access.ts';
import { friendlyOrigin } from '../security/admin-guard.ts';
import type { Acceptor, RouteResult } from '../transport/transport.ts';
import type { RequestTarget } from '../util/request-target.ts';
import { doorRefusal } from '../endpoint/door-fault.ts';
import { proxyPathOf } from './build.ts';
import type { EndpointRegistry } from './registry.ts';

export interface GateContext {
  readonly config: MockwaveConfig;
  readonly registry: EndpointRegistry;
  readonly proxy: ProxyRouter | undefined;
  /** WebSocket clients connected now. */
  clients(): number;
  readonly logger: Logger;
  /** Told of each upgrade accepted, with the client it became (the dashboard's request list). */
  readonly upgraded?: ((path: string, client: string) => void) | undefined;
}

/** The acceptor, telling `upgraded` of each client it takes (one small object per upgrade). */
function noting(acceptor: Acceptor, path: string, upgraded: (path: string, client: string) => void): Acceptor {
  return {
    endpoint: acceptor.endpoint,
    perMessageDeflate: acceptor.perMessageDeflate,
    ...(acceptor.prepare === undefined ? {} : { prepare: (request: IncomingMessage) => acceptor.prepare?.(request) }),
    accept: (peer, request) => {
      const connection = acceptor.accept(peer, request);
      upgraded(path, peer.id);
      return connection;
    },
  };
}

/** Foreign origins logged once each; bounded, so a flood of made-up origins cannot grow it. */
const MAX_ORIGINS_NOTED = 1000;

export function createHandshakeGate(context: GateContext): (request: IncomingMessage, target: RequestTarget) => RouteResult {
  const { config, registry, proxy, logger } = context;
  const proxyPath = proxyPathOf(config);
  const noted = new Set<string>();
  const noteOrigin = (request: IncomingMessage): void => {
    const origin = request.headers.origin;
    if (origin === undefined || config.cors.origins.length > 0 || noted.has(origin) || noted.size >= MAX_ORIGINS_NOTED) return;
    if (friendlyOrigin(origin, request.headers.host)) return;
    noted.add(origin);
    logger.info(`WebSocket connection from the foreign origin ${clip(origin)}: any origin may connect (set CORS_ORIGINS to restrict); logged once per origin`);
  };
  const no = (code: Parameters<typeof refusal>[0], message: string): RouteResult => ({ ok: false, refusal: refusal(code, message) });
  const access = accessPolicy('websocket', config, config.websocket.maxConnections);

  const upgraded = context.upgraded;
  const route = (request: IncomingMessage, target: RequestTarget): RouteResult => {
    const pathname = target.path;
    noteOrigin(request);
    if (!config.websocket.enabled) return no('MW_WEBSOCKET_DISABLED', 'WebSocket connections are disabled (websocket.enabled is false)');
    const refused = accessRefusal(request, access, context.clients());
    if (refused !== undefined) return { ok: false, refusal: refused };
    const proxied = proxy?.match(pathname);
    if (proxied?.kind === 'route') return { ok: true, acceptor: proxied.acceptor };
    if (proxied?.kind === 'unknown') return no('MW_UNKNOWN_ROUTE', `No proxy route named ${proxied.name} (routes: ${config.proxy.routes.map((r) => r.name).join(', ') || 'none'})`);
    if (proxied?.kind === 'invalid') return no('MW_INVALID_PATH', `Proxy path refused: ${proxied.reason}`);
    const endpoint = registry.match(pathname);
    if (endpoint?.config.protocol === 'sse') return no('MW_UNKNOWN_ENDPOINT', `${pathname} is a Server-Sent Events endpoint: open it with EventSource (GET, Accept: text/event-stream), not a WebSocket`);
    if (endpoint !== undefined) {
      const door = endpoint.doorFault();
      if (door === undefined) return { ok: true, acceptor: endpoint };
      const refused = doorRefusal(door, pathname);
      return { ok: false, refusal: refused.refusal, headers: refused.headers, reset: refused.reset };
    }
    if (proxy === undefined && pathname.startsWith(`${proxyPath}/`)) {
      return no('MW_PROXY_DISABLED', `The proxy is disabled: ${pathname} would be a proxy route (turn it on with proxy.enabled or WEBSOCKET_PROXY_ENABLED=true)`);
    }
    return no('MW_UNKNOWN_ENDPOINT', `No WebSocket endpoint at ${pathname} (endpoints: ${registry.paths()})`);
  };
  if (upgraded === undefined) return route;
  return (request, target) => {
    const routed = route(request, target);
    return routed.ok ? { ok: true, acceptor: noting(routed.acceptor, target.path, upgraded) } : routed;
  };
}
