/**
 * Recording a backend's two sides in one pass and turning them into one mock: a small app's session (a REST
 * list, two item reads, two POSTs, an SSE stream, a WebSocket feed) goes through mockwave's HTTP fallback and
 * WebSocket proxy to local real servers with `--record`; `mockwave recording to-config` makes one
 * configuration of it; a client then checks the same answers from the mock, with the upstream gone.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { WebSocketServer } from 'ws';
import { parse as parseYaml } from 'yaml';
import { checkConfig } from '../../src/config/validate.ts';
import { HttpRecorder } from '../../src/recording/http-recorder.ts';
import { readHttpRecording } from '../../src/recording/http-format.ts';
import { createRedactor } from '../../src/security/redact.ts';
import { runMockwave } from '../helpers/cli.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { httpBackend } from '../helpers/upstream.ts';

type Obj = Record<string, unknown>;

const ORDERS = [{ id: 'o-1', symbol: 'AAPL', qty: 5 }, { id: 'o-2', symbol: 'MSFT', qty: 12 }];

/** The real backend: REST with a compressed list, items, creation, an SSE stream; and a WebSocket feed. */
async function realBackend(): Promise<{ http: string; ws: string; close: () => void }> {
  let created = 2;
  const backend = await httpBackend((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const item = /^\/api\/orders\/(\d+)$/.exec(req.url ?? '');
      if (req.url === '/api/orders' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-secret-token': 'upstream-secret' });
        return res.end(gzipSync(JSON.stringify(ORDERS)));
      }
      if (item !== null) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ id: item[1], status: 'open', at: new Date().toISOString() }));
      }
      if (req.url === '/api/orders' && req.method === 'POST') {
        const order = JSON.parse(body) as Obj;
        res.writeHead(201, { 'content-type': 'application/json', location: `/api/orders/${++created}` });
        return res.end(JSON.stringify({ id: `o-${created}`, symbol: order['symbol'], qty: order['qty'], at: new Date().toISOString() }));
      }
      if (req.url === '/api/stream') {
        // Named events with ids after a retry, one carrying "{{" in its text: the replay must keep them all as they were.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('retry: 1000\n\n');
        let n = 0;
        const timer = setInterval(() => {
          n += 1;
          res.write(`id: ${n}\nevent: tick\ndata: ${JSON.stringify({ tick: n, label: n === 2 ? 'Hello {{name}}' : `t${n}` })}\n\n`);
          if (n === 3) {
            clearInterval(timer);
            res.end('data: [DONE]\n\n');
          }
        }, 20);
        return undefined;
      }
      res.writeHead(404);
      return res.end();
    });
  });
  const feed = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(feed, 'listening');
  feed.on('connection', (socket) => {
    let n = 0;
    const timer = setInterval(() => {
      n += 1;
      socket.send(JSON.stringify({ price: 100 + n, note: n === 1 ? 'a {{ brace' : '' }));
      if (n === 3) clearInterval(timer);
    }, 15);
    socket.on('close', () => clearInterval(timer));
  });
  return {
    http: backend.url,
    ws: `ws://127.0.0.1:${(feed.address() as { port: number }).port}`,
    close: () => {
      void backend.close();
      for (const client of feed.clients) client.terminate();
      feed.close();
    },
  };
}

/** What the app checks: the answers of every call, whoever answers them. */
async function appSession(base: string, ws: string): Promise<Obj> {
  const list = await (await fetch(`${base}/api/orders`)).json();
  const items = await Promise.all(['1', '2'].map(async (id) => ((await (await fetch(`${base}/api/orders/${id}`)).json()) as Obj)['id']));
  const posts = [];
  for (const [symbol, qty] of [['AAPL', 3], ['MSFT', 4]] as const) {
    const answer = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer client-secret' }, body: JSON.stringify({ symbol, qty }) });
    const body = (await answer.json()) as Obj;
    posts.push([answer.status, body['symbol'], body['qty'], typeof body['at']]);
  }
  // The stream's text exactly, not parsed: names, ids, retry and order are all part of the answer.
  const stream = await (await fetch(`${base}/api/stream`)).text();
  const feed = await wsConnect(`${ws}/ws/proxy/feed`);
  const prices = [];
  for (let i = 0; i < 3; i++) prices.push((await feed.nextRaw()).text);
  await feed.close();
  return { list, items, posts, stream, prices };
}

