/**
 * Guards that a plausible one-line bug would break without any other test noticing (issue 25, item 8),
 * through a running server and real clients: each test names the guard it pins. Their unit twins are in
 * test/unit/guards.test.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EventChunks, SsePeer } from '../../src/sse/peer.ts';
import { Pressure } from '../../src/transport/pressure.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { handshake } from '../helpers/raw-ws.ts';
import { startServer } from '../helpers/server.ts';
import { upstream } from '../helpers/upstream.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Every byte after the head, up to the close: what a client reads when it trusts no length. */
  readonly body: Buffer;
}

/** One request on its own connection (`Connection: close`), read to the end as bytes. */
function rawHttp(port: number, request: string, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no head in ${JSON.stringify(all.toString('latin1'))}`));
      const [statusLine = '', ...lines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: all.subarray(end + 4) });
    });
    socket.write(request);
  });
}

const get = (port: number, path: string, method = 'GET', extra = '', body = ''): Promise<RawAnswer> =>
  rawHttp(port, `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}${body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`}\r\n${body}`);

/** The declared length is the body's length in bytes, and the body is what was meant. */
function assertWhole(answer: RawAnswer, text: RegExp | string, what: string): void {
  assert.equal(answer.headers['content-length'], String(answer.body.length), `${what}: content-length against the bytes sent`);
  const body = answer.body.toString('utf8');
  if (typeof text === 'string') assert.equal(body, text, what);
  else assert.match(body, text, what);
}

describe('redact names in mixed case: the proxy\'s recording, its log and the admin views', () => {
  it('a name listed as X-Tenant masks x-tenant and X-TENANT in headers, queries and JSON fields, and the reverse', async () => {
    const up = await upstream();
    const dir = tempDir('guards');
    const log = captureLog('info');
    // Names no built-in word (auth, key, token…) catches: only the list can mask them.
    const { ws, http, server } = await startServer(
      {
        redact: ['X-Tenant', 'accountno'],
        endpoints: [{ path: '/ws', streams: [] }],
        proxy: { enabled: true, record: dir, routes: [{ name: 'feed', url: up.url, announce: false, headers: { 'X-Tenant': 'route-header-secret' }, query: { 'X-TENANT': 'route-query-secret' } }] },
      },
      { logger: log.logger },
    );
    const client = await wsConnect(ws('/ws/proxy/feed?AccountNo=client-query-secret&q=kept'));
    client.send({ ACCOUNTNO: 'json-upper-secret', user: { AccountNo: 'json-mixed-secret', 'x-tenant': 'json-tenant-secret' }, q: 'kept' });
    await client.nextRaw();
    const secrets = ['route-header-secret', 'route-query-secret', 'client-query-secret', 'json-upper-secret', 'json-mixed-secret', 'json-tenant-secret'];
    // The upstream gets everything as sent: masking is for what is written down and shown.
    assert.equal(up.requests[0]?.headers['x-tenant'], 'route-header-secret');
    assert.match(up.requests[0]?.url ?? '', /AccountNo=client-query-secret.*X-TENANT=route-query-secret/);

    const shown = [JSON.stringify(server.clients()), await (await fetch(http('/admin/websocket/clients'))).text()];
    for (const view of shown) {
      assert.match(view, /AccountNo=\*\*\*&q=kept/);
      for (const secret of secrets) assert.ok(!view.includes(secret), `an admin view shows ${secret}: ${view}`);
    }
    await client.close();
    await server.stop();
    const recording = readFileSync(join(dir, readdirSync(dir)[0] as string), 'utf8');
    for (const secret of secrets) assert.ok(!recording.includes(secret), `the recording holds ${secret}: ${recording}`);
    const session = JSON.parse(recording.split('\n')[0] as string) as { headers: Record<string, string>; url: string; path: string };
    assert.equal(session.headers['x-tenant'], '***');
    assert.match(session.url, /AccountNo=\*\*\*&q=kept&X-TENANT=\*\*\*/);
    // A JSON frame is recorded as its value (format 2).
    assert.match(recording, /"json":\{"ACCOUNTNO":"\*\*\*","user":\{"AccountNo":"\*\*\*","x-tenant":"\*\*\*"\},"q":"kept"\}/);
    const logged = log.lines.join('\n');
    assert.match(logged, /connected to ws:\/\/127\.0\.0\.1:\d+\/\?AccountNo=\*\*\*/);
    for (const secret of secrets) assert.ok(!logged.includes(secret), `the log holds ${secret}: ${logged}`);
  });
});

