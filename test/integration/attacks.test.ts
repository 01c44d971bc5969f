/**
 * Attacks from the security review, each as an attacker would run it against a real server: memory from a
 * client that never reads, CPU from a crafted pattern or live-view readers, prototype pollution, secrets in
 * logs, recordings and upstream requests, cross-origin admin calls, and oversized or absurd input. Every
 * case checks the clear error the attacker gets and that a bystander was not disturbed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createMockServer, loadConfig, ManualClock, MockwaveError } from '../../src/index.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { startServer } from '../helpers/server.ts';
import { hangingUpstream, upstream } from '../helpers/upstream.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Stops reading: neither ws nor the TCP socket under it takes data any more, as a stalled client would. */
function stopReading(client: WsTestClient): void {
  client.ws.pause();
  (client.ws as unknown as { _socket: Socket })._socket.pause();
}

/** A plain HTTP request with exactly these headers (fetch would add an Origin or refuse a Host). */
function rawHttp(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Loads a config file's text the way the CLI does; returns the error it throws. */
function configProblem(name: string, text: string | undefined, size?: number): MockwaveError {
  const dir = tempDir('attack');
  const file = join(dir, name);
  writeFileSync(file, text ?? '');
  if (size !== undefined) truncateSync(file, size);
  try {
    loadConfig({ cwd: dir, env: {}, configFile: file });
  } catch (error) {
    assert.ok(error instanceof MockwaveError, String(error));
    return error;
  }
  assert.fail(`${name} was accepted`);
}

describe('memory: a client that never reads', () => {
  const big = 'x'.repeat(16 * 1024);
  const config = {
    websocket: { heartbeatInterval: 0, maxBufferedBytes: 64 * 1024, slowClientGrace: 300 },
    endpoints: [
      {
        path: '/ws',
        streams: [{ name: 'blob', data: { big } }, { name: 'tick', interval: 50, data: { n: '{{counter}}' } }],
        rules: [{ when: { type: 'echo' }, then: [{ reply: { big } }] }],
      },
    ],
  };

  // Far more than the kernel's socket buffers hold: without the cap the server would queue 150 MB or more.
  for (const [what, message, count] of [
    ['request responses', { type: 'request', event: 'blob' }, 10_000],
    ['rule replies', { type: 'echo' }, 10_000],
    ['pongs', { type: 'ping' }, 400_000],
  ] as const) {
    it(`${what} are held to the client's byte cap, then it is evicted for staying behind the grace period`, async () => {
      const log = captureLog('warn');
      const { ws, server } = await startServer(config, { logger: log.logger });
      const bystander = await wsConnect(ws());
      bystander.send({ type: 'subscribe', event: 'tick' });
      await bystander.nextOfType('subscribed');
      const attacker = await wsConnect(ws());
      await attacker.nextOfType('connected');
      const attackerId = server.clients().find((c) => c.id !== server.clients()[0]?.id)?.id;
      stopReading(attacker);
      const text = JSON.stringify(message);
      const burst = Math.ceil(count / 50);
      let sent = 0;
      const flood = setInterval(() => {
        for (let i = 0; i < burst && sent < count && attacker.ws.readyState === WebSocket.OPEN; i++, sent++) attacker.send(text);
        if (sent >= count || attacker.ws.readyState !== WebSocket.OPEN) clearInterval(flood);
      }, 5);
      after(() => clearInterval(flood));
      // Messages are read one per event-loop turn (ws's allowSynchronousEvents: false), so on a loaded machine
      // the flood takes a while to fill the kernel's buffers and then the cap: a bound, not a timing.
      await waitUntil(() => (server.clients().find((c) => c.id === attackerId)?.dropped ?? 0) > 0, 40_000, 'replies to be dropped');
      // Behaviour, not wall-clock time (the bound is generous so a loaded machine passes; how fast eviction is
      // on an idle one is measured by npm run bench:attacks): it is let go, and for the grace period.
      await waitUntil(() => !server.clients().some((c) => c.id === attackerId), 15_000, 'the attacker to be evicted');
      assert.ok(server.stats().endpoints?.[0] !== undefined);
      assert.match(await log.waitFor(/MW_SLOW_CLIENT/), /for 300 ms/);
      // The bystander still gets the next ticks, in order.
      const first = (await bystander.nextOfType<{ data: { n: number } }>('event')).data.n;
      const second = (await bystander.nextOfType<{ data: { n: number } }>('event')).data.n;
      assert.equal(second, first + 1);
      clearInterval(flood);
      await bystander.close();
    });
  }

  it('the server logs the close code it sent to an evicted client, not 1006', async () => {
    const log = captureLog('info');
    const { ws, server } = await startServer(config, { logger: log.logger });
    const attacker = await wsConnect(ws());
    await attacker.nextOfType('connected');
    stopReading(attacker);
    const text = JSON.stringify({ type: 'request', event: 'blob' });
    for (let round = 0; round < 40 && server.clients().length > 0; round++) {
      for (let i = 0; i < 250; i++) attacker.send(text);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const line = await log.waitFor(/Client disconnected/, 5000);
    assert.match(line, /code 1013, Client too slow/);
  });

  it('a client closed for a message over maxPayload is let go within a second and logged as 1009, not 1006 after 30 s', async () => {
    const log = captureLog('info');
    const { ws } = await startServer({ websocket: { heartbeatInterval: 0, maxPayload: 1024 }, endpoints: [{ path: '/ws' }] }, { logger: log.logger });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    stopReading(client);
    client.ws.send('x'.repeat(4096));
    const started = Date.now();
    const line = await log.waitFor(/Client disconnected/, 5000);
    assert.match(line, /code 1009/);
    // The bug this guards took 30 s (the next heartbeat); the bound is wide so a loaded machine passes.
    assert.ok(Date.now() - started < 10_000, `let go after ${Date.now() - started} ms`);
  });

  it('many slow clients together are held to the server-wide cap (websocket.maxQueuedBytes)', async () => {
    const { ws, server } = await startServer({ ...config, websocket: { ...config.websocket, maxBufferedBytes: 64 * 1024 * 1024, maxQueuedBytes: 1024 * 1024, slowClientGrace: 60_000 } });
    const attackers = await Promise.all(Array.from({ length: 4 }, () => wsConnect(ws())));
    for (const a of attackers) {
      await a.nextOfType('connected');
      stopReading(a);
    }
    const text = JSON.stringify({ type: 'request', event: 'blob' });
    for (let round = 0; round < 20; round++) {
      for (const a of attackers) for (let i = 0; i < 100; i++) a.send(text);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitUntil(() => server.clients().reduce((n, c) => n + c.dropped, 0) > 0, 10_000, 'drops under the server-wide cap');
    // 128 MB were asked for; each client's own cap (64 MiB) was never the limit, and nobody was evicted.
    const queued = server.stats().queuedBytes ?? 0;
    assert.ok(queued < 32 * 1024 * 1024, `queued ${queued} bytes`);
    assert.equal(server.clients().length, 4);
    for (const a of attackers) a.ws.terminate();
  });
});

describe('the proxy: bytes held before the upstream opens', () => {
  it('a client that sends megabytes to a hanging upstream is closed with 1013 once over maxQueueBytes', async () => {
    const hanging = await hangingUpstream();
    const { ws } = await startServer({
      websocket: { maxPayload: 4 * 1024 * 1024 },
      endpoints: [{ path: '/ws', streams: [] }],
      proxy: { enabled: true, routes: [{ name: 'hang', url: hanging, connectTimeout: 30_000 }] },
    });
    const client = await wsConnect(ws('/ws/proxy/hang'));
    const chunk = Buffer.alloc(3 * 1024 * 1024, 0x61);
    for (let i = 0; i < 5 && client.ws.readyState === WebSocket.OPEN; i++) client.ws.send(chunk);
    const closed = await client.closed();
    assert.equal(closed.code, 1013);
    assert.match(closed.reason, /Proxy queue full/);
  });
});

describe('CPU: regular expressions in rules', () => {
  it('a catastrophic pattern is refused at load with its path and an example; a polynomial one is bounded', () => {
    assert.throws(
      () => createMockServer({ endpoints: [{ path: '/ws', rules: [{ when: { regex: { text: '(a+)+$' } }, then: [{ reply: 'x' }] }] }] }),
      (error: MockwaveError) => {
        assert.equal(error.code, 'MW_CONFIG_INVALID');
        assert.match(error.details.join('\n'), /endpoints\[0\]\.rules\[0\]\.when\.regex\.text: catastrophic backtracking \(exponential\): text like .*'a'/);
        return true;
      },
    );
    assert.throws(() => createMockServer({ endpoints: [{ path: '/ws', rules: [{ when: { text: '(x|x)*y' }, then: [{ reply: 'x' }] }] }] }), /when\.text: catastrophic backtracking/);
  });

  it('a polynomial pattern never sees more text than it can match quickly; a bystander is not stalled', async () => {
    const { ws } = await startServer({ websocket: { heartbeatInterval: 0 }, endpoints: [{ path: '/ws', rules: [{ when: { regex: { text: 'a*a*a*b' } }, then: [{ reply: 'matched' }] }] }] });
    const attacker = await wsConnect(ws());
    const bystander = await wsConnect(ws());
    await attacker.nextOfType('connected');
    await bystander.nextOfType('connected');
    // A 4th-degree pattern against 100,000 characters: without the bound, longer than anyone would wait.
    const started = Date.now();
    attacker.send({ text: 'a'.repeat(100_000) });
    bystander.send({ type: 'ping' });
    assert.equal((await bystander.nextOfType('pong')).type, 'pong');
    // Unbounded, that match takes minutes; the bound is wide so a loaded machine passes.
    assert.ok(Date.now() - started < 5000, `the bystander waited ${Date.now() - started} ms`);
    // Too long to be matched: the rule does not apply, and the dialect answers as for any unmatched message.
    assert.equal((await attacker.next())['code'], 'MW_INVALID_MESSAGE');
    // Short text still matches.
    attacker.send({ text: 'aaab' });
    assert.equal(await attacker.nextRaw().then((m) => m.text), 'matched');
  });
});

describe('prototype pollution', () => {
  it('paths through __proto__, constructor or prototype are refused at load, with their path', () => {
    const problems = (() => {
      try {
        createMockServer({
          endpoints: [
            {
              path: '/ws',
              rules: [
                { when: { regex: { 'a.__proto__.x': '.' } }, then: [{ reply: 'x' }] },
                { when: { type: 'q' }, then: [{ generate: { schema: { type: 'object' }, copy: { '/__proto__/polluted': '/x' } } }] },
                { when: { type: 'r' }, then: [{ generate: { schema: { type: 'object' }, copy: { '/a': '/constructor/prototype' } } }] },
              ],
            },
          ],
        });
      } catch (error) {
        return (error as MockwaveError).details.join('\n');
      }
      return '';
    })();
    assert.match(problems, /rules\[0\]\.when\.regex.*a path may not name "__proto__"/);
    assert.match(problems, /rules\[1\]\.then\[0\]\.generate\.copy.*__proto__/);
    assert.match(problems, /rules\[2\]\.then\[0\]\.generate\.copy.*constructor/);
  });

  it("a client message cannot reach Object.prototype through a generate rule's copies or a matcher", async () => {
    const { ws, http } = await startServer({
      websocket: { heartbeatInterval: 0 },
      endpoints: [
        {
          path: '/ws',
          rules: [
            { when: { json: { toString: 'x' } }, then: [{ reply: 'inherited matched' }] },
            { when: { regex: { 'a.toString': 'native code' } }, then: [{ reply: 'inherited method matched' }] },
            { when: { type: 'q' }, then: [{ generate: { schema: { type: 'object', properties: { meta: {} } }, examples: [{ meta: 0 }], copy: { '/meta': '/meta', '/meta/x': '/x' } } }] },
          ],
        },
      ],
    });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    // The copied value carries a `__proto__` key of its own; the write after it goes below that key.
    client.send('{"type":"q","meta":{"__proto__":{"polluted":true}},"x":1,"__proto__":{"polluted":true}}');
    assert.equal((await client.nextRaw()).text, '{"meta":{"__proto__":{"polluted":true},"x":1}}');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    // `toString` is inherited by every object, not a field of this message: no match, the dialect answers.
    client.send({ type: 'ping', a: {} });
    assert.equal((await client.next())['type'], 'pong');
    // The admin API still accepts writes (a polluted prototype made every key look unknown).
    const created = await fetch(http('/admin/websocket/streams'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'fresh', data: { a: 1 } }) });
    assert.equal(created.status, 201);
  });
});

describe('secrets', () => {
  const token = 'sekret-token-123';

  it('with auth on, the token mockwave accepted is not forwarded, logged, recorded or shown', async () => {
    const up = await upstream({ protocol: (offered) => (offered.has('v1') ? 'v1' : false) });
    const dir = tempDir('rec');
    const log = captureLog('debug');
    const { ws, http, server } = await startServer(
      {
        auth: { enabled: true, tokens: [token] },
        endpoints: [{ path: '/ws', streams: [] }],
        proxy: { enabled: true, record: dir, routes: [{ name: 'feed', url: up.url, announce: false, query: { sig: 'route-signature' }, headers: { 'X-Upstream-Auth': 'route-key' } }] },
      },
      { logger: log.logger },
    );
    const client = await wsConnect(`${ws('/ws/proxy/feed')}?token=${token}&symbol=AAPL`, { protocols: ['v1', `bearer.${token}`], headers: { Authorization: `Bearer ${token}` } });
    client.ws.send('hello');
    assert.equal((await client.nextRaw()).text, 'hello');
    const request = up.requests[0];
    assert.ok(request !== undefined);
    const seen = `${request.url ?? ''} ${JSON.stringify(request.headers)}`;
    assert.ok(!seen.includes(token), `the upstream saw the token: ${seen}`);
    assert.match(request.url ?? '', /symbol=AAPL/, 'other query parameters are forwarded');
    assert.equal(request.headers['sec-websocket-protocol'], 'v1');
    const clients = await (await fetch(http('/admin/websocket/clients'), { headers: { Authorization: `Bearer ${token}` } })).text();
    assert.ok(!clients.includes(token), `the admin API shows the token: ${clients}`);
    assert.match(clients, /token=\*\*\*/);
    await client.close();
    await server.stop();
    const file = readdirSync(dir)[0];
    assert.ok(file !== undefined);
    const recording = readFileSync(join(dir, file), 'utf8');
    for (const secret of [token, 'route-signature', 'route-key']) assert.ok(!recording.includes(secret), `the recording holds ${secret}: ${recording.split('\n')[0]}`);
    const logged = log.lines.join('\n');
    for (const secret of [token, 'route-signature']) assert.ok(!logged.includes(secret), `the log holds ${secret}: ${logged}`);
    assert.match(logged, /connected to ws:\/\/127\.0\.0\.1:\d+\/\?.*sig=\*\*\*/);
  });

  it('with auth off, the client credential belongs to the upstream and is forwarded; named JSON fields are masked in recordings', async () => {
    const up = await upstream();
    const dir = tempDir('rec');
    const { ws, server } = await startServer({ redact: ['password'], endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, record: dir, routes: [{ name: 'feed', url: up.url, announce: false }] } });
    const client = await wsConnect(`${ws('/ws/proxy/feed')}?token=${token}`, { headers: { Authorization: `Bearer ${token}` } });
    client.send({ type: 'login', user: 'ann', password: 'hunter22' });
    await client.nextRaw();
    assert.equal(up.requests[0]?.headers.authorization, `Bearer ${token}`);
    assert.match(up.requests[0]?.url ?? '', new RegExp(`token=${token}`));
    await client.close();
    await server.stop();
    const recording = readFileSync(join(dir, readdirSync(dir)[0] as string), 'utf8');
    assert.ok(!recording.includes('hunter22'));
    assert.match(recording, /"json":\{"type":"login","user":"ann","password":"\*\*\*"\}/);
    assert.ok(!recording.includes(token));
  });
});

