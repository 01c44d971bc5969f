/**
 * HTTP routes through a real server, called with fetch (undici), curl and Python's urllib: templates,
 * matching, the WebSocket push, sequences, files, streamed bodies, forwarding, the fallback, CORS, bad input,
 * the admin API and the figures.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { get as getUrl, type IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { checkConfig } from '../../src/config/validate.ts';
import { createMockServer, loadConfig } from '../../src/index.ts';
import { ROOT, runMockwave } from '../helpers/cli.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { startServer } from '../helpers/server.ts';
import { PYTHON } from '../helpers/system-clients.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { httpBackend } from '../helpers/upstream.ts';

const run = promisify(execFile);
type Obj = Record<string, unknown>;

const ORDERS = {
  endpoints: [{ path: '/ws', streams: [{ name: 'orders', data: { note: 'the stream\'s own payload' } }] }],
  http: {
    routes: [
      { name: 'one order', method: 'GET', path: '/api/orders/:id', then: [{ respond: { body: { id: '{{request.params.id}}', status: "{{pick 'open' 'filled'}}", qty: '{{int 1 10}}', at: '{{now}}' } } }] },
      { name: 'open orders', method: 'GET', path: '/api/orders', when: { query: { status: 'open' } }, then: [{ respond: { body: [{ id: 'o-1', status: 'open' }] } }] },
      {
        name: 'create order',
        method: 'POST',
        path: '/api/orders',
        when: { headers: { 'content-type': '^application/json' }, body: { json: { side: 'buy' } } },
        then: [
          { publish: { stream: 'orders', data: { type: 'order.created', symbol: '{{request.body.symbol}}', qty: '{{request.body.qty}}' } } },
          { respond: { status: 201, headers: { location: '/api/orders/{{request.body.symbol}}-1' }, body: { created: true, symbol: '{{request.body.symbol}}' } } },
        ],
      },
      { name: 'me', method: 'GET', path: '/api/me', when: { cookies: { session: '^s-' } }, then: [{ respond: { body: 'hello {{request.cookies.session}}' } }] },
    ],
  },
};

describe('HTTP routes', () => {
  it('answers from templates with params, query, headers, cookies and body; 404 names the closest routes, 405 the methods', async () => {
    const { http } = await startServer(ORDERS);
    const one = await fetch(http('/api/orders/42'));
    assert.equal(one.status, 200);
    assert.match(one.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await one.json()) as Obj;
    assert.equal(body['id'], '42');
    assert.ok(['open', 'filled'].includes(String(body['status'])));
    assert.ok(typeof body['qty'] === 'number' && body['qty'] >= 1 && body['qty'] <= 10, 'a single helper keeps its type');
    assert.match(String(body['at']), /Z$/);

    assert.deepEqual(await (await fetch(http('/api/orders?status=open'))).json(), [{ id: 'o-1', status: 'open' }]);
    const me = await fetch(http('/api/me'), { headers: { cookie: 'theme=dark; session=s-77' } });
    assert.deepEqual([me.status, me.headers.get('content-type'), await me.text()], [200, 'text/plain; charset=utf-8', 'hello s-77']);

    const missing = await fetch(http('/api/ordrs/1'));
    assert.equal(missing.status, 404);
    const notFound = (await missing.json()) as { error: { code: string; message: string }; closest: string[] };
    assert.equal(notFound.error.code, 'MW_HTTP_NO_ROUTE');
    assert.equal(notFound.closest.length, 3);
    const wrongQuery = (await (await fetch(http('/api/orders?status=closed'))).json()) as { error: { message: string } };
    assert.match(wrongQuery.error.message, /did not match its query, headers, cookies or body/);

    const put = await fetch(http('/api/orders/42'), { method: 'PUT' });
    assert.deepEqual([put.status, put.headers.get('allow')], [405, 'GET']);
    const head = await fetch(http('/api/orders/42'), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    // mockwave's own paths stay its own.
    assert.equal((await fetch(http('/admin/websocket/stats'))).status, 200);
  });

  it('a POST answers 201 and pushes to the WebSocket subscribers of a stream; a malformed JSON body matches no JSON matcher', async () => {
    const log = captureLog('warn');
    const { http, ws, server } = await startServer(ORDERS, { logger: log.logger });
    const subscriber = await wsConnect(ws('/ws'));
    await subscriber.nextOfType('connected');
    subscriber.send({ type: 'subscribe', event: 'orders' });
    await subscriber.nextOfType('subscribed');
    await subscriber.nextOfType('event');
    const created = await fetch(http('/api/orders'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ side: 'buy', symbol: 'AAPL', qty: 5 }) });
    assert.deepEqual([created.status, created.headers.get('location'), await created.json()], [201, '/api/orders/AAPL-1', { created: true, symbol: 'AAPL' }]);
    const pushed = await subscriber.nextOfType<{ name: string; data: Obj }>('event');
    assert.deepEqual([pushed.name, pushed.data], ['orders', { type: 'order.created', symbol: 'AAPL', qty: 5 }]);

    const malformed = await fetch(http('/api/orders'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"side": "buy",' });
    assert.equal(malformed.status, 404);
    assert.match(((await malformed.json()) as { error: { message: string } }).error.message, /its body is not valid JSON: /);
    assert.match(await log.waitFor(/no route matched \(its body is not valid JSON/), /HTTP POST \/api\/orders/);
    await subscriber.expectSilence(150);
    const stats = server.stats().http;
    assert.deepEqual(stats.routes.find((r) => r.name === 'create order')?.hits, 1);
    assert.deepEqual(stats.recent.slice(0, 2).map((r) => [r.method, r.path, r.status, r.route]), [['POST', '/api/orders', 404, undefined], ['POST', '/api/orders', 201, 'create order']]);
    const metrics = await (await fetch(http('/metrics'))).text();
    assert.match(metrics, /mockwave_http_requests_total\{route="create order",status="201"\} 1/);
  });

  it('sequences per caller, delays, files under the configuration folder, and a template error that answers 500', async () => {
    const dir = tempDir('http');
    writeFileSync(join(dir, 'catalog.json'), '{"items":[1,2,3]}');
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(16 * 1024 * 1024, 1));
    const log = captureLog('error');
    const { http, server } = await startServer(
      {
        http: {
          routes: [
            {
              name: 'login',
              method: 'POST',
              path: '/login',
              then: [{ sequence: { per: 'header:x-user', steps: [[{ respond: { status: 401, body: { error: 'try again' } } }], [{ delay: 20 }, { respond: { body: { token: 't-{{request.headers.x-user}}' } } }]] } }],
            },
            { method: 'GET', path: '/catalog', then: [{ respond: { file: 'catalog.json' } }] },
            { method: 'GET', path: '/big', then: [{ respond: { file: 'big.bin' } }] },
            { method: 'GET', path: '/broken', then: [{ respond: { body: '{{faker request.query.kind}}' } }] },
          ],
        },
      },
      { baseDir: dir, logger: log.logger },
    );
    const login = (user: string) => fetch(http('/login'), { method: 'POST', headers: { 'x-user': user } }).then(async (r) => [r.status, await r.json()]);
    assert.deepEqual(await login('ann'), [401, { error: 'try again' }]);
    assert.deepEqual(await login('bob'), [401, { error: 'try again' }], 'each caller starts at the first answer');
    assert.deepEqual(await login('ann'), [200, { token: 't-ann' }]);
    assert.deepEqual(await login('ann'), [200, { token: 't-ann' }], 'the last answer repeats');

    const catalog = await fetch(http('/catalog'));
    assert.deepEqual([catalog.headers.get('content-type'), await catalog.json()], ['application/json; charset=utf-8', { items: [1, 2, 3] }]);
    // A client that leaves in the middle of a large file is not the route's failure.
    const reader = ((await fetch(http('/big'))).body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    await waitUntil(() => server.stats().http.routes.find((r) => r.name === 'GET /big')?.last !== undefined, 3000, 'the cut answer to be noted');
    assert.deepEqual([server.stats().http.routes.find((r) => r.name === 'GET /big')?.failures, server.stats().http.routes.find((r) => r.name === 'GET /big')?.last?.status], [0, 499]);

    const broken = await fetch(http('/broken?kind=no.such'));
    assert.equal(broken.status, 500);
    assert.equal(((await broken.json()) as { error: { code: string } }).error.code, 'MW_HTTP_ROUTE_FAILED');
    assert.match(await log.waitFor(/HTTP route GET \/broken failed/), /failed for GET \/broken: faker: no method no\.such/);
    assert.equal(server.stats().http.routes.find((r) => r.name === 'GET /broken')?.failures, 1);
  });

  it('a streamed answer, chunk by chunk, as an LLM API streams: SSE read with a fetch reader, and JSON lines', async () => {
    const chunks = ['Hel', 'lo', ' world'].map((t) => ({ choices: [{ delta: { content: t } }] }));
    const { http } = await startServer({
      http: {
        routes: [
          { method: 'POST', path: '/v1/chat/completions', then: [{ respond: { chunks, chunkDelay: 30, done: '[DONE]' } }] },
          { method: 'GET', path: '/v1/lines', then: [{ respond: { chunks: [{ n: 1 }, { n: 2 }], format: 'ndjson' } }] },
        ],
      },
    });
    const asked = Date.now();
    const answer = await fetch(http('/v1/chat/completions'), { method: 'POST', body: '{}' });
    assert.match(answer.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const arrivals: { text: string; at: number }[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push({ text: decoder.decode(value), at: Date.now() });
    }
    const all = arrivals.map((a) => a.text).join('');
    assert.deepEqual(all.split('\n\n').filter((b) => b !== ''), [...chunks.map((c) => `data: ${JSON.stringify(c)}`), 'data: [DONE]']);
    assert.ok(arrivals.length >= 3, `arrived in ${arrivals.length} pieces, not at once`);
    // Three chunks 30 ms apart take at least 60 ms from the request: a lower bound from the request, not from
    // the first arrival, which a stalled test process can read late (a loaded machine only makes this longer).
    assert.ok((arrivals.at(-1)?.at ?? 0) - asked >= 60, 'the chunks were spread over time');
    assert.equal(await (await fetch(http('/v1/lines'))).text(), '{"n":1}\n{"n":2}\n');
  });

  it('a streamed answer of whole Server-Sent Events: names, ids, retry and comments, templated; line breaks cannot forge a field', async () => {
    const { http } = await startServer({
      http: {
        routes: [
          {
            method: 'GET',
            path: '/v1/runs/:run/events',
            then: [{ respond: { events: [
              { retry: 2000, comment: 'run {{request.params.run}}' },
              { event: 'step', id: '{{request.params.run}}-1', data: { run: '{{request.params.run}}', step: 1 } },
              { event: 'log', data: 'line one\nline two\rline three\r\nid: forged' },
              { event: 'done\nevent: forged', id: 'a\nid: b', data: '' },
            ], done: '[DONE]' } }],
          },
        ],
      },
    });
    const answer = await fetch(http('/v1/runs/r7/events'));
    assert.match(answer.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(await answer.text(), [
      ': run r7\nretry: 2000\n\n',
      'id: r7-1\nevent: step\ndata: {"run":"r7","step":1}\n\n',
      'event: log\ndata: line one\ndata: line two\ndata: line three\ndata: id: forged\n\n',
      'id: a id: b\nevent: done event: forged\ndata: \n\n',
      'data: [DONE]\n\n',
    ].join(''));
    assert.equal((await fetch(http('/v1/runs/r7/events'), { method: 'HEAD' })).status, 200);
  });

  it('examples/llm-stream.yaml: a streamed chat completion read chunk by chunk, and the plain one', async () => {
    const { config } = loadConfig({ cwd: ROOT, env: {}, configFile: 'examples/llm-stream.yaml' });
    const { http } = await startServer({ ...config, host: '127.0.0.1', port: 0, log: { level: 'silent' } });
    const ask = (stream: boolean) => fetch(http('/v1/chat/completions'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock-1', stream, messages: [{ role: 'user', content: 'Hi' }] }) });
    const streamed = await ask(true);
    const reader = (streamed.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) text += decoder.decode(part.value);
    const events = text.split('\n\n').filter((e) => e !== '').map((e) => e.replace(/^data: /, ''));
    assert.equal(events.at(-1), '[DONE]');
    const content = events.slice(0, -1).map((e) => (JSON.parse(e) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
    assert.equal(content, 'Hello! This answer is streamed by mockwave.');
    const plain = (await (await ask(false)).json()) as { model: string; choices: { message: { content: string } }[] };
    assert.deepEqual([plain.model, plain.choices[0]?.message.content], ['mock-1', 'Hello! This answer is from mockwave.']);
  });

  it('forward and the fallback reach a real API (without the token mockwave accepted); a dead one is a 502', async () => {
    const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
    const zipped = gzipSync('a compressed answer, passed through as it is');
    const upstream = await httpBackend((req: IncomingMessage, res) => {
      if (req.url === '/real/zipped') {
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
        return res.end(zipped);
      }
      if (req.url === '/real/moved') {
        res.writeHead(302, { location: '/elsewhere' });
        return res.end();
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        res.writeHead(202, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        res.end(JSON.stringify({ from: 'upstream', url: req.url }));
      });
    });
    const base = upstream.url;
    const { http } = await startServer({
      auth: { enabled: true, tokens: ['mockwave-token'] },
      http: { fallback: `${base}/real`, routes: [{ method: 'POST', path: '/api/pay', then: [{ forward: base }] }, { method: 'GET', path: '/api/local', then: [{ respond: { body: 'local' } }] }] },
    });
    const paid = await fetch(http('/api/pay?x=1'), { method: 'POST', headers: { authorization: 'Bearer mockwave-token' }, body: 'amount=5' });
    assert.deepEqual([paid.status, paid.headers.get('x-upstream'), await paid.json()], [202, 'yes', { from: 'upstream', url: '/api/pay?x=1' }]);
    const other = await fetch(http('/api/users/7'), { headers: { authorization: 'Bearer their-own-token' } });
    assert.deepEqual(await other.json(), { from: 'upstream', url: '/real/api/users/7' });
    assert.equal(await (await fetch(http('/api/local'))).text(), 'local');
    // Compression and redirects come back untouched (node:http decodes and follows nothing).
    const raw = (path: string) => new Promise<IncomingMessage>((resolve) => getUrl(http(path), resolve));
    const gz = await raw('/zipped');
    const bytes: Buffer[] = [];
    for await (const chunk of gz) bytes.push(chunk as Buffer);
    assert.deepEqual([gz.headers['content-encoding'], Buffer.concat(bytes).equals(zipped)], ['gzip', true]);
    const moved = await raw('/moved');
    moved.resume();
    assert.deepEqual([moved.statusCode, moved.headers.location], [302, '/elsewhere']);
    assert.deepEqual(seen.map((s) => [s.method, s.url, s.auth, s.body]), [['POST', '/api/pay?x=1', undefined, 'amount=5'], ['GET', '/real/api/users/7', 'Bearer their-own-token', '']]);

    const dead = await startServer({ http: { fallback: 'http://127.0.0.1:1/' } });
    const refused = await fetch(dead.http('/anything'));
    assert.equal(refused.status, 502);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'MW_HTTP_UPSTREAM_FAILED');
  });

  it('CORS: any origin when cors.origins is empty, only those listed otherwise; preflights answered with the path\'s methods', async () => {
    const open = await startServer(ORDERS);
    const preflight = await fetch(open.http('/api/orders/1'), { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-trace' } });
    assert.deepEqual([preflight.status, preflight.headers.get('access-control-allow-origin'), preflight.headers.get('access-control-allow-methods'), preflight.headers.get('access-control-allow-headers')], [204, 'http://localhost:5173', 'GET', 'x-trace']);
    assert.equal((await fetch(open.http('/api/orders/1'), { headers: { origin: 'http://elsewhere.example' } })).headers.get('access-control-allow-origin'), 'http://elsewhere.example');
    const strict = await startServer({ ...ORDERS, cors: { origins: ['http://localhost:5173'] } });
    assert.equal((await fetch(strict.http('/api/orders/1'), { headers: { origin: 'http://localhost:5173' } })).headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.equal((await fetch(strict.http('/api/orders/1'), { headers: { origin: 'http://elsewhere.example' } })).headers.get('access-control-allow-origin'), null);
  });

  it('bad input: a body over the limit is 413, a body that trickles is 408; other requests are served meanwhile', async () => {
    const { http, info } = await startServer({ http: { maxBodyBytes: 1000, bodyTimeout: 300, routes: [{ method: 'POST', path: '/echo', then: [{ respond: { body: '{{request.body}}' } }] }] } });
    const big = await fetch(http('/echo'), { method: 'POST', body: 'x'.repeat(5000) });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'MW_HTTP_BODY_TOO_LARGE');
    const slow = connect(info.port, '127.0.0.1');
    slow.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc');
    let answer = '';
    slow.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    assert.equal(await (await fetch(http('/echo'), { method: 'POST', body: 'fine' })).text(), 'fine', 'served while the slow body trickles');
    await once(slow, 'close');
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /MW_HTTP_BODY_TIMEOUT/);
  });

  it('the banner lists the HTTP routes, each in one line, and where the rest goes', async () => {
    const cli = runMockwave([join(ROOT, 'examples/http/mockwave.yaml'), '-p', '0', '-H', '127.0.0.1', '--log-level', 'warn']);
    await cli.waitFor(/Press Ctrl-C to stop/);
    assert.match(cli.output(), / {2}HTTP: 5 route\(s\)\n {4}app: GET \/app -> respond 200 \(file index\.html\)\n {4}list orders: GET \/api\/orders -> respond 200 \(json body\)\n {4}create order: POST \/api\/orders with body a JSON Schema -> delay 50-150 ms, publish orders \{.*\n/);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  });

  it('curl and Python urllib get the same answers', async () => {
    const { http } = await startServer(ORDERS);
    const curl = await run('curl', ['-s', '-X', 'POST', '-H', 'content-type: application/json', '-d', '{"side":"buy","symbol":"MSFT","qty":1}', '-w', '\\n%{http_code}', http('/api/orders')]);
    assert.deepEqual(curl.stdout.split('\n'), ['{"created":true,"symbol":"MSFT"}', '201']);
    const script = `import json, urllib.request\nprint(json.load(urllib.request.urlopen(${JSON.stringify(http('/api/orders/9'))}))['id'])`;
    assert.equal((await run(PYTHON, ['-c', script])).stdout.trim(), '9');
  });

  it('the admin API adds, changes and removes routes at run time; bad definitions are refused with their paths', async () => {
    const { http } = await startServer({ http: { routes: [] }, endpoints: [{ path: '/ws' }] });
    const admin = (path: string, method: string, body?: unknown) => fetch(http(path), { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    assert.equal((await admin('/admin/http/routes', 'POST', { method: 'GET', path: '/api/ping', then: [{ respond: { body: 'pong' } }] })).status, 201);
    assert.equal(await (await fetch(http('/api/ping'))).text(), 'pong');
    assert.equal((await admin(`/admin/http/routes/${encodeURIComponent('GET /api/ping')}`, 'PUT', { method: 'GET', path: '/api/ping', then: [{ respond: { body: 'PONG' } }] })).status, 200);
    assert.equal(await (await fetch(http('/api/ping'))).text(), 'PONG');
    const listed = (await (await admin('/admin/http/routes', 'GET')).json()) as { data: { routes: { name: string; hits: number }[] } };
    assert.deepEqual(listed.data.routes.map((r) => [r.name, r.hits]), [['GET /api/ping', 1]]);
    assert.equal((await admin('/admin/http/routes', 'POST', { method: 'GET', path: '/api/ping', then: [{ respond: { body: 'again' } }] })).status, 409);
    const bad = await admin('/admin/http/routes', 'POST', { path: '/admin/x', then: [{ delay: 5 }, { publish: { stream: 'nope' } }] });
    assert.equal(bad.status, 400);
    const problems = ((await bad.json()) as { error: { message: string } }).error.message;
    assert.match(problems, /then\[1\]: the last step must answer/);
    assert.match(problems, /path: \/admin\/x would shadow mockwave's own \/admin/);
    assert.equal((await admin(`/admin/http/routes/${encodeURIComponent('GET /api/ping')}`, 'DELETE')).status, 200);
    assert.equal((await fetch(http('/api/ping'))).status, 404);
  });

  it('a bad configuration is refused whole, each problem with its path', () => {
    const result = checkConfig({
      endpoints: [{ path: '/ws', streams: [] }],
      http: {
        routes: [
          { method: 'GET', path: '/', then: [{ respond: { body: 'home' } }] },
          { method: 'GETS', path: '/metrics', then: [{ respond: {} }, { delay: 1 }] },
          { path: '/x', when: { headers: { a: '(a+)+$' } }, then: [{ respond: { body: 1, file: 'f' } }] },
          { path: '/s', then: [{ respond: { events: [{ data: 1 }, {}], format: 'ndjson' } }] },
          { path: '/t', then: [{ respond: { body: 'x', done: '[DONE]' } }] },
          { path: '/u', then: [{ respond: { chunks: [1], events: [{ data: 1 }] } }] },
        ],
      },
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    const expected = [
      /^http\.routes\[1\]\.method\[0\]: expected one of "GET", "HEAD", .* got the string "GETS"$/,
      /^http\.routes\[1\]\.then\[1\]: nothing runs after "respond" \(step 0\): the request is answered there$/,
      /^http\.routes\[2\]\.when\.headers\.a: catastrophic backtracking/,
      /^http\.routes\[2\]\.then\[0\]\.respond: give one of body, file, chunks or events \(got body and file\)$/,
      /^http\.routes\[3\]\.then\[0\]\.respond\.events\[1\]: an event needs at least one of data, event, id, retry or comment$/,
      /^http\.routes\[3\]\.then\[0\]\.respond\.format: `events` are Server-Sent Events: use `chunks` for JSON lines$/,
      /^http\.routes\[4\]\.then\[0\]\.respond\.done: `done` ends a streamed answer: give `chunks` or `events`$/,
      /^http\.routes\[5\]\.then\[0\]\.respond: give one of body, file, chunks or events \(got chunks and events\)$/,
      /^http\.routes\[0\]\.path: \/ is the dashboard's while it is on: set dashboard\.enabled to false to claim it$/,
      /^http\.routes\[1\]\.path: \/metrics would shadow mockwave's own \/metrics: choose another path$/,
    ];
    assert.equal(result.problems.length, expected.length, result.problems.join('\n'));
    expected.forEach((pattern, i) => assert.match(result.problems[i] ?? '', pattern));
    // Files are read under the configuration's folder only, and a publish needs a stream that exists.
    assert.throws(() => createMockServer({ http: { routes: [{ path: '/secret', then: [{ respond: { file: '../../etc/passwd' } }] }] } }, { baseDir: tmpdir() }), /respond\.file: \.\.\/\.\.\/etc\/passwd is outside the configuration's folder/);
    assert.throws(() => createMockServer({ endpoints: [{ path: '/ws' }], http: { routes: [{ path: '/x', then: [{ publish: { stream: 'nope' } }, { respond: {} }] }] } }), (error: { code?: string; details?: string[] }) => error.code === 'MW_CONFIG_INVALID' && /then\[0\]\.publish: Unknown stream: nope/.test((error.details ?? []).join()));
  });
});