describe('per: header:<Name> in mixed case', () => {
  it('a sequence per header:X-User tells callers apart by the x-user header, whatever the case sent', async () => {
    const { info } = await startServer({
      http: { routes: [{ method: 'POST', path: '/login', then: [{ sequence: { per: 'header:X-User', steps: [[{ respond: { status: 401, body: 'first' } }], [{ respond: { body: 'then {{request.headers.x-user}}' } }]] } }] }] },
    });
    const login = async (header: string, user: string) => {
      const answer = await get(info.port, '/login', 'POST', `${header}: ${user}\r\n`);
      return `${answer.status} ${answer.body.toString()}`;
    };
    assert.equal(await login('X-User', 'ann'), '401 first');
    assert.equal(await login('x-user', 'bob'), '401 first', 'another caller starts at the first answer');
    assert.equal(await login('X-USER', 'ann'), '200 then ann');
    assert.equal(await login('x-user', 'bob'), '200 then bob');
  });
});

describe('405 and preflights when several routes share a path', () => {
  it('Allow lists every method of every route on the path, and only those', async () => {
    const { info, http } = await startServer({
      cors: { origins: [] },
      http: {
        routes: [
          { method: 'GET', path: '/items/:id', then: [{ respond: { body: 'one' } }] },
          { method: ['PUT', 'PATCH'], path: '/items/:id', then: [{ respond: { body: 'changed' } }] },
          { method: 'DELETE', path: '/items/:id', when: { headers: { 'x-confirm': 'yes' } }, then: [{ respond: { status: 204 } }] },
          { method: 'POST', path: '/items', then: [{ respond: { status: 201 } }] },
          { path: '/any/:id', when: { query: { ok: '1' } }, then: [{ respond: { body: 'any' } }] },
        ],
      },
    });
    const methodsOf = (header: string | undefined) => (header ?? '').split(',').map((m) => m.trim()).sort();
    const refused = await get(info.port, '/items/7', 'POST');
    assert.equal(refused.status, 405);
    assert.deepEqual(methodsOf(refused.headers['allow']), ['DELETE', 'GET', 'PATCH', 'PUT']);
    assert.match(refused.body.toString(), /POST is not allowed on \/items\/7 \(allowed: GET, PUT, PATCH, DELETE\)/);
    assert.equal((await get(info.port, '/items/7', 'HEAD')).status, 200, 'HEAD goes where GET does');
    assert.equal((await get(info.port, '/items/7', 'DELETE')).status, 404, 'a method allowed on the path whose conditions fail is a 404, not a 405');
    assert.equal((await get(info.port, '/any/7', 'PUT')).status, 404, 'a route for any method: never a 405');

    const preflight = await fetch(http('/items/7'), { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'PATCH' } });
    assert.equal(preflight.status, 204);
    assert.deepEqual(methodsOf(preflight.headers.get('access-control-allow-methods') ?? undefined), ['DELETE', 'GET', 'PATCH', 'PUT']);
  });
});

describe('content-length is the body\'s bytes, not its characters', () => {
  it('route answers (text, JSON, HEAD, refusals), admin answers and refusals, SSE and WebSocket upgrade refusals', async () => {
    const text = 'Grüße ✓ 日本';
    const { info } = await startServer({
      cors: { origins: ['http://app.test'] },
      endpoints: [
        { path: '/ws', streams: [{ name: 'café', data: { note: text } }] },
        { path: '/events', protocol: 'sse', sse: { heartbeat: 0 }, streams: [{ name: 'ticker', interval: 1000, data: { n: 1 } }] },
      ],
      http: {
        routes: [
          { method: 'GET', path: '/text', then: [{ respond: { body: text } }] },
          { method: 'GET', path: '/json', then: [{ respond: { body: { note: text, echo: '{{request.query.q}}' } } }] },
          { method: 'POST', path: '/orders', when: { body: { json: { side: 'buy' } } }, then: [{ respond: { status: 201 } }] },
        ],
      },
    });
    const port = info.port;
    assertWhole(await get(port, '/text'), text, 'a text route');
    assertWhole(await get(port, `/json?q=${encodeURIComponent('ñandú')}`), JSON.stringify({ note: text, echo: 'ñandú' }), 'a JSON route with a templated field');
    const head = await get(port, '/text', 'HEAD');
    assert.deepEqual([head.status, head.headers['content-length'], head.body.length], [200, String(Buffer.byteLength(text)), 0], 'HEAD declares the GET\'s length');
    assertWhole(await get(port, '/orders', 'POST', 'Content-Type: application/json\r\n', '{"side": café}'), /"code":"MW_HTTP_NO_ROUTE".*not valid JSON.*café/, 'a route refusal naming a non-ASCII body');

    assertWhole(await get(port, `/admin/websocket/streams/${encodeURIComponent('café')}`), /"success":true.*Grüße ✓ 日本/, 'an admin answer');
    assertWhole(await get(port, `/admin/websocket/streams/${encodeURIComponent('thé')}`), /"success":false.*thé/, 'an admin refusal naming a non-ASCII stream');
    assertWhole(await get(port, `/events?events=${encodeURIComponent('ticker,thé')}`), /Unknown event thé/, 'an SSE refusal');
    // Header bytes are read as latin1, so an Origin sent as UTF-8 comes back as two characters per letter.
    const upgrade = await rawHttp(port, handshake('/ws').replace('\r\n\r\n', '\r\nOrigin: http://café.test\r\n\r\n'));
    assert.equal(upgrade.status, 403);
    assertWhole(upgrade, /MW_FORBIDDEN_ORIGIN.*Origin http:\/\/caf.+\.test is not allowed/, 'a refused WebSocket upgrade');
  });
});

