/**
 * The HTTP side's guards against clients that never end: bodies that never end or stop arriving (the
 * connection is closed after the refusal), pipelined requests whose answers are never read (the connection
 * stops being read, a bystander is answered, a connection that stays behind is let go), the per-address
 * `http.rateLimit` (each client from its own 127.0.0.x address), and two requests a route cannot take (a
 * sequence caller key without end, a JSON body 100,000 levels deep). Played over raw sockets against a real
 * server, every wait bounded.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import diagnostics from 'node:diagnostics_channel';
import { after, describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

/** Resolves when the socket closes; rejects after `ms`. */
function closed(socket: Socket, ms: number, what: string): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: the server did not close the connection within ${ms} ms`)), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Opens a raw connection, sends `head`, then a chunked body for ever (until the server closes the connection,
 * or `ms` pass). Returns what the server answered and how many body bytes were sent.
 */
async function endlessBody(port: number, head: string, ms: number): Promise<{ answer: string; sent: number; closedByServer: boolean }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const ended = closed(socket, ms, 'endless body');
  let done = false;
  const outcome = ended.then(() => true, () => false).finally(() => (done = true));
  socket.write(`${head}Transfer-Encoding: chunked\r\n\r\n`);
  const chunk = Buffer.from(`4000\r\n${'x'.repeat(0x4000)}\r\n`);
  let sent = 0;
  // As an upload loop does: write while the connection takes it, and let the answer be read now and then.
  // (A server that destroyed the connection at once would reset it under these unread bytes, and this
  // client's next write would fail before it read the answer.)
  for (let n = 1; !done; n++) {
    if (!socket.write(chunk)) await Promise.race([once(socket, 'drain').catch(() => undefined), outcome]);
    else sent += chunk.length;
    if (n % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const closedByServer = await outcome;
  socket.destroy();
  return { answer, sent, closedByServer };
}

/** One request from a chosen local address (127.0.0.x), answered in full. */
function fromAddress(port: number, localAddress: string, path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, localAddress, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      // An SSE stream that was let in never ends: its head is enough.
      if (res.headers['content-type']?.startsWith('text/event-stream') === true) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        res.destroy();
      }
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

const ECHO = { routes: [{ method: 'POST', path: '/echo', then: [{ respond: { body: '{{request.body}}' } }] }] };

describe('bodies that never end', () => {
  it('a route refuses an endless chunked body with 413 and closes the connection', async () => {
    const { info } = await startServer({ http: { maxBodyBytes: 1000, ...ECHO } });
    const { answer, closedByServer, sent } = await endlessBody(info.port, 'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n', 10_000);
    assert.ok(closedByServer, `still open after 10 s and ${sent} bytes sent`);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    assert.match(answer, /MW_HTTP_BODY_TOO_LARGE/);
  });

  it('the admin API refuses an endless body with 413 and closes the connection', async () => {
    const { info } = await startServer({});
    const { answer, closedByServer, sent } = await endlessBody(info.port, `POST /admin/http/routes HTTP/1.1\r\nHost: 127.0.0.1:${info.port}\r\nContent-Type: application/json\r\n`, 10_000);
    assert.ok(closedByServer, `still open after 10 s and ${sent} bytes sent`);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    assert.match(answer, /MW_BODY_TOO_LARGE/);
  });

  it('a body nobody reads (an admin path that does not exist) is not read for ever either', async () => {
    const { info } = await startServer({});
    const { answer, closedByServer } = await endlessBody(info.port, `POST /admin/nothing HTTP/1.1\r\nHost: 127.0.0.1:${info.port}\r\nContent-Type: application/json\r\n`, 10_000);
    assert.ok(closedByServer);
    assert.match(answer, /^HTTP\/1\.1 404 [\s\S]*MW_ADMIN_NOT_FOUND/);
  });

  it('a small body nobody reads is read and dropped: the connection serves the next request', async () => {
    const { info } = await startServer({});
    const socket = connect(info.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const host = `Host: 127.0.0.1:${info.port}\r\nContent-Type: application/json\r\n`;
    socket.write(`POST /admin/nothing HTTP/1.1\r\n${host}Content-Length: 2\r\n\r\n{}GET /admin/websocket/stats HTTP/1.1\r\n${host}\r\n`);
    await waitUntil(() => /HTTP\/1\.1 200 /.test(answer), 5000, 'the second answer');
    assert.match(answer, /^HTTP\/1\.1 404 [\s\S]*HTTP\/1\.1 200 /);
    assert.doesNotMatch(answer, /connection: close/i);
    socket.destroy();
  });

  it('a body that stops arriving is refused with 408 and the connection closed', async () => {
    const { info } = await startServer({ http: { bodyTimeout: 300, ...ECHO } });
    const socket = connect(info.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    // Well before Node's own request timeout (twice websocket.handshakeTimeout: 20 s).
    await closed(socket, 5000, 'a stalled body');
    assert.match(answer, /^HTTP\/1\.1 408 [\s\S]*connection: close[\s\S]*MW_HTTP_BODY_TIMEOUT/i);
  });
});

describe('pipelined requests whose answers are never read', () => {
  // Answers of 2 KB: 20,000 of them (40 MB) are far more than the kernel's socket buffers take on loopback.
  const ROUTES = { routes: [{ method: 'GET', path: '/n', then: [{ respond: { body: `n={{request.query.i}};${'.'.repeat(2000)}` } }] }] };
  const GET = (i: number): string => `GET /n?i=${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

  it('a client that pipelines and reads gets every answer, in order', async () => {
    const { info } = await startServer({ http: ROUTES });
    const socket = connect(info.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write(Array.from({ length: 500 }, (_, i) => GET(i)).join(''));
    await waitUntil(() => answer.includes('n=499;'), 10_000, 'all 500 answers');
    assert.deepEqual([...answer.matchAll(/n=(\d+);/g)].map((m) => Number(m[1])), Array.from({ length: 500 }, (_, i) => i));
    socket.destroy();
  });

  it('one connection sends 20,000 GETs and never reads: it stops being read, and a bystander is answered', async () => {
    const { info, http } = await startServer({ http: ROUTES });
    const attacker = connect(info.port, '127.0.0.1');
    attacker.on('error', () => undefined);
    attacker.pause();
    await once(attacker, 'connect');
    // The requests the server's HTTP parser took from the attacker's connection: what it read of it.
    let parsed = 0;
    const onStart = (message: unknown): void => {
      if ((message as { request: { socket: Socket } }).request.socket.remotePort === attacker.localPort) parsed += 1;
    };
    diagnostics.subscribe('http.server.request.start', onStart);
    after(() => diagnostics.unsubscribe('http.server.request.start', onStart));
    attacker.write(Array.from({ length: 20_000 }, (_, i) => GET(i)).join(''));
    for (let i = 0; i < 5; i++) {
      const answer = await fetch(http(`/n?i=by${i}`), { signal: AbortSignal.timeout(10_000) });
      assert.match(await answer.text(), new RegExp(`^n=by${i};`));
    }
    // Settled: the same count half a second apart (bounded by 20 s).
    for (let seen = -1, round = 0; parsed !== seen && round < 40; round++) {
      seen = parsed;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Without the guard the server reads all 20,000 (and holds them and their answers in memory); with it,
    // it stops once the answers stop leaving: a read or two beyond what the socket buffers took.
    assert.ok(parsed < 10_000, `the server read ${parsed} of 20,000 requests from a client that reads nothing`);
    attacker.destroy();
  });

  it('a connection that leaves its answers unread past slowClientGrace is closed', async () => {
    // The server's end of the attacker's connection: the attacker, which reads nothing, would not see it close.
    let serverSide: Socket | undefined;
    const onSocket = (message: unknown): void => {
      serverSide = (message as { socket: Socket }).socket;
    };
    diagnostics.subscribe('net.server.socket', onSocket);
    after(() => diagnostics.unsubscribe('net.server.socket', onSocket));
    const { info } = await startServer({ websocket: { slowClientGrace: 300 }, http: ROUTES });
    const attacker = connect(info.port, '127.0.0.1');
    attacker.on('error', () => undefined);
    attacker.pause();
    await once(attacker, 'connect');
    await waitUntil(() => serverSide?.remotePort === attacker.localPort, 5000, 'the server to accept the connection');
    attacker.write(Array.from({ length: 20_000 }, (_, i) => GET(i)).join(''));
    await closed(serverSide as Socket, 10_000, 'a client that reads nothing');
    attacker.destroy();
  });
});

describe('http.rateLimit', () => {
  const config = {
    endpoints: [{ path: '/events', protocol: 'sse' as const, streams: [{ name: 'tick', interval: 1000, data: { n: 1 } }] }],
    http: { rateLimit: { requestsPerSecond: 0.01, burst: 3 }, routes: [{ method: 'GET', path: '/api/x', then: [{ respond: { body: { ok: true } } }] }] },
  };

  it('limits each client address on its own: 429 with Retry-After and the catalog error; the admin API is not limited', async () => {
    const { info } = await startServer(config);
    for (let i = 0; i < 3; i++) assert.equal((await fromAddress(info.port, '127.0.0.2', '/api/x')).status, 200, `request ${i} within the burst`);
    const refused = await fromAddress(info.port, '127.0.0.2', '/api/x');
    assert.equal(refused.status, 429);
    assert.match(refused.headers['retry-after'] ?? '', /^[1-9]\d*$/);
    assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'MW_HTTP_RATE_LIMITED');
    assert.equal((await fromAddress(info.port, '127.0.0.2', '/nowhere')).status, 429, 'the fallback and the 404 are limited too');
    assert.equal((await fromAddress(info.port, '127.0.0.3', '/api/x')).status, 200, 'another address has its own budget');
    assert.equal((await fromAddress(info.port, '127.0.0.2', '/admin/websocket/stats')).status, 200, 'the admin API stays reachable');
  });

  it('limits Server-Sent Events connects', async () => {
    // No routes: the connects are limited as connects, not as requests that might have reached a route.
    const { info } = await startServer({ endpoints: config.endpoints, http: { rateLimit: config.http.rateLimit } });
    for (let i = 0; i < 3; i++) assert.equal((await fromAddress(info.port, '127.0.0.4', '/events')).status, 200);
    const refused = await fromAddress(info.port, '127.0.0.4', '/events');
    assert.equal(refused.status, 429);
    assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'MW_HTTP_RATE_LIMITED');
  });

  it('is off by default', async () => {
    const { info } = await startServer({ http: { routes: config.http.routes } });
    for (let i = 0; i < 20; i++) assert.equal((await fromAddress(info.port, '127.0.0.5', '/api/x')).status, 200);
  });
});

