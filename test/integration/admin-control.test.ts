import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, ManualClock } from '../../src/index.ts';
import { startServer, tickerEndpoint } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface Envelope {
  success: boolean;
  data?: Record<string, unknown> & { delivered?: number };
  error?: { code: string; message: string };
  meta: { requestId: string };
}

async function call(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Envelope; headers: Headers }> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Envelope, headers: response.headers };
}

describe('admin API: drive a running mock over HTTP', () => {
  it('lists clients, shows one, publishes to a stream, a client and an endpoint, closes and terminates', async () => {
    const { ws, http } = await startServer({ endpoints: [tickerEndpoint] });
    const a = await wsConnect(ws());
    const b = await wsConnect(ws());
    const { clientId: idA } = await a.nextOfType<{ clientId: string }>('connected');
    const { clientId: idB } = await b.nextOfType<{ clientId: string }>('connected');
    a.send({ type: 'subscribe', event: 'news' });
    await a.nextOfType('event');

    const list = await call(http('/admin/websocket/clients'));
    assert.deepEqual((list.body.data as unknown as { id: string }[]).map((c) => c.id).sort(), [idA, idB].sort());
    const one = await call(http(`/admin/websocket/clients/${idA}`));
    assert.deepEqual(one.body.data?.['subscriptions'], ['news']);
    assert.equal(one.body.data?.['endpoint'], '/ws');

    const published = await call(http('/admin/websocket/publish'), 'POST', { event: 'news', data: { headline: 'from curl' } });
    assert.equal(published.body.data?.delivered, 1);
    assert.deepEqual((await a.nextOfType<{ data: unknown }>('event')).data, { headline: 'from curl' });
    assert.equal((await call(http('/admin/websocket/publish'), 'POST', { event: 'news' })).body.data?.delivered, 1);
    assert.deepEqual((await a.nextOfType<{ data: unknown }>('event')).data, { headline: 'hello' }, "the stream's own payload");

    assert.equal((await call(http('/admin/websocket/publish'), 'POST', { clientId: idB, message: { type: 'custom', n: 1 } })).body.data?.delivered, 1);
    assert.deepEqual(await b.next(), { type: 'custom', n: 1 });
    assert.equal((await call(http('/admin/websocket/publish'), 'POST', { endpoint: '/ws', message: 'plain' })).body.data?.delivered, 2);
    assert.equal((await a.nextRaw()).text, 'plain');
    assert.equal((await b.nextRaw()).text, 'plain');

    assert.equal((await call(http(`/admin/websocket/clients/${idA}/close`), 'POST', { code: 4000, reason: 'from the test' })).status, 200);
    assert.deepEqual(await a.closed(), { code: 4000, reason: 'from the test' });
    assert.equal((await call(http(`/admin/websocket/clients/${idB}/terminate`), 'POST')).status, 200);
    assert.equal((await b.closed()).code, 1006);
  });

  it('refuses bad requests precisely, never with a 500', async () => {
    const { http } = await startServer({ endpoints: [tickerEndpoint] });
    const cases: [string, string, unknown, number, string, RegExp][] = [
      ['/admin/websocket/publish', 'POST', '{not json', 400, 'MW_BAD_REQUEST', /not valid JSON/],
      ['/admin/websocket/publish', 'POST', { event: 'news', extra: 1 }, 400, 'MW_BAD_REQUEST', /unknown key "extra"/],
      ['/admin/websocket/publish', 'POST', { nothing: true }, 400, 'MW_BAD_REQUEST', /Invalid request body/],
      ['/admin/websocket/publish', 'POST', { event: 'nope' }, 404, 'MW_UNKNOWN_STREAM', /Unknown stream: nope/],
      ['/admin/websocket/publish', 'POST', { clientId: 'client-0-none', message: 1 }, 404, 'MW_UNKNOWN_CLIENT', /No connected client client-0-none/],
      ['/admin/websocket/publish', 'POST', { endpoint: '/none', message: 1 }, 404, 'MW_UNKNOWN_ENDPOINT', /No endpoint \/none/],
      ['/admin/websocket/clients/x/close', 'POST', { code: 1006 }, 400, 'MW_BAD_REQUEST', /code: expected a close code a server may send: 1000-1003, 1007-1014 or 3000-4999/],
      ['/admin/websocket/clients/x/close', 'POST', { code: 4000 }, 404, 'MW_UNKNOWN_CLIENT', /No connected client x/],
      ['/admin/websocket/clients/x', 'GET', undefined, 404, 'MW_UNKNOWN_CLIENT', /x/],
      ['/admin/websocket/publish', 'POST', JSON.stringify({ event: 'news', data: 'x'.repeat(1_100_000) }), 413, 'MW_BODY_TOO_LARGE', /over the 1048576-byte limit/],
    ];
    for (const [path, method, body, status, code, pattern] of cases) {
      const { status: got, body: envelope } = await call(http(path), method, body);
      assert.equal(got, status, `${method} ${path} ${String(body).slice(0, 40)}`);
      assert.equal(envelope.success, false);
      assert.equal(envelope.error?.code, code);
      assert.match(envelope.error?.message ?? '', pattern);
      assert.match(envelope.meta.requestId, /^req-/);
    }
  });
});