/**
 * Waits until `figure` stops moving (above 0 and the same over five polls 10 ms apart): the relay is held back,
 * or has passed everything on. Bounded; the caller then asserts which.
 */
async function settled(figure: () => number): Promise<void> {
  let last = -1;
  let still = 0;
  await waitUntil(() => {
    const now = figure();
    still = now === last && now > 0 ? still + 1 : 0;
    last = now;
    return still >= 5;
  }, 15_000, 'the relay to settle');
}

describe('readers that stop reading', () => {
  it('an SSE client that stops reading has its events dropped past its byte cap and is evicted after the grace period; others go on', async () => {
    const big = 'x'.repeat(256 * 1024);
    const { info, server } = await startServer({
      websocket: { maxBufferedBytes: 256 * 1024, slowClientGrace: 300 },
      endpoints: [{ path: '/events', protocol: 'sse', sse: { heartbeat: 0 }, streams: [{ name: 'blob', interval: 20, data: { big } }] }],
    });
    // A raw socket that asks for the stream, then never reads: the kernel's buffers fill, then the server's.
    const stalled: Socket = connect({ port: info.port, host: '127.0.0.1' });
    after(() => stalled.destroy());
    stalled.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${info.port}\r\nAccept: text/event-stream\r\n\r\n`);
    stalled.pause();
    await waitUntil(() => server.clients().length === 1, 5000, 'the SSE client to connect');
    const id = server.clients()[0]?.id;
    await waitUntil(() => (server.clients().find((c) => c.id === id)?.dropped ?? 0) > 0, 15_000, 'events to the stalled client to be dropped');
    await waitUntil(() => !server.clients().some((c) => c.id === id), 5000, 'the stalled client to be evicted');

    // A client that reads is served meanwhile and after.
    const reader = ((await fetch(`http://127.0.0.1:${info.port}/events`)).body as ReadableStream<Uint8Array>).getReader();
    let read = 0;
    while (read < 2 * big.length) read += (await reader.read()).value?.length ?? 0;
    await reader.cancel();
  });

  it('an SSE client\'s queue is counted once: the byte cap holds what was written and not read, no more', async () => {
    // A real response to a client that never reads, written through the SSE peer as the server writes.
    let peer: SsePeer | undefined;
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      peer = new SsePeer({ id: 's1', endpoint: '/events', url: '/events', response, settings: { maxBufferedBytes: 1 << 30, slowClientGrace: 60_000, clock: new ManualClock(), pressure: new Pressure(1 << 30), chunks: new EventChunks() } });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    after(() => server.close());
    const stalled = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
    after(() => stalled.destroy());
    stalled.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    stalled.pause();
    await waitUntil(() => peer !== undefined, 5000, 'the stream to open');
    const event = Buffer.from(`data: ${'x'.repeat(1024 * 1024)}\n\n`);
    for (let i = 0; i < 40; i++) assert.ok(peer!.offer(event));
    // Far more than loopback's socket buffers take, so most of it waits in the process, counted once.
    assert.ok(peer!.bufferedAmount > 16 * 1024 * 1024, `${peer!.bufferedAmount} bytes queued`);
    assert.ok(peer!.bufferedAmount <= peer!.counters.bytesOut + 40 * 16, `${peer!.bufferedAmount} bytes counted as queued of ${peer!.counters.bytesOut} written`);
  });

  it('a proxied client that stops reading pauses its upstream: the bytes wait on the upstream\'s side, not in mockwave', async () => {
    const up = await upstream({ echo: false });
    const { ws, server } = await startServer({
      endpoints: [{ path: '/ws', streams: [] }],
      websocket: { maxBufferedBytes: 256 * 1024, slowClientGrace: 60_000 },
      proxy: { enabled: true, routes: [{ name: 'fast', url: up.url, announce: false }] },
    });
    const chunk = Buffer.alloc(256 * 1024, 1);
    const count = 200; // 50 MiB
    const client: WsTestClient = await wsConnect(ws('/ws/proxy/fast'));
    await waitUntil(() => up.sockets.length === 1, 2000, 'the upstream connection');
    client.ws.pause();
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    const source = up.sockets[0]!;
    for (let i = 0; i < count; i++) source.send(chunk);
    const relayed = (): number => (server.stats().proxyRoutes as Record<string, { bytesToClient: number }>)['fast']?.bytesToClient ?? 0;
    await settled(relayed);
    // What mockwave took is its cap plus what the kernel's socket buffers hold (a few MiB each side), far from all.
    assert.ok(relayed() < 24 * 1024 * 1024, `mockwave took ${relayed()} of ${count * chunk.length} bytes from the upstream`);
    assert.ok(source.bufferedAmount > 16 * 1024 * 1024, `the upstream holds ${source.bufferedAmount} bytes`);
    // The client leaves: the upstream held back for it is closed at once, not left for ws's 30 s close timeout.
    client.ws.terminate();
    await waitUntil(() => up.closes.length === 1, 5000, 'the upstream to be closed');
    await waitUntil(() => server.stats().proxyConnections === 0, 2000, 'no live proxy connection');
  });

  it('an upstream that stops reading pauses its client; when the upstream goes, the client is closed at once', async () => {
    const up = await upstream({ echo: false });
    const { ws, server } = await startServer({
      endpoints: [{ path: '/ws', streams: [] }],
      websocket: { maxBufferedBytes: 256 * 1024, maxPayload: 1024 * 1024 },
      proxy: { enabled: true, routes: [{ name: 'sink', url: up.url, announce: false }] },
    });
    const client = await wsConnect(ws('/ws/proxy/sink'));
    await waitUntil(() => up.sockets.length === 1, 2000, 'the upstream connection');
    const sink = up.sockets[0]!;
    (sink as unknown as { _socket: Socket })._socket.pause();
    const chunk = Buffer.alloc(256 * 1024, 2);
    for (let i = 0; i < 200; i++) client.ws.send(chunk);
    const forwarded = (): number => (server.stats().proxyRoutes as Record<string, { bytesToUpstream: number }>)['sink']?.bytesToUpstream ?? 0;
    await settled(forwarded);
    assert.ok(forwarded() < 24 * 1024 * 1024, `mockwave forwarded ${forwarded()} bytes to an upstream that reads nothing`);
    assert.ok(client.ws.bufferedAmount > 16 * 1024 * 1024, `the client holds ${client.ws.bufferedAmount} bytes`);
    sink.terminate();
    const closed = await client.closed(5000);
    assert.equal(closed.code, 1014, 'a vanished upstream is a bad gateway');
  });
});