describe('requests a route cannot take', () => {
  it('a sequence caller key over 256 characters is a 400, not a new key in the state', async () => {
    const { http } = await startServer({
      http: { routes: [{ method: 'GET', path: '/s', then: [{ sequence: { per: 'header:x-user', steps: [[{ respond: { body: 'first' } }], [{ respond: { body: 'then' } }]] } }] }] },
    });
    const call = (user: string) => fetch(http('/s'), { headers: { 'x-user': user } }).then(async (r) => [r.status, await r.text()]);
    assert.deepEqual(await call('u'.repeat(256)), [200, 'first']);
    assert.deepEqual(await call('u'.repeat(256)), [200, 'then']);
    const [status, body] = await call('u'.repeat(257));
    assert.equal(status, 400);
    assert.match(String(body), /MW_HTTP_BAD_REQUEST.*256 characters/);
  });

  it('a JSON body nested 100,000 levels deep rendered with {{json}} is a 400, not a 500; a shallow one renders', async () => {
    const { http } = await startServer({ http: { routes: [{ method: 'POST', path: '/j', then: [{ respond: { body: '{{json request.body}}' } }] }] } });
    const post = (body: string) => fetch(http('/j'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => [r.status, await r.text()]);
    const shallow = `${'['.repeat(50)}1${']'.repeat(50)}`;
    assert.deepEqual(await post(shallow), [200, shallow]);
    const [status, body] = await post(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    assert.equal(status, 400);
    assert.match(String(body), /MW_HTTP_BAD_REQUEST.*deeper than 100 levels/);
  });

  it('the depth limit is exact for arrays and objects, and brackets inside strings do not count as levels', async () => {
    const { http } = await startServer({ http: { routes: [{ name: 'k', method: 'POST', path: '/j', when: { body: { k: 1 } }, then: [{ respond: { body: 'matched' } }] }, { method: 'POST', path: '/j', then: [{ respond: { body: 'other' } }] }] } });
    const post = (body: string) => fetch(http('/j'), { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => [r.status, await r.text()]);
    const arrays = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    const objects = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"k":1}${'}'.repeat(levels - 1)}`;
    assert.deepEqual(await post(arrays(100)), [200, 'other']);
    assert.equal((await post(arrays(101)))[0], 400);
    assert.deepEqual(await post(objects(100)), [200, 'other']);
    assert.equal((await post(objects(101)))[0], 400);
    assert.deepEqual(await post(JSON.stringify({ k: 1, text: '{['.repeat(500) })), [200, 'matched']);
  });

  it('the same body is a 400 to a route whose when matches the body, and answered by a route that reads nothing of it (not parsed)', async () => {
    const routes = [
      { method: 'POST', path: '/matched', when: { body: { type: 'x' } }, then: [{ respond: { body: 'matched' } }] },
      { method: 'POST', path: '/unread', then: [{ respond: { body: { ok: '{{request.params.none}}' } } }] },
    ];
    const { http } = await startServer({ http: { routes } });
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const post = (path: string) => fetch(http(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep }).then(async (r) => [r.status, await r.text()]);
    const [status, body] = await post('/matched');
    assert.equal(status, 400);
    assert.match(String(body), /deeper than 100 levels/);
    assert.deepEqual(await post('/unread'), [200, '{}']);
  });
});
