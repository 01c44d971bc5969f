import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { after, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import type { MockwaveConfigInput } from '../../src/index.ts';
import { selfSignedCertificate } from '../helpers/certificate.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { deadPort, hangingUpstream, upstream } from '../helpers/upstream.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

function proxyConfig(routes: NonNullable<NonNullable<MockwaveConfigInput['proxy']>['routes']>): MockwaveConfigInput {
  return { endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, routes } };
}

describe('WebSocket proxy', () => {
  it('bridges text and binary both ways, byte for byte, after proxy_connected; path and query are appended', async () => {
    const up = await upstream();
    const { ws, server } = await startServer(proxyConfig([{ name: 'echo', url: `${up.url}/base`, query: { key: 'k1' } }]));
    const client = await wsConnect(ws('/ws/proxy/echo/stream/btc?depth=5'));
    const hello = await client.next();
    assert.equal(hello['type'], 'proxy_connected');
    assert.equal(hello['routeName'], 'echo');
    assert.match(String(hello['clientId']), /^client-/);
    assert.equal(up.requests[0]?.url, '/base/stream/btc?depth=5&key=k1');
    assert.equal(server.stats().proxyConnections, 1);

    client.send('hello text');
    const text = await client.nextRaw();
    assert.deepEqual([text.text, text.isBinary], ['hello text', false]);
    const bytes = Buffer.from([0, 255, 1, 254, 0x80, 0xc3]);
    client.ws.send(bytes);
    const echoed = await client.nextRaw();
    assert.ok(echoed.isBinary);
    assert.deepEqual(echoed.data, bytes);
    assert.equal(up.received[1]?.isBinary, true);

    const big = Buffer.alloc(5 * 1024 * 1024, 7);
    client.ws.send(big);
    const bigBack = (await client.nextRaw(5000)).data;
    assert.equal(bigBack.length, big.length);
    assert.ok(bigBack.equals(big));

    // A message sent in fragments arrives upstream whole, and comes back whole.
    client.ws.send('frag-', { fin: false });
    client.ws.send('ment-', { fin: false });
    client.ws.send('ed', { fin: true });
    assert.equal((await client.nextRaw()).text, 'frag-ment-ed');

    for (let i = 0; i < 200; i++) client.send(`m${i}`);
    for (let i = 0; i < 200; i++) assert.equal((await client.nextRaw()).text, `m${i}`, 'many small messages keep their order');

    const stats = server.stats().proxyRoutes as Record<string, { messagesToUpstream: number; bytesToClient: number }>;
    assert.equal(stats['echo']?.messagesToUpstream, 204);
    assert.ok((stats['echo']?.bytesToClient ?? 0) > big.length);
    await client.close();
  });

  it('passes close codes and reasons both ways', async () => {
    const up = await upstream();
    const { ws, server } = await startServer(proxyConfig([{ name: 'u', url: up.url, announce: false }]));
    const first = await wsConnect(ws('/ws/proxy/u'));
    const upSide = up.sockets[0] ?? (await up.nextConnection());
    upSide.close(4002, 'upstream says bye');
    assert.deepEqual(await first.closed(), { code: 4002, reason: 'upstream says bye' });

    const second = await wsConnect(ws('/ws/proxy/u'));
    await waitUntil(() => up.sockets.length === 2, 2000, 'second upstream connection');
    second.ws.close(4003, 'client says bye');
    await second.closed();
    await waitUntil(() => up.closes.length === 2, 2000, 'upstream close');
    assert.deepEqual(up.closes[1], { code: 4003, reason: 'client says bye' });

    const third = await wsConnect(ws('/ws/proxy/u'));
    await waitUntil(() => up.sockets.length === 3, 2000, 'third upstream connection');
    up.sockets[2]!.terminate();
    assert.equal((await third.closed()).code, 1014, 'an upstream that vanished is a bad gateway');
    await waitUntil(() => server.stats().proxyConnections === 0, 2000, 'no live proxy connection');
  });

  it('a client that stops reading slows the upstream down instead of growing server memory; drop mode counts', async () => {
    const up = await upstream({ echo: false });
    const { ws, server } = await startServer({ ...proxyConfig([{ name: 'fast', url: up.url, announce: false }, { name: 'lossy', url: up.url, announce: false, slowPeer: 'drop' }]), websocket: { maxBufferedBytes: 256 * 1024 } });
    const chunk = Buffer.alloc(256 * 1024, 1);
    const count = 200; // 50 MiB in all

    const slow = await wsConnect(ws('/ws/proxy/fast'));
    await waitUntil(() => up.sockets.length === 1, 2000, 'upstream connection');
    slow.ws.pause();
    const source = up.sockets[0]!;
    for (let i = 0; i < count; i++) source.send(chunk);
    // mockwave stops reading the upstream, so the bytes wait on the upstream's side, not in mockwave.
    await waitUntil(() => source.bufferedAmount > 20 * 1024 * 1024, 5000, 'the upstream to be held back');
    slow.ws.resume();
    let received = 0;
    while (received < count) {
      const m = await slow.nextRaw(5000);
      assert.equal(m.data.length, chunk.length);
      received++;
    }
    await slow.close();

    const lossy = await wsConnect(ws('/ws/proxy/lossy'));
    await waitUntil(() => up.sockets.length === 2, 2000, 'second upstream connection');
    lossy.ws.pause();
    for (let i = 0; i < count; i++) up.sockets[1]!.send(chunk);
    await waitUntil(() => ((server.stats().proxyRoutes as Record<string, { dropped: number }>)['lossy']?.dropped ?? 0) > 0, 5000, 'drops to be counted');
    lossy.ws.terminate();
  });

  it('a slow reader on a compressed connection gets everything too: ws\'s deflate queue is waited on, not only the socket', async () => {
    const up = await upstream({ echo: false });
    const { ws } = await startServer({ ...proxyConfig([{ name: 'zipped', url: up.url, announce: false, perMessageDeflate: { threshold: 0 } }]), websocket: { maxBufferedBytes: 64 * 1024 } });
    const slow = await wsConnect(ws('/ws/proxy/zipped'), { perMessageDeflate: true });
    await waitUntil(() => up.sockets.length === 1, 2000, 'upstream connection');
    slow.ws.pause();
    // Compressible to almost nothing: the socket's own queue stays small while ws's queue of messages to deflate grows.
    const chunk = Buffer.alloc(128 * 1024, 3);
    const count = 100;
    for (let i = 0; i < count; i++) up.sockets[0]!.send(chunk);
    slow.ws.resume();
    for (let received = 0; received < count; received++) assert.ok((await slow.nextRaw(5000)).data.equals(chunk), `message ${received}`);
    await slow.close();
  });

  it('a client that never reads is let go with 1013 after slowClientGrace, and its upstream is told the same code', async () => {
    const up = await upstream({ echo: false });
    const { ws, server } = await startServer({ ...proxyConfig([{ name: 'fast', url: up.url, announce: false }]), websocket: { maxBufferedBytes: 256 * 1024, slowClientGrace: 200 } });
    const client = await wsConnect(ws('/ws/proxy/fast'));
    await waitUntil(() => up.sockets.length === 1, 2000, 'upstream connection');
    client.ws.pause();
    (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = Buffer.alloc(256 * 1024, 1);
    for (let i = 0; i < 200; i++) up.sockets[0]!.send(chunk);
    await waitUntil(() => up.closes.length === 1, 10_000, 'the upstream to be closed once the client is let go');
    assert.equal(up.closes[0]?.code, 1013, 'the cap\'s close code (MW_SLOW_CLIENT) crosses to the upstream');
    await waitUntil(() => server.stats().proxyConnections === 0, 2000, 'no live proxy connection');
    client.ws.terminate();
  });

  it('refuses an unknown route with 404 and never connects anywhere else', async () => {
    const up = await upstream();
    const { ws } = await startServer(proxyConfig([{ name: 'known', url: up.url }]));
    await assert.rejects(wsConnect(ws('/ws/proxy/unknown')), (error: Error & { status?: number; body?: string }) => {
      assert.equal(error.status, 404);
      assert.match(error.body ?? '', /MW_UNKNOWN_ROUTE.*No proxy route named unknown \(routes: known\)/);
      return true;
    });
    assert.equal(up.requests.length, 0);
  });

  it('an upstream that is down, or accepts and hangs: an error naming the route, then 1014; nothing leaks', async () => {
    const down = await deadPort();
    const hanging = await hangingUpstream();
    const { ws, server } = await startServer(proxyConfig([
      { name: 'down', url: `ws://127.0.0.1:${down}` },
      { name: 'hang', url: hanging, connectTimeout: 200 },
    ]));
    for (const [name, pattern] of [['down', /ECONNREFUSED/], ['hang', /timed out/]] as const) {
      const client = await wsConnect(ws(`/ws/proxy/${name}`));
      const error = await client.next();
      assert.equal(error['type'], 'error');
      assert.match(String(error['error']), new RegExp(`^Proxy route ${name} failed: `));
      assert.match(String(error['error']), pattern);
      assert.equal((await client.closed()).code, 1014);
    }
    const stats = server.stats().proxyRoutes as Record<string, { failures: number; active: number }>;
    assert.deepEqual([stats['down']?.failures, stats['hang']?.failures, stats['down']?.active, stats['hang']?.active], [1, 1, 0, 0]);
  });

  it('forwards credentials and subprotocols, adds and drops headers as the route says', async () => {
    const up = await upstream({ protocol: (offered) => (offered.has('v1.chat') ? 'v1.chat' : false) });
    const { ws } = await startServer(proxyConfig([{ name: 'auth', url: up.url, headers: { 'X-Api-Key': 'secret-key' }, dropHeaders: ['cookie'] }]));
    const client = await wsConnect(ws('/ws/proxy/auth'), { protocols: ['v2.chat', 'v1.chat'], headers: { Authorization: 'Bearer abc', Cookie: 'session=1' } });
    assert.equal(client.ws.protocol, 'v1.chat', "the upstream's choice comes back to the client");
    const headers = up.requests[0]!.headers;
    assert.equal(headers['authorization'], 'Bearer abc');
    assert.equal(headers['x-api-key'], 'secret-key');
    assert.equal(headers['cookie'], undefined);
    assert.equal(headers['sec-websocket-protocol'], 'v2.chat,v1.chat');
    assert.equal((await client.next())['type'], 'proxy_connected');
    await client.close();
  });

  it('queues what the client sends before the upstream is open, and delivers it in order', async () => {
    const up = await upstream({ delayHandshakeMs: 150, echo: false });
    const { ws } = await startServer(proxyConfig([{ name: 'slow', url: up.url }]));
    const client = await wsConnect(ws('/ws/proxy/slow'));
    for (let i = 0; i < 5; i++) client.send(`early ${i}`);
    assert.equal((await client.next(2000))['type'], 'proxy_connected');
    await waitUntil(() => up.received.length === 5, 2000, 'five queued messages upstream');
    assert.deepEqual(up.received.map((m) => m.data.toString()), ['early 0', 'early 1', 'early 2', 'early 3', 'early 4']);
    await client.close();
  });

  it('TLS upstreams: refused when self-signed, accepted with its CA or with rejectUnauthorized false', async () => {
    const { certFile, keyFile, cert } = selfSignedCertificate();
    const https = createHttpsServer({ key: readFileSync(keyFile), cert });
    const secure = new WebSocketServer({ server: https });
    secure.on('connection', (socket) => socket.send('secure hello'));
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    after(() => {
      for (const socket of secure.clients) socket.terminate();
      https.close();
    });
    const url = `wss://127.0.0.1:${(https.address() as { port: number }).port}`;
    const { ws } = await startServer(proxyConfig([
      { name: 'strict', url, announce: false },
      { name: 'trusting', url, announce: false, tls: { rejectUnauthorized: false } },
      { name: 'pinned', url, announce: false, tls: { ca: certFile } },
    ]));
    const strict = await wsConnect(ws('/ws/proxy/strict'));
    assert.match(String((await strict.next())['error']), /^Proxy route strict failed: .*self[- ]signed/i);
    assert.equal((await strict.closed()).code, 1014);
    for (const name of ['trusting', 'pinned']) {
      const client = await wsConnect(ws(`/ws/proxy/${name}`));
      assert.equal((await client.nextRaw()).text, 'secure hello', name);
      await client.close();
    }
  });

  it('stopping the server closes proxied clients with 1001 and passes 1001 to their upstreams', async () => {
    const up = await upstream();
    const { ws, server } = await startServer(proxyConfig([{ name: 'u', url: up.url }]));
    const client = await wsConnect(ws('/ws/proxy/u'));
    assert.equal((await client.next())['type'], 'proxy_connected');
    await server.stop();
    assert.equal((await client.closed()).code, 1001);
    await waitUntil(() => up.closes.length === 1, 2000, 'upstream close');
    assert.equal(up.closes[0]?.code, 1001);
  });

  it('a proxy path while the proxy is off is refused as such; a session\'s end is logged with its traffic', async () => {
    const off = await startServer({ endpoints: [{ path: '/ws' }] });
    await assert.rejects(wsConnect(off.ws('/ws/proxy/feed')), (error: { status?: number; body?: string }) => error.status === 404 && /MW_PROXY_DISABLED.*The proxy is disabled/.test(error.body ?? ''));
    const up = await upstream();
    const log = captureLog('info');
    const { ws } = await startServer(proxyConfig([{ name: 'feed', url: up.url, announce: false }]), { logger: log.logger });
    const client = await wsConnect(ws('/ws/proxy/feed'));
    client.send('hello');
    assert.equal((await client.nextRaw()).text, 'hello');
    await client.close();
    assert.match(await log.waitFor(/Proxy feed: \S+ ended/), /ended \(the client closed with 1005\): 1 message\(s\), 5 bytes to the upstream; 1 message\(s\), 5 bytes to the client/);
  });

  it('counts a client that left before its upstream opened as such, not as an upstream failure', async () => {
    const hanging = await hangingUpstream();
    const log = captureLog('debug');
    const { ws, server } = await startServer(proxyConfig([{ name: 'slow', url: hanging, connectTimeout: 5000 }]), { logger: log.logger });
    const client = await wsConnect(ws('/ws/proxy/slow'));
    client.ws.close(1000);
    await waitUntil(() => (server.stats().proxyRoutes?.['slow']?.active ?? 1) === 0, 3000, 'the session to end');
    const stats = server.stats().proxyRoutes?.['slow'];
    assert.deepEqual([stats?.connections, stats?.clientGoneEarly, stats?.failures], [1, 1, 0]);
    assert.match(await log.waitFor(/Proxy slow: \S+ ended/), /the client closed with 1000/);
    assert.deepEqual(log.lines.filter((l) => /WARN/i.test(l) && /Proxy slow/.test(l)), [], 'no warning about the upstream');
  });

  it('counts upstream messages that arrive after the client closed as dropped, not as sent', async () => {
    const up = await upstream();
    const { ws, http, server } = await startServer(proxyConfig([{ name: 'feed', url: up.url }]));
    const client = await wsConnect(ws('/ws/proxy/feed'));
    const { clientId } = (await client.next()) as { clientId: string };
    const upstreamSocket = up.sockets[0];
    assert.ok(upstreamSocket !== undefined);
    upstreamSocket.send('before');
    assert.equal((await client.nextRaw()).text, 'before');
    // The client stops reading, so it cannot answer the server's close: the server's side stays closing.
    client.ws.pause();
    const closed = await fetch(http(`/admin/websocket/clients/${clientId}/close`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":4000}' });
    assert.equal(closed.status, 200);
    for (let i = 0; i < 3; i++) upstreamSocket.send(`late ${i}`);
    await waitUntil(() => (server.stats().proxyRoutes?.['feed']?.dropped ?? 0) === 3, 3000, 'three drops');
    const stats = server.stats().proxyRoutes?.['feed'];
    assert.deepEqual([stats?.messagesToClient, stats?.dropped], [1, 3]);
    client.ws.terminate();
  });
});
