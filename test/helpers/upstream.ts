/** Real upstreams on loopback: a `ws` server for proxy tests, an HTTP API for forwarding tests. */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { after } from 'node:test';
import { WebSocketServer, type PerMessageDeflateOptions, type WebSocket } from 'ws';

export interface Upstream {
  readonly url: string;
  readonly requests: IncomingMessage[];
  readonly sockets: WebSocket[];
  readonly received: { data: Buffer; isBinary: boolean }[];
  readonly closes: { code: number; reason: string }[];
  nextConnection(): Promise<WebSocket>;
}

/** A real upstream ws server on 127.0.0.1:0 that echoes unless told otherwise, closed after the file. */
export async function upstream(options: { echo?: boolean; delayHandshakeMs?: number; protocol?: (offered: Set<string>) => string | false; perMessageDeflate?: boolean | PerMessageDeflateOptions } = {}): Promise<Upstream> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: options.perMessageDeflate ?? false,
    ...(options.protocol === undefined ? {} : { handleProtocols: options.protocol }),
    ...(options.delayHandshakeMs === undefined ? {} : { verifyClient: (_info: unknown, done: (ok: boolean) => void) => void setTimeout(() => done(true), options.delayHandshakeMs) }),
  });
  await once(server, 'listening');
  after(() => new Promise<void>((resolve) => {
    for (const ws of server.clients) ws.terminate();
    server.close(() => resolve());
  }));
  const state: Upstream = {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests: [],
    sockets: [],
    received: [],
    closes: [],
    nextConnection: () => once(server, 'connection').then(([ws]) => ws as WebSocket),
  };
  server.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    state.requests.push(request);
    state.sockets.push(ws);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      state.received.push({ data, isBinary });
      if (options.echo !== false) ws.send(data, { binary: isBinary });
    });
    ws.on('close', (code, reason) => state.closes.push({ code, reason: reason.toString() }));
  });
  return state;
}


/** A TCP server that accepts and never answers (an upstream that hangs); its ws:// URL. Closed after the test. */
export async function hangingUpstream(): Promise<string> {
  const hung: Socket[] = [];
  const hanging = createServer((socket) => hung.push(socket));
  hanging.listen(0, '127.0.0.1');
  await once(hanging, 'listening');
  after(() => {
    for (const s of hung) s.destroy();
    hanging.close();
  });
  return `ws://127.0.0.1:${(hanging.address() as { port: number }).port}`;
}

/** A port on 127.0.0.1 where nothing listens (an upstream that is down). */
export async function deadPort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface HttpUpstream {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request it got: method and target exactly as sent on the wire. */
  readonly seen: { method: string; target: string }[];
}

/** A fake HTTP backend that mockwave forwards to or records: a real server on loopback. */
export interface HttpBackend {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Closes it now, open connections too (a backend that went away); closing again is harmless. */
  close(): Promise<void>;
}

/**
 * A fake HTTP backend: a real HTTP server on 127.0.0.1:0 answering with `handler`, closed after the test that
 * made it (the file, or the suite, when made at their level). From a `before` hook, whose own `after` would end
 * with the hook, pass `closeAfterTest: false` and close it in the matching `after`.
 */
export async function httpBackend(handler: RequestListener, options: { readonly closeAfterTest?: boolean } = {}): Promise<HttpBackend> {
  const server = createHttpServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  if (options.closeAfterTest !== false) after(close);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close };
}

/** A real HTTP API on 127.0.0.1:0 that answers every request 200 with its method and target as JSON; closed after the test. */
export async function httpUpstream(): Promise<HttpUpstream> {
  const seen: { method: string; target: string }[] = [];
  const { url } = await httpBackend((request, response) => {
    seen.push({ method: request.method ?? '', target: request.url ?? '' });
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ from: 'upstream', target: request.url }));
  });
  return { url, seen };
}