describe('recording the HTTP side with the WebSocket side', () => {
  it('records a session through the fallback and the proxy, turns it into one mock, and the app cannot tell', async () => {
    const dir = tempDir('record');
    const real = await realBackend();
    const recording = await startServer({
      endpoints: [{ path: '/ws', streams: [] }],
      proxy: { enabled: true, record: dir, routes: [{ name: 'feed', url: real.ws, announce: false }] },
      http: { fallback: real.http, record: dir },
    });
    const recorded = await appSession(recording.http('').replace(/\/$/, ''), recording.ws('').replace(/\/$/, ''));
    await recording.server.stop();
    real.close();
    assert.deepEqual(recorded['list'], ORDERS);

    const files = readdirSync(dir).sort();
    assert.equal(files.length, 2, files.join(', '));
    const http = readFileSync(join(dir, files.find((f) => f.startsWith('http-')) ?? ''), 'utf8');
    assert.doesNotMatch(http, /client-secret|upstream-secret/, 'secrets are masked in the recording');
    const lines = http.trim().split('\n').map((l) => JSON.parse(l) as Obj);
    assert.equal(lines.length, 1 + 6, 'a header and six exchanges');
    assert.deepEqual(((lines[1] as { response: { json: unknown } }).response.json), ORDERS, 'the gzip answer is stored decoded, as its JSON value');
    const read = readHttpRecording(join(dir, files.find((f) => f.startsWith('http-')) ?? ''));
    assert.equal(read.exchanges[0]?.response.body, JSON.stringify(ORDERS), 'and read back as the text it was');

    const convert = runMockwave(['recording', 'to-config', dir]);
    assert.equal((await convert.exited).code, 0, convert.errors());
    const config = parseYaml(convert.output()) as Obj;
    const checked = checkConfig(config);
    assert.ok(checked.ok, checked.ok ? '' : checked.problems.join('\n'));
    writeFileSync(join(dir, 'generated.yaml'), convert.output());

    const mock = await startServer(config as never);
    const replayed = await appSession(mock.http('').replace(/\/$/, ''), mock.ws('').replace(/\/$/, ''));
    assert.deepEqual(replayed, recorded, 'the same answers from the mock');
    // The route was generalised where the recording varied: another id, another symbol.
    assert.deepEqual(((await (await fetch(mock.http('/api/orders/77'))).json()) as Obj)['id'], '77');
    const other = await fetch(mock.http('/api/orders'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"symbol":"NVDA","qty":9}' });
    const created = (await other.json()) as Obj;
    assert.deepEqual([other.status, created['symbol'], created['qty'], typeof created['at']], [201, 'NVDA', 9, 'string']);
  });

  it('mockwave replay serves a directory of recordings, HTTP and WebSocket together; a broken recording is refused with its line', async () => {
    const dir = tempDir('replay-dir');
    writeFileSync(join(dir, 'http-1.jsonl'), [
      JSON.stringify({ kind: 'http', version: 1, startedAt: '2026-11-27T00:00:00.000Z' }),
      JSON.stringify({ kind: 'exchange', t: 0, ms: 1, request: { method: 'GET', path: '/api/ping', query: {}, headers: {}, body: '' }, response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'pong' } }),
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'feed-1.jsonl'), [
      JSON.stringify({ kind: 'session', version: 1, route: 'feed', url: 'ws://x', path: '/feed', startedAt: '2026-11-27T00:00:00.000Z', headers: {}, protocol: '' }),
      JSON.stringify({ kind: 'frame', t: 5, from: 'upstream', type: 'text', data: '{"n":1}' }),
      '',
    ].join('\n'));
    const cli = runMockwave(['replay', dir, '--fast', '-p', '0', '-H', '127.0.0.1']);
    const port = Number((await cli.waitFor(/listening on http:\/\/[^:]+:(\d+)/))[1]);
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/api/ping`)).text(), 'pong');
    const client = await wsConnect(`ws://127.0.0.1:${port}/anything`);
    assert.equal((await client.nextRaw()).text, '{"n":1}');
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);

    writeFileSync(join(dir, 'http-1.jsonl'), `${JSON.stringify({ kind: 'http', version: 1, startedAt: 'x' })}\n{"kind":"exchange","t":0,"request":{"method":"GET"`);
    const broken = runMockwave(['recording', 'to-config', dir]);
    assert.equal((await broken.exited).code, 2);
    assert.match(broken.errors(), /http-1\.jsonl:2: not JSON .*: the file is cut or was edited by hand/);
  });

  it('one path answering several operations (GraphQL, JSON-RPC) becomes one route per operation, matched by its body field; nested fields echo nested request fields', async () => {
    const dir = tempDir('record-ops');
    const exchange = (t: number, path: string, request: Obj, response: Obj) =>
      JSON.stringify({ kind: 'exchange', t, ms: 1, request: { method: 'POST', path, query: {}, headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) }, response: { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response) } });
    writeFileSync(join(dir, 'http-1.jsonl'), [
      JSON.stringify({ kind: 'http', version: 1, startedAt: '2026-11-27T00:00:00.000Z' }),
      exchange(0, '/graphql', { operationName: 'GetUser', variables: { id: '1' } }, { data: { user: { id: '1', name: 'Ada' } } }),
      exchange(5, '/graphql', { operationName: 'ListOrders', variables: {} }, { data: { orders: [{ id: 'o-1' }] } }),
      exchange(9, '/graphql', { operationName: 'GetUser', variables: { id: '2' } }, { data: { user: { id: '2', name: 'Bob' } } }),
      exchange(12, '/rpc', { jsonrpc: '2.0', method: 'add', params: [1, 2], id: 1 }, { jsonrpc: '2.0', result: 3, id: 1 }),
      exchange(15, '/rpc', { jsonrpc: '2.0', method: 'version', id: 2 }, { jsonrpc: '2.0', result: '1.4.0', id: 2 }),
      exchange(18, '/rpc', { jsonrpc: '2.0', method: 'add', params: [2, 2], id: 3 }, { jsonrpc: '2.0', result: 4, id: 3 }),
      '',
    ].join('\n'));
    const convert = runMockwave(['recording', 'to-config', dir]);
    assert.equal((await convert.exited).code, 0, convert.errors());
    const config = parseYaml(convert.output()) as { http: { routes: { name: string; when?: unknown }[] } };
    // An operation whose answers one template cannot give back (a name, a sum) also gets a route per recorded
    // request, matched by the body fields that varied, before the operation's general route.
    assert.deepEqual(config.http.routes.map((r) => [r.name, r.when]), [
      ['POST /graphql (operationName: GetUser) {"variables":{"id":"1"}}', { body: { json: { operationName: 'GetUser', variables: { id: '1' } } } }],
      ['POST /graphql (operationName: GetUser) {"variables":{"id":"2"}}', { body: { json: { operationName: 'GetUser', variables: { id: '2' } } } }],
      ['POST /graphql (operationName: GetUser)', { body: { json: { operationName: 'GetUser' } } }],
      ['POST /graphql (operationName: ListOrders)', { body: { json: { operationName: 'ListOrders' } } }],
      ['POST /rpc (method: add) {"params":[1,2]}', { body: { json: { method: 'add', params: [1, 2] } } }],
      ['POST /rpc (method: add) {"params":[2,2]}', { body: { json: { method: 'add', params: [2, 2] } } }],
      ['POST /rpc (method: add)', { body: { json: { method: 'add' } } }],
      ['POST /rpc (method: version)', { body: { json: { method: 'version' } } }],
    ]);
    const { http } = await startServer(config as never);
    const call = async (path: string, body: Obj) => {
      const answer = await fetch(http(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return [answer.status, await answer.json()];
    };
    // A nested field that followed a nested request field echoes it; one that varied unexplained is the last seen.
    assert.deepEqual(await call('/graphql', { operationName: 'GetUser', variables: { id: '9' } }), [200, { data: { user: { id: '9', name: 'Bob' } } }]);
    assert.deepEqual(await call('/graphql', { operationName: 'ListOrders' }), [200, { data: { orders: [{ id: 'o-1' }] } }]);
    assert.deepEqual(await call('/graphql', { operationName: 'GetUser', variables: { id: '1' } }), [200, { data: { user: { id: '1', name: 'Ada' } } }], 'a recorded request gets its own answer');
    assert.deepEqual(await call('/rpc', { jsonrpc: '2.0', method: 'add', params: [1, 2], id: 7 }), [200, { jsonrpc: '2.0', result: 3, id: 7 }], 'told apart by its params, whatever its id');
    assert.deepEqual(await call('/rpc', { jsonrpc: '2.0', method: 'version', id: 41 }), [200, { jsonrpc: '2.0', result: '1.4.0', id: 41 }], 'the JSON-RPC id is echoed, as it varied with the request\'s');
    const unknown = await call('/graphql', { operationName: 'DeleteEverything' });
    assert.equal(unknown[0], 404, 'an operation never recorded is not answered with another one');
  });

  it('a body over http.recordMaxBodyBytes is cut and marked, and to-config says so', async () => {
    const dir = tempDir('record-cut');
    const recorder = new HttpRecorder(dir, Date.now(), { redact: createRedactor(), maxBodyBytes: 10 });
    recorder.exchange({
      started: 0,
      ended: 5,
      request: { method: 'GET', path: '/big', query: {}, headers: {}, body: Buffer.alloc(0) },
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('x'.repeat(50)), truncated: false, chunks: undefined },
    });
    await recorder.end();
    const line = JSON.parse(readFileSync(recorder.path, 'utf8').trim().split('\n')[1] ?? '{}') as { response: { body: string; truncated?: boolean } };
    assert.deepEqual([line.response.body.length, line.response.truncated], [10, true]);
    const convert = runMockwave(['recording', 'to-config', recorder.path]);
    assert.equal((await convert.exited).code, 0);
    assert.match(convert.errors(), /GET \/big: the recorded answer was cut at the recording's limit/);
  });

  it('an endless event stream is recorded up to where its client left (499); an answer the API breaks off is a 502, not recorded', async () => {
    const dir = tempDir('record-endless');
    const api = await httpBackend((req, res) => {
      if (req.url === '/broken') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"partial":');
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const timer = setInterval(() => res.write(`id: ${++n}\nevent: tick\ndata: {"n":${n}}\n\n`), 10);
      res.on('close', () => clearInterval(timer));
    });
    const { http, server } = await startServer({ endpoints: [], http: { fallback: api.url, record: dir } });
    const leaving = new AbortController();
    const reader = ((await fetch(http('/ticks'), { signal: leaving.signal })).body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let got = '';
    while (!got.includes('"n":3}\n\n')) got += decoder.decode((await reader.read()).value);
    leaving.abort();
    await assert.rejects(async () => (await fetch(http('/broken'))).json());
    await waitUntil(() => server.stats().http.requests === 2, 2000, 'both requests to be noted');
    assert.deepEqual(server.stats().http.recent.map((r) => [r.path, r.status]).sort(), [['/broken', 502], ['/ticks', 499]]);
    await server.stop();
    const file = readdirSync(dir).filter((f) => f.startsWith('http-'));
    assert.equal(file.length, 1);
    const { exchanges } = readHttpRecording(join(dir, file[0] ?? ''));
    assert.deepEqual(exchanges.map((x) => x.request.path), ['/ticks'], 'the broken answer is not recorded as if it were whole');
    assert.ok(got.startsWith(exchanges[0]?.response.body.slice(0, got.length) ?? '-'), 'the recording is what the client got (and what was on its way)');
    assert.ok((exchanges[0]?.t ?? -1) >= 0, 'the file is timed from the first exchange\'s start');
    // As a mock: whole events only, with their names and ids, in order from the first.
    const convert = runMockwave(['recording', 'to-config', dir]);
    assert.equal((await convert.exited).code, 0, convert.errors());
    const route = (parseYaml(convert.output()) as { http: { routes: { then: { respond: { events: { id: string; event: string; data: { n: number } }[] } }[] }[] } }).http.routes[0];
    const events = route?.then[0]?.respond.events ?? [];
    assert.ok(events.length >= 3, `${events.length} events`);
    assert.deepEqual(events, events.map((_, i) => ({ id: String(i + 1), event: 'tick', data: { n: i + 1 } })));
  });

  it('a recording that cannot be written is logged and the traffic goes on, for both sides', async () => {
    const dir = tempDir('record-bad');
    const notADirectory = join(dir, 'a-file');
    writeFileSync(notADirectory, 'x');
    const real = await realBackend();
    after(() => real.close());
    const log = captureLog('error');
    const { http, ws } = await startServer(
      { endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, record: notADirectory, routes: [{ name: 'feed', url: real.ws, announce: false }] }, http: { fallback: real.http, record: notADirectory } },
      { logger: log.logger },
    );
    assert.deepEqual(await (await fetch(http('/api/orders'))).json(), ORDERS);
    assert.deepEqual(await (await fetch(http('/api/orders'))).json(), ORDERS, 'and again');
    const feed = await wsConnect(ws('/ws/proxy/feed'));
    assert.equal((await feed.next<{ price: number }>())['price'], 101);
    await feed.close();
    assert.match(await log.waitFor(/Cannot record HTTP exchanges/), /a-file/);
    assert.match(await log.waitFor(/Cannot record feed for/), /a-file/);
  });

  it('each recorded request keeps its own answer and status, in any order; an unrecorded id gets the generalised answer; a number stays a number (issue 26 item 2)', async () => {
    const users: Record<string, string> = { '1': 'Ada', '2': 'Grace', '3': 'Linus' };
    const api = await httpBackend((req, res) => {
      const id = /^\/api\/users\/(\d+)$/.exec(req.url ?? '')?.[1] ?? '';
      const name = users[id];
      res.writeHead(name === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(name === undefined ? { error: 'not found' } : { id: Number(id), name }));
    });
    const fallback = api.url;
    const get = async (base: (path: string) => string, id: string): Promise<[number, unknown]> => {
      const answer = await fetch(base(`/api/users/${id}`));
      return [answer.status, await answer.json()];
    };
    const recorded = new Map<string, [number, unknown]>();
    for (const order of [['1', '2', '3', '4'], ['4', '3', '2', '1']]) {
      const dir = tempDir('record-users');
      const recording = await startServer({ endpoints: [], http: { fallback, record: dir } });
      for (const id of order) recorded.set(id, await get(recording.http, id));
      await recording.server.stop();
      assert.deepEqual(recorded.get('1'), [200, { id: 1, name: 'Ada' }]);
      assert.deepEqual(recorded.get('4'), [404, { error: 'not found' }]);

      const convert = runMockwave(['recording', 'to-config', dir]);
      assert.equal((await convert.exited).code, 0, convert.errors());
      const config = parseYaml(convert.output()) as Obj;
      const mock = await startServer(config as never);
      for (const id of order) assert.deepEqual(await get(mock.http, id), recorded.get(id), `${order.join(',')}: /api/users/${id} answers as recorded\n${convert.output()}`);
      const [status, unrecorded] = await get(mock.http, '77');
      assert.equal(status, 200, 'an id never recorded gets the generalised answer, with the status most answers had');
      assert.deepEqual((unrecorded as Obj)['id'], 77, 'the id echoes the path, as a number where the recorded answers had one');
      assert.ok(Object.values(users).includes((unrecorded as Obj)['name'] as string));

      // mockwave replay serves the same answers from the same recording.
      const cli = runMockwave(['replay', dir, '-p', '0', '-H', '127.0.0.1']);
      after(() => {
        if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      });
      // Bounded wider than the default: a CLI starting through tsx on a loaded machine took over 10 s.
      const port = Number((await cli.waitFor(/listening on http:\/\/[^:]+:(\d+)/, 30_000))[1]);
      const replay = (path: string): string => `http://127.0.0.1:${port}${path}`;
      for (const id of [...order, '77']) assert.deepEqual(await get(replay, id), await get(mock.http, id), `replay: /api/users/${id}`);
      cli.child.kill('SIGTERM');
      assert.equal((await cli.exited).code, 0);
    }
  });

  it('an id-like path segment that never varies in a recording stays literal (issue 25 item 8)', async () => {
    const dir = tempDir('record-literal');
    const exchange = (t: number, path: string, body: Obj) =>
      JSON.stringify({ kind: 'exchange', t, ms: 1, request: { method: 'GET', path, query: {}, headers: {}, body: '' }, response: { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } });
    writeFileSync(join(dir, 'http-1.jsonl'), [
      JSON.stringify({ kind: 'http', version: 1, startedAt: '2026-11-27T00:00:00.000Z' }),
      exchange(0, '/api/v2/orders/42', { id: 42, at: '2026-11-27T00:00:00.000Z' }),
      exchange(5, '/api/v2/orders/42', { id: 42, at: '2026-11-27T00:00:01.000Z' }),
      '',
    ].join('\n'));
    const convert = runMockwave(['recording', 'to-config', dir]);
    assert.equal((await convert.exited).code, 0, convert.errors());
    const config = parseYaml(convert.output()) as { http: { routes: { path: string }[] } };
    assert.deepEqual(config.http.routes.map((r) => r.path), ['/api/v2/orders/42']);
    const { http } = await startServer(config as never);
    assert.equal((await fetch(http('/api/v2/orders/42'))).status, 200);
    assert.equal((await fetch(http('/api/v2/orders/43'))).status, 404, 'an id the recording never varied is not a parameter');
  });
});

