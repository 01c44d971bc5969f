/**
 * The admin HTTP API. Routes are a table of method + path -> handler over an AdminView, an interface the
 * server provides; the admin layer never reaches into server internals.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CATALOG } from '../errors/catalog.ts';
import { sendData, sendError, type Meta } from './envelope.ts';

export interface WebSocketStats {
  readonly enabled: boolean;
  readonly connectedClients: number;
  readonly proxyConnections: number;
  /** Per proxy route: connections, failures, messages and bytes each way, dropped messages. */
  readonly proxyRoutes?: Readonly<Record<string, unknown>>;
}

export interface AdminView {
  stats(): WebSocketStats;
  /** What the server serves: version, endpoints and their streams. */
  describe(): unknown;
  now(): number;
  requestId(): string;
}

type Handler = (view: AdminView) => { status: number; data: unknown };

const ROUTES: Readonly<Record<string, Readonly<Record<string, Handler>>>> = {
  '/': { GET: (view) => ({ status: 200, data: view.describe() }) },
  '/admin/websocket/stats': { GET: (view) => ({ status: 200, data: view.stats() }) },
};

export function createAdminHandler(view: AdminView): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const meta: Meta = { timestamp: new Date(view.now()).toISOString(), requestId: view.requestId() };
    const method = request.method ?? 'GET';
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/(?<=.)\/+$/, '');
    // Bodies are not read by any route yet; drain them so the connection can be reused.
    request.resume();
    const route = ROUTES[pathname];
    if (route === undefined) {
      sendError(response, ERROR_CATALOG.MW_ADMIN_NOT_FOUND.httpStatus, 'MW_ADMIN_NOT_FOUND', `No route for ${method} ${pathname}`, meta);
      return;
    }
    const handler = route[method] ?? (method === 'HEAD' ? route['GET'] : undefined);
    if (handler === undefined) {
      response.setHeader('Allow', Object.keys(route).join(', '));
      sendError(response, ERROR_CATALOG.MW_METHOD_NOT_ALLOWED.httpStatus, 'MW_METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname} (allowed: ${Object.keys(route).join(', ')})`, meta);
      return;
    }
    const { status, data } = handler(view);
    sendData(response, status, data, meta);
  };
}