describe('perMessageDeflate: { threshold: 0 }', () => {
  /** The first frame's header byte after a raw handshake offering permessage-deflate, and the answer's head. */
  function firstFrame(port: number, path: string): Promise<{ head: string; byte: number }> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('no frame within 5000 ms'));
      }, 5000);
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0 || buffer.length < end + 5) return;
        clearTimeout(timer);
        socket.destroy();
        resolve({ head: buffer.subarray(0, end).toString('latin1'), byte: buffer[end + 4] as number });
      });
      socket.once('error', reject);
      socket.write(handshake(path).replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n'));
    });
  }

  // ws applies the threshold only to connections without context takeover (each message compressed on its
  // own); with takeover it compresses every message whatever the threshold, so both endpoints turn it off.
  it('compresses even a tiny message (RSV1 set on the greeting); with the default threshold it stays plain', async () => {
    const { info } = await startServer({
      websocket: { heartbeatInterval: 0 },
      endpoints: [
        { path: '/all', perMessageDeflate: { threshold: 0, serverNoContextTakeover: true }, streams: [] },
        { path: '/default', perMessageDeflate: { serverNoContextTakeover: true }, streams: [] },
      ],
    });
    const all = await firstFrame(info.port, '/all');
    assert.match(all.head, /^HTTP\/1\.1 101[\s\S]*sec-websocket-extensions: permessage-deflate/i);
    assert.equal(all.byte & 0x40, 0x40, `RSV1 of ${all.byte.toString(2)}`);
    const plain = await firstFrame(info.port, '/default');
    assert.match(plain.head, /sec-websocket-extensions: permessage-deflate/i);
    assert.equal(plain.byte & 0x40, 0, 'under ws\'s 1024-byte default the greeting is not compressed');
    assert.equal(plain.byte & 0x0f, 1, 'a text frame');
  });
});