describe('the admin API from web pages', () => {
  it('a foreign page cannot change the server; its own page, loopback dev servers and scripts can', async () => {
    const log = captureLog('info');
    const { info, ws } = await startServer({ endpoints: [{ path: '/ws', streams: [] }] }, { logger: log.logger });
    const port = info.port;
    const body = JSON.stringify({ name: 'made', data: { a: 1 } });
    const foreign = await rawHttp(port, 'POST', '/admin/websocket/streams', { Host: `127.0.0.1:${port}`, Origin: 'https://evil.example', 'Content-Type': 'text/plain' }, body);
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /MW_FORBIDDEN_ORIGIN/);
    const foreignJson = await rawHttp(port, 'POST', '/admin/websocket/streams', { Host: `127.0.0.1:${port}`, Origin: 'https://evil.example', 'Content-Type': 'application/json' }, body);
    assert.equal(foreignJson.status, 403);
    const plain = await rawHttp(port, 'POST', '/admin/websocket/streams', { Host: `127.0.0.1:${port}`, 'Content-Type': 'text/plain' }, body);
    assert.equal(plain.status, 415);
    assert.match(plain.body, /MW_UNSUPPORTED_MEDIA_TYPE/);
    const devServer = await rawHttp(port, 'POST', '/admin/websocket/streams', { Host: `127.0.0.1:${port}`, Origin: 'http://localhost:5173', 'Content-Type': 'application/json' }, body);
    assert.equal(devServer.status, 201);
    const own = await rawHttp(port, 'PUT', '/admin/websocket/streams/made', { Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify({ data: { a: 2 } }));
    assert.equal(own.status, 200);
    const script = await rawHttp(port, 'DELETE', '/admin/websocket/streams/made', { Host: `127.0.0.1:${port}` });
    assert.equal(script.status, 200);
    // Reading is not changing: a GET from anywhere is answered (without CORS headers the browser hides it).
    assert.equal((await rawHttp(port, 'GET', '/admin/websocket/stats', { Host: `127.0.0.1:${port}`, Origin: 'https://evil.example' })).status, 200);
    // A foreign page may open a WebSocket (that is what a mock is for), and is logged once per origin.
    for (let i = 0; i < 2; i++) {
      const client = await wsConnect(ws(), { origin: 'https://evil.example' });
      await client.nextOfType('connected');
      await client.close();
    }
    await log.waitFor(/foreign origin https:\/\/evil\.example/);
    assert.equal(log.lines.filter((l) => l.includes('foreign origin')).length, 1);
  });

  it('bound to loopback, a DNS-rebound Host is refused; loopback names are served', async () => {
    const { info } = await startServer({ endpoints: [{ path: '/ws', streams: [] }] });
    const port = info.port;
    const rebound = await rawHttp(port, 'GET', '/admin/websocket/stats', { Host: `evil.example:${port}` });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /MW_FORBIDDEN_HOST/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.1.2.3:${port}`, `app.localhost:${port}`]) {
      assert.equal((await rawHttp(port, 'GET', '/admin/websocket/stats', { Host: host })).status, 200, host);
    }
  });
});

describe('absurd input', () => {
  it('an admin body nested 100,000 levels deep is a 400, not a 500', async () => {
    const { info } = await startServer({ endpoints: [{ path: '/ws', streams: [] }] });
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const answer = await rawHttp(info.port, 'POST', '/admin/websocket/publish', { Host: `127.0.0.1:${info.port}`, 'Content-Type': 'application/json' }, `{"event":"x","data":${deep}}`);
    assert.equal(answer.status, 400);
    assert.match(answer.body, /MW_BAD_REQUEST.*nests deeper than 100 levels/);
  });

  it('a configuration nested 200,000 levels deep, or over 10 MiB, is refused with a clear error', () => {
    const deep = configProblem('deep.json', `{"endpoints":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    assert.equal(deep.code, 'MW_CONFIG_FILE_SYNTAX');
    assert.match(deep.message, /deep\.json nests deeper than 100 levels/);
    const huge = configProblem('huge.yaml', 'port: 1\n', 11 * 1024 * 1024);
    assert.equal(huge.code, 'MW_CONFIG_FILE_UNREADABLE');
    assert.match(huge.message, /huge\.yaml is 11\.0 MiB, over the 10 MiB limit/);
  });

  it('newlines and ANSI escapes from clients stay escaped in text logs', async () => {
    const log = captureLog('warn');
    const { ws } = await startServer({ websocket: { heartbeatInterval: 0 }, endpoints: [{ path: '/ws', streams: [] }] }, { logger: log.logger });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'x\n12:00:00.000 Server compromised\u001b[31m' });
    await client.nextOfType('error');
    const line = await log.waitFor(/Unknown event/);
    assert.match(line, /x\\n12:00:00\.000 Server compromised\\u001b\[31m/);
    assert.ok(!log.lines.some((l) => l.startsWith('12:00:00.000 Server compromised')));
  });

  it('a client sending a stream of bad messages gets every error, but the log one line a second with a count', async () => {
    const clock = new ManualClock();
    const log = captureLog('warn');
    const { ws } = await startServer({ websocket: { heartbeatInterval: 0 }, endpoints: [{ path: '/ws', streams: [] }] }, { logger: log.logger, clock });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    for (let i = 0; i < 100; i++) client.send('not json');
    for (let i = 0; i < 100; i++) assert.equal((await client.next())['code'], 'MW_INVALID_JSON');
    assert.equal(log.lines.filter((l) => l.includes('Invalid JSON')).length, 1);
    clock.advance(1000);
    client.send('still not json');
    await client.next();
    assert.match(log.lines.at(-1) ?? '', /Invalid JSON.*\(and 99 more from this client in the last second\)$/);
  });

  it('an encoded "../" in a proxied path is refused, never forwarded', async () => {
    const up = await upstream();
    const { ws } = await startServer({ endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, routes: [{ name: 'feed', url: `${up.url}/api` }] } });
    for (const path of ['/ws/proxy/feed/..%2f..%2fadmin', '/ws/proxy/feed/%2e%2e/secret', '/ws/proxy/feed/a%5c..%5cb']) {
      const refused = await new Promise<number>((resolve) => {
        const socket = new WebSocket(ws(path));
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', () => undefined);
      });
      // %2e%2e is a dot segment to URL parsing: the path becomes /ws/proxy/secret, an unknown route (404).
      assert.ok(refused === 400 || (refused === 404 && path.includes('%2e')), `${path}: ${refused}`);
    }
    assert.equal(up.requests.length, 0);
    const fine = await wsConnect(ws('/ws/proxy/feed/v1/prices'));
    await fine.nextOfType('proxy_connected');
    assert.equal(up.requests[0]?.url, '/api/v1/prices');
    await fine.close();
  });
});

describe('live views', () => {
  it('are capped (503 past dashboard.maxLiveConnections) and freed when a reader leaves', async () => {
    const { http } = await startServer({ dashboard: { maxLiveConnections: 2 }, endpoints: [{ path: '/ws', streams: [] }] }, { clock: new ManualClock() });
    const readers = [new AbortController(), new AbortController()];
    for (const reader of readers) {
      const response = await fetch(http('/admin/live'), { signal: reader.signal });
      assert.equal(response.status, 200);
    }
    const refused = await fetch(http('/admin/live'));
    assert.equal(refused.status, 503);
    assert.match(await refused.text(), /MW_TOO_MANY_LIVE_VIEWS/);
    readers[0]?.abort();
    let admitted = 0;
    for (let i = 0; i < 50 && admitted === 0; i++) {
      const again = await fetch(http('/admin/live'));
      if (again.status === 200) {
        admitted = 1;
        await again.body?.cancel();
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(admitted, 1, 'a slot is freed when a reader leaves');
    readers[1]?.abort();
  });
});