describe('authentication, origins and connection limits', () => {
  const token = 'dev-token-123';

  it('refuses a WebSocket without a valid token with 401; accepts header, query and subprotocol', async () => {
    const { ws } = await startServer({ endpoints: [tickerEndpoint], auth: { enabled: true, tokens: [token] } });
    for (const options of [{}, { headers: { Authorization: 'Bearer wrong-token-0' } }]) {
      await assert.rejects(wsConnect(ws(), options), (e: Error & { status?: number; body?: string }) => e.status === 401 && /MW_UNAUTHORIZED/.test(e.body ?? ''));
    }
    const viaHeader = await wsConnect(ws(), { headers: { Authorization: `Bearer ${token}` } });
    const viaQuery = await wsConnect(ws(`/ws?token=${token}`));
    const viaProtocol = await wsConnect(ws(), { protocols: [`bearer.${token}`, 'v1'] });
    assert.equal(viaProtocol.ws.protocol, 'v1', 'a real subprotocol is preferred over the bearer one');
    for (const c of [viaHeader, viaQuery, viaProtocol]) {
      assert.equal((await c.next())['type'], 'connected');
      await c.close();
    }
  });

  it('protects the admin API with the admin token', async () => {
    const { http } = await startServer({ endpoints: [tickerEndpoint], auth: { enabled: true, tokens: [token], adminToken: 'admin-token-456' } });
    const none = await call(http('/admin/websocket/stats'));
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await call(http('/admin/websocket/stats'), 'GET', undefined, { Authorization: `Bearer ${token}` })).status, 401, 'a client token is not the admin token');
    assert.equal((await call(http('/admin/websocket/stats'), 'GET', undefined, { Authorization: 'Bearer admin-token-456' })).status, 200);
    assert.equal((await call(http('/'))).status, 401);
  });

  it('refuses origins outside the list with 403 and answers CORS for allowed ones', async () => {
    const { ws, http } = await startServer({ endpoints: [tickerEndpoint], cors: { origins: ['http://app.test'] } });
    await assert.rejects(wsConnect(ws(), { origin: 'http://evil.test' }), (e: Error & { status?: number }) => e.status === 403);
    const ok = await wsConnect(ws(), { origin: 'http://app.test' });
    await ok.close();
    const preflight = await fetch(http('/admin/websocket/publish'), { method: 'OPTIONS', headers: { Origin: 'http://app.test' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://app.test');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    // A browser on another origin may change and remove streams: the preflight names PUT and DELETE.
    const streamPreflight = await fetch(http('/admin/websocket/streams/ticker'), { method: 'OPTIONS', headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'DELETE' } });
    assert.equal(streamPreflight.status, 204);
    assert.deepEqual(streamPreflight.headers.get('access-control-allow-methods')?.split(', ').sort(), ['DELETE', 'GET', 'OPTIONS', 'PUT']);
    const noCors = await fetch(http('/admin/websocket/streams/ticker'), { method: 'OPTIONS', headers: { Origin: 'http://evil.test' } });
    assert.equal(noCors.headers.get('access-control-allow-methods'), null, 'no CORS headers for an origin outside the list');
    const evil = await call(http('/admin/websocket/stats'), 'GET', undefined, { Origin: 'http://evil.test' });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  it('refuses connections over websocket.maxConnections with 503, and accepts again once one leaves', async () => {
    const { ws, server } = await startServer({ endpoints: [tickerEndpoint], websocket: { maxConnections: 2 } });
    const first = await wsConnect(ws());
    const second = await wsConnect(ws());
    await assert.rejects(wsConnect(ws()), (e: Error & { status?: number; body?: string }) => e.status === 503 && /MW_TOO_MANY_CONNECTIONS/.test(e.body ?? ''));
    await first.close();
    await waitUntil(() => server.stats().connectedClients === 1, 2000, 'one client left');
    const third = await wsConnect(ws());
    await Promise.all([second.close(), third.close()]);
  });
});

describe('rate limits and subscription caps', () => {
  it('over the rate a client gets one error and its messages are ignored; a flood is closed with 1008; others are untouched', async () => {
    const clock = new ManualClock();
    const { ws } = await startServer({ endpoints: [tickerEndpoint], websocket: { heartbeatInterval: 0, rateLimit: { messagesPerSecond: 10, burst: 5, closeAfter: 20 } } }, { clock });
    const client = await wsConnect(ws());
    const bystander = await wsConnect(ws());
    await client.nextOfType('connected');
    await bystander.nextOfType('connected');
    for (let i = 0; i < 8; i++) client.send({ type: 'ping' });
    const replies = await client.drain<{ type: string; error?: string }>();
    assert.deepEqual(replies.map((r) => r.type), ['pong', 'pong', 'pong', 'pong', 'pong', 'error']);
    assert.match(replies[5]?.error ?? '', /^Rate limit exceeded: at most 10 messages per second/);
    clock.advance(1000);
    client.send({ type: 'ping' });
    assert.equal((await client.next())['type'], 'pong', 'the bucket refills with time');
    for (let i = 0; i < 40; i++) client.send({ type: 'ping' });
    assert.deepEqual(await client.closed(), { code: 1008, reason: 'Rate limit exceeded' });
    bystander.send({ type: 'ping' });
    assert.equal((await bystander.next())['type'], 'pong');
    await bystander.close();
  });

  it('caps subscriptions per client', async () => {
    const streams = Array.from({ length: 5 }, (_, i) => ({ name: `s${i}`, data: i }));
    const { ws } = await startServer({ endpoints: [{ path: '/ws', streams }], websocket: { maxSubscriptions: 3 } });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    for (let i = 0; i < 5; i++) client.send({ type: 'subscribe', event: `s${i}` });
    const replies = await client.drain<{ type: string; error?: string }>();
    assert.equal(replies.filter((r) => r.type === 'subscribed').length, 3);
    assert.deepEqual(replies.filter((r) => r.type === 'error').map((r) => r.error), ['Too many subscriptions: at most 3 per client', 'Too many subscriptions: at most 3 per client']);
    await client.close();
  });
});

describe('slow consumers and shutdown under load', () => {
  it('drops broadcasts to a client that stops reading, then closes it with 1013 after the grace period', async () => {
    const { ws, server } = await startServer({
      endpoints: [{ path: '/ws', streams: [{ name: 'firehose', interval: 5, data: { blob: 'x'.repeat(64 * 1024) } }] }],
      websocket: { maxBufferedBytes: 64 * 1024, slowClientGrace: 200 },
    });
    const slow = await wsConnect(ws());
    const fast = await wsConnect(ws());
    for (const c of [slow, fast]) {
      c.send({ type: 'subscribe', event: 'firehose' });
      await c.nextOfType('subscribed');
    }
    slow.ws.pause();
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await waitUntil(() => server.clients().some((c) => c.dropped > 0), 5000, 'drops for the slow client');
    const started = Date.now();
    await waitUntil(() => Date.now() - started > 400 && fast.pending > 0, 5000, 'the grace period to pass');
    slow.ws.resume();
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    assert.equal((await slow.closed()).code, 1013);
    assert.equal(fast.ws.readyState, fast.ws.OPEN, 'a client that keeps up is not touched');
    await fast.close();
  });

  it('stops with 200 clients connected and a stream ticking: every client gets 1001', async () => {
    const { ws, server } = await startServer({ endpoints: [{ path: '/ws', streams: [{ name: 'tick', interval: 10, data: { n: '{{counter}}' } }] }] });
    const clients = await Promise.all(Array.from({ length: 200 }, () => wsConnect(ws())));
    for (const c of clients) c.send({ type: 'subscribe', event: 'tick' });
    await Promise.all(clients.map((c) => c.nextOfType('event')));
    const started = Date.now();
    await server.stop();
    const codes = await Promise.all(clients.map((c) => c.closed()));
    assert.ok(codes.every((c) => c.code === 1001), JSON.stringify(codes.find((c) => c.code !== 1001)));
    assert.ok(Date.now() - started < 5000, 'bounded shutdown');
  });
});

describe('streams changed at run time', () => {
  it('lists, adds, changes and removes streams; subscribers keep their subscription; bad definitions are refused', async () => {
    const clock = new ManualClock();
    const { ws, http } = await startServer({ endpoints: [tickerEndpoint], websocket: { heartbeatInterval: 0 } }, { clock });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    const listed = await call(http('/admin/websocket/streams'));
    assert.deepEqual((listed.body.data as unknown as { name: string }[]).map((s) => s.name), ['ticker', 'news']);

    const created = await call(http('/admin/websocket/streams'), 'POST', { name: 'prices', interval: 100, data: { p: '{{counter}}' } });
    assert.equal(created.status, 201);
    client.send({ type: 'subscribe', event: 'prices' });
    await client.nextOfType('subscribed');
    assert.deepEqual((await client.nextOfType<{ data: unknown }>('event')).data, { p: 1 });
    clock.advance(100);
    assert.deepEqual((await client.nextOfType<{ data: unknown }>('event')).data, { p: 2 });

    const changed = await call(http('/admin/websocket/streams/prices'), 'PUT', { interval: 50, data: { p: 'changed' } });
    assert.equal(changed.status, 200);
    assert.equal((changed.body.data as { subscribers: number }).subscribers, 1, 'the subscriber stayed');
    clock.advance(50);
    assert.deepEqual((await client.nextOfType<{ data: unknown }>('event')).data, { p: 'changed' });

    const bad: [string, string, unknown, number, RegExp][] = [
      ['/admin/websocket/streams', 'POST', { name: 'prices', data: 1 }, 409, /already exists/],
      ['/admin/websocket/streams', 'POST', { name: 'x', interval: -1 }, 400, /interval: expected a number >= 0.*data: is required/],
      ['/admin/websocket/streams/nope', 'PUT', { data: 1 }, 404, /Unknown stream: nope/],
      ['/admin/websocket/streams/prices', 'PUT', { name: 'other', data: 1 }, 400, /rename by DELETE and POST/],
      ['/admin/websocket/streams?endpoint=/none', 'POST', { name: 'y', data: 1 }, 404, /No endpoint \/none/],
    ];
    for (const [path, method, body, status, pattern] of bad) {
      const result = await call(http(path), method, body);
      assert.equal(result.status, status, `${method} ${path}`);
      assert.match(result.body.error?.message ?? '', pattern);
    }

    assert.equal((await call(http('/admin/websocket/streams/prices'), 'DELETE')).status, 200);
    clock.advance(500);
    await client.expectSilence(100);
    assert.equal((await call(http('/admin/websocket/streams/prices'))).status, 404);
    await client.close();
  });

  it('a stream whose name holds a space or non-ASCII letters is reached by its percent-encoded name, as the dashboard sends it', async () => {
    const { http } = await startServer({ endpoints: [{ path: '/ws', streams: [{ name: 'price ticks', interval: 100, data: { p: 1 } }, { name: 'café', data: { c: 1 } }] }] });
    const path = (name: string, rest = '') => http(`/admin/websocket/streams/${encodeURIComponent(name)}${rest}`);
    assert.equal((await call(path('price ticks'))).body.data?.['name'], 'price ticks');
    assert.equal((await call(path('price ticks', '/pause'), 'POST')).status, 200);
    assert.deepEqual((await call(path('café', '/render'))).body.data?.['rendered'], [{ c: 1 }]);
    assert.equal((await call(path('café'), 'PUT', { data: { c: 2 } })).status, 200);
    assert.deepEqual((await call(path('café'), 'DELETE')).body.data, { removed: 'café' });
    assert.equal((await call(path('café'))).status, 404);
  });
});

describe('configuration reload', () => {
  it('re-reads the files: streams and rules change, clients stay; an invalid file is refused and nothing changes', async () => {
    const dir = tempDir('reload');
    const file = join(dir, 'mock.yaml');
    writeFileSync(file, 'endpoints:\n  - path: /ws\n    streams:\n      - { name: a, data: 1 }\n      - { name: b, data: 2 }\n');
    const reload = () => loadConfig({ cwd: dir, env: {}, configFile: file }).config;
    const { ws, http, server } = await startServer({ ...reload(), host: '127.0.0.1', port: 0, log: { level: 'silent' } }, { reload: () => ({ ...reload(), host: '127.0.0.1', port: 0, log: { level: 'silent', format: 'text', traffic: false } }) });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'a' });
    await client.nextOfType('event');

    writeFileSync(file, 'endpoints:\n  - path: /ws\n    streams:\n      - { name: a, data: changed }\n      - { name: c, data: 3 }\n    rules:\n      - when: { type: hello }\n        then: [{ reply: hi }]\n');
    const done = await call(http('/admin/config/reload'), 'POST');
    assert.equal(done.status, 200);
    assert.deepEqual(done.body.data, { streamsAdded: ['/ws c'], streamsChanged: ['/ws a'], streamsRemoved: ['/ws b'], rulesReloaded: ['/ws'], faultsChanged: [], httpRoutes: 0, restartNeeded: [] });
    assert.deepEqual(server.config.endpoints[0]?.streams.map((s) => s.name), ['a', 'c'], 'server.config is the configuration in force');
    client.send({ type: 'request', event: 'a' });
    assert.equal((await client.nextOfType<{ data: unknown }>('response')).data, 'changed');
    client.send({ type: 'hello' });
    assert.equal((await client.nextRaw()).text, 'hi');

    writeFileSync(file, 'endpoints:\n  - path: /ws\n    streams:\n      - { name: a, interval: -5, data: 1 }\n');
    const refused = await call(http('/admin/config/reload'), 'POST');
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error?.code, 'MW_CONFIG_INVALID');
    assert.match(refused.body.error?.message ?? '', /endpoints\[0\]\.streams\[0\]\.interval: expected a number >= 0/);
    client.send({ type: 'request', event: 'c' });
    assert.equal((await client.nextOfType<{ data: unknown }>('response')).data, 3, 'the running configuration stayed');

    // HTTP routes are replaced by a reload; one that publishes to no stream refuses the whole reload.
    const streams = '    streams:\n      - { name: a, data: changed }\n      - { name: c, data: 3 }\n';
    writeFileSync(file, `endpoints:\n  - path: /ws\n${streams}http:\n  routes:\n    - { method: GET, path: /api/v, then: [{ respond: { body: v2 } }] }\n`);
    const withRoute = await call(http('/admin/config/reload'), 'POST');
    assert.deepEqual([withRoute.status, (withRoute.body.data as { httpRoutes: number }).httpRoutes], [200, 1]);
    assert.equal(await (await fetch(http('/api/v'))).text(), 'v2');
    writeFileSync(file, `endpoints:\n  - path: /ws\n    streams:\n      - { name: z, data: 9 }\nhttp:\n  routes:\n    - { path: /api/v, then: [{ publish: { stream: nope } }, { respond: { body: v3 } }] }\n`);
    const badRoute = await call(http('/admin/config/reload'), 'POST');
    assert.equal(badRoute.status, 400);
    assert.match(badRoute.body.error?.message ?? '', /publish: Unknown stream: nope/);
    assert.equal(await (await fetch(http('/api/v'))).text(), 'v2', 'the routes in force stayed');
    assert.deepEqual(server.config.endpoints[0]?.streams.map((s) => s.name), ['a', 'c'], 'and the streams too');
    await client.close();
  });

  it('says so when there is nothing to reload', async () => {
    const { http } = await startServer({ endpoints: [tickerEndpoint] });
    const result = await call(http('/admin/config/reload'), 'POST');
    assert.equal(result.status, 409);
    assert.equal(result.body.error?.code, 'MW_RELOAD_UNAVAILABLE');
  });
});
