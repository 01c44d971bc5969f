/**
 * How recordings store what they record: bodies and frames once, without blowing up (JSON as its value, text
 * as text, binary as base64, a stream's text only in its chunks); files of the first format still read the
 * same; and secrets masked by default in JSON bodies, in streamed chunks and in frames, with `redact` names
 * honoured in any case. Upstreams are local.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { HttpRecorder, type ForwardedExchange } from '../../src/recording/http-recorder.ts';
import { Recorder } from '../../src/recording/ws-recorder.ts';
import { frameBytes, readRecording } from '../../src/recording/format.ts';
import { bodyBytes, readHttpRecording } from '../../src/recording/http-format.ts';
import { httpRecordingsToRoutes } from '../../src/recording/http-to-config.ts';
import { createRedactor } from '../../src/security/redact.ts';
import { runMockwave } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { httpBackend } from '../helpers/upstream.ts';

type Obj = Record<string, unknown>;

/** A local API: each path answers with its type and the pieces written one by one (a stream, when several). */
async function api(answers: Record<string, { type: string; pieces: (string | Buffer)[] }>, seen: string[] = []): Promise<string> {
  const backend = await httpBackend((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(body);
      const answer = answers[req.url ?? ''];
      if (answer === undefined) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': answer.type });
      // Each piece its own write, a moment apart, so a stream arrives in pieces.
      const write = (i: number): void => {
        if (i === answer.pieces.length) return void res.end();
        res.write(answer.pieces[i]);
        setTimeout(() => write(i + 1), 5);
      };
      return write(0);
    });
  });
  return backend.url;
}

/** The recorded lines of the one HTTP recording in `dir`, as the file holds them. */
function rawExchanges(dir: string): { file: string; lines: Obj[] } {
  const file = join(dir, readdirSync(dir).find((f) => f.startsWith('http-')) ?? '');
  return { file, lines: readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as Obj) };
}

const byPath = (lines: Obj[]): Record<string, { request: Obj; response: Obj; size: number }> =>
  Object.fromEntries(lines.map((l) => [(l['request'] as Obj)['path'], { request: l['request'] as Obj, response: l['response'] as Obj, size: JSON.stringify(l).length }]));

describe('bodies and frames stored once', () => {
  it('HTTP: JSON as its value, binary (even all zeros) as base64, a stream\'s text only in its chunks; each read back exactly', async () => {
    const json = JSON.stringify(Array.from({ length: 800 }, (_, i) => ({ id: `o-${i}`, side: 'buy', qty: i })));
    const zeros = Buffer.alloc(64 * 1024);
    const events = ['id: 1\ndata: {"n":1}\n\n', 'id: 2\ndata: {"n":2}\n\n', 'id: 3\ndata: {"n":3,"note":"a \\"quoted\\" word"}\n\n'];
    const base = await api({
      '/json': { type: 'application/json', pieces: [json] },
      '/zeros': { type: 'application/octet-stream', pieces: [zeros] },
      '/events': { type: 'text/event-stream', pieces: events },
      '/pretty': { type: 'application/json', pieces: ['{ "spaced": 1.0 }'] },
    });
    const dir = tempDir('forms');
    const { http, server } = await startServer({ endpoints: [], http: { fallback: base, record: dir } });
    for (const path of ['/json', '/zeros', '/events', '/pretty']) await (await fetch(http(path))).arrayBuffer();
    await server.stop();

    const { file, lines } = rawExchanges(dir);
    const stored = byPath(lines);
    assert.deepEqual(stored['/json']?.response['json'], JSON.parse(json), 'JSON is stored as its value');
    assert.ok((stored['/json']?.size ?? 0) < json.length + 600, `the JSON answer's line takes ${stored['/json']?.size} bytes for ${json.length}`);
    assert.equal(stored['/zeros']?.response['encoding'], 'base64', 'zero bytes are binary, not text with an escape per byte');
    assert.ok((stored['/zeros']?.size ?? 0) < (zeros.length * 4) / 3 + 600, `the binary answer's line takes ${stored['/zeros']?.size} bytes for ${zeros.length}`);
    const stream = stored['/events']?.response as { body?: unknown; json?: unknown; chunks: { data: string }[] };
    assert.deepEqual([stream.body, stream.json], [undefined, undefined], 'a streamed answer\'s text is in its chunks only');
    assert.equal(stream.chunks.map((c) => c.data).join(''), events.join(''));
    assert.equal(stored['/pretty']?.response['body'], '{ "spaced": 1.0 }', 'JSON that would not write back the same stays text');

    const read = Object.fromEntries(readHttpRecording(file).exchanges.map((x) => [x.request.path, x.response]));
    assert.equal(read['/json']?.body, json);
    assert.ok(read['/zeros'] !== undefined && bodyBytes(read['/zeros']).equals(zeros));
    assert.equal(read['/events']?.body, events.join(''));
    assert.equal(read['/pretty']?.body, '{ "spaced": 1.0 }');
  });

  it('the proxy: a JSON text frame as its value, other text as text, text with control characters as base64, binary as base64; replayed byte for byte', async () => {
    const sent: [string | Buffer, boolean][] = [['{"price":101.5,"symbol":"AAPL"}', false], ['plain words', false], ['a\u0000b\u0001', false], [Buffer.from([0, 1, 2, 255]), true], ['{ "spaced": true }', false]];
    const upstream = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(upstream, 'listening');
    after(() => {
      for (const socket of upstream.clients) socket.terminate();
      upstream.close();
    });
    upstream.on('connection', (socket) => {
      for (const [data, binary] of sent) socket.send(data, { binary });
    });
    const dir = tempDir('forms-ws');
    const { ws, server } = await startServer({ endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, record: dir, routes: [{ name: 'feed', url: `ws://127.0.0.1:${(upstream.address() as { port: number }).port}`, announce: false }] } });
    const client = await wsConnect(ws('/ws/proxy/feed'));
    for (let i = 0; i < sent.length; i++) await client.nextRaw();
    await client.close();
    await server.stop();
    const file = join(dir, readdirSync(dir)[0] ?? '');
    const frames = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as Obj).filter((l) => l['kind'] === 'frame');
    assert.deepEqual(frames.map((f) => [f['type'], 'json' in f ? 'json' : f['encoding'] ?? 'text']), [['text', 'json'], ['text', 'text'], ['text', 'base64'], ['binary', 'text'], ['text', 'text']]);
    assert.deepEqual(frames[0]?.['json'], { price: 101.5, symbol: 'AAPL' });
    const replayed = readRecording(file).events.flatMap((e) => (e.kind === 'frame' ? [frameBytes(e)] : []));
    assert.deepEqual(replayed, sent.map(([data]) => Buffer.from(data)), 'every frame reads back as its bytes');
  });
});

describe('recordings of the first format', () => {
  const started = Date.parse('2026-11-27T00:00:00.000Z');
  const orders = JSON.stringify([{ id: 'o-1', qty: 5 }]);
  const sse = 'data: {"n":1}\n\ndata: {"n":2}\n\n';
  const logo = Buffer.from([137, 80, 78, 71, 0, 1]);

  /** The same exchanges, once as the forwarder hands them to the recorder. */
  const exchanges: ForwardedExchange[] = [
    { started, ended: started + 3, request: { method: 'GET', path: '/api/orders', query: {}, headers: {}, body: Buffer.alloc(0) }, response: { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(orders), truncated: false, chunks: undefined } },
    { started: started + 10, ended: started + 40, request: { method: 'POST', path: '/api/orders', query: {}, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"qty":2}') }, response: { status: 201, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"id":"o-2","qty":2}'), truncated: false, chunks: undefined } },
    { started: started + 50, ended: started + 90, request: { method: 'GET', path: '/api/ticks', query: {}, headers: {}, body: Buffer.alloc(0) }, response: { status: 200, headers: { 'content-type': 'text/event-stream' }, body: Buffer.from(sse), truncated: false, chunks: [{ t: 0, data: Buffer.from('data: {"n":1}\n\n') }, { t: 20, data: Buffer.from('data: {"n":2}\n\n') }] } },
    { started: started + 95, ended: started + 96, request: { method: 'GET', path: '/logo.png', query: {}, headers: {}, body: Buffer.alloc(0) }, response: { status: 200, headers: { 'content-type': 'image/png' }, body: logo, truncated: false, chunks: undefined } },
  ];

  /** And once as version 1 wrote them: every body a string, a stream's text beside its chunks. */
  const versionOne = [
    { kind: 'http', version: 1, startedAt: '2026-11-27T00:00:00.000Z' },
    { kind: 'exchange', t: 0, ms: 3, request: { method: 'GET', path: '/api/orders', query: {}, headers: {}, body: '' }, response: { status: 200, headers: { 'content-type': 'application/json' }, body: orders } },
    { kind: 'exchange', t: 10, ms: 30, request: { method: 'POST', path: '/api/orders', query: {}, headers: { 'content-type': 'application/json' }, body: '{"qty":2}' }, response: { status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"o-2","qty":2}' } },
    { kind: 'exchange', t: 50, ms: 40, request: { method: 'GET', path: '/api/ticks', query: {}, headers: {}, body: '' }, response: { status: 200, headers: { 'content-type': 'text/event-stream' }, body: sse, chunks: [{ t: 0, data: 'data: {"n":1}\n\n' }, { t: 20, data: 'data: {"n":2}\n\n' }] } },
    { kind: 'exchange', t: 95, ms: 1, request: { method: 'GET', path: '/logo.png', query: {}, headers: {}, body: '' }, response: { status: 200, headers: { 'content-type': 'image/png' }, body: logo.toString('base64'), encoding: 'base64' } },
  ];

  const session = { kind: 'session', route: 'feed', url: 'ws://upstream/feed', path: '/ws/proxy/feed', startedAt: '2026-11-27T00:00:00.000Z', headers: {}, protocol: '' };
  const frames: [number, 'client' | 'upstream', string | Buffer][] = [[5, 'client', '{"type":"subscribe","id":1}'], [9, 'upstream', '{"id":1,"ok":true}'], [30, 'upstream', '{"price":1}'], [60, 'upstream', Buffer.from([1, 2, 3])]];

  it('read as before: the same exchanges and frames, the same routes and endpoints from recording to-config', async () => {
    const oldDir = tempDir('v1');
    writeFileSync(join(oldDir, 'http-1.jsonl'), `${versionOne.map((l) => JSON.stringify(l)).join('\n')}\n`);
    writeFileSync(join(oldDir, 'feed-1.jsonl'), `${[{ ...session, version: 1 }, ...frames.map(([t, from, data]) => ({ kind: 'frame', t, from, type: typeof data === 'string' ? 'text' : 'binary', data: typeof data === 'string' ? data : data.toString('base64') })), { kind: 'close', t: 90, from: 'upstream', code: 1000, reason: '' }].map((l) => JSON.stringify(l)).join('\n')}\n`);

    const newDir = tempDir('v2');
    const recorder = new HttpRecorder(newDir, started, { redact: createRedactor(), maxBodyBytes: 1024 * 1024 });
    for (const x of exchanges) recorder.exchange(x);
    await recorder.end();
    const ws = new Recorder(newDir, { route: 'feed', url: session.url, path: session.path, headers: {}, protocol: '', announced: false, clientId: 'c1', now: started }, createRedactor());
    for (const [t, from, data] of frames) ws.frame(started + t, from, Buffer.from(data), typeof data !== 'string');
    ws.close(started + 90, 'upstream', 1000, '');
    await ws.end();
    const written = readdirSync(newDir).map((f) => readFileSync(join(newDir, f), 'utf8')).join('');
    assert.match(written, /"version":2/);
    assert.match(written, /"json":\{"id":"o-2","qty":2\}/, 'the new files use the new forms');

    const httpOf = (dir: string) => readHttpRecording(join(dir, readdirSync(dir).find((f) => f.startsWith('http-')) ?? ''));
    const [oldHttp, newHttp] = [httpOf(oldDir), httpOf(newDir)];
    const bodies = (recording: typeof oldHttp) => recording.exchanges.map((x) => [x.request.body, x.response.body, x.response.encoding, x.response.chunks]);
    assert.deepEqual(bodies(oldHttp), bodies(newHttp), 'both files read as the same exchanges');
    assert.deepEqual(httpRecordingsToRoutes([oldHttp]), httpRecordingsToRoutes([newHttp]));
    const sessionOf = (dir: string) => readRecording(join(dir, readdirSync(dir).find((f) => f.startsWith('feed-')) ?? ''));
    assert.deepEqual(sessionOf(oldDir).events, sessionOf(newDir).events, 'both sessions read as the same frames');

    const converted = await Promise.all([oldDir, newDir].map(async (dir) => {
      const cli = runMockwave(['recording', 'to-config', dir]);
      assert.equal((await cli.exited).code, 0, cli.errors());
      return cli.output();
    }));
    assert.equal(converted[0], converted[1], 'recording to-config makes the same mock of both');
  });
});

describe('secrets in recorded bodies and streams', () => {
  it('password, token and secret fields are masked with no redact list: request and response bodies, streamed chunks (even split mid-line), frames', async () => {
    const seen: string[] = [];
    const base = await api({
      '/login': { type: 'application/json', pieces: ['{"token":"tok-123","user":"a","expires":3600}'] },
      // A secret split across two writes: masking sees whole lines, however the stream was cut.
      '/events': { type: 'text/event-stream', pieces: ['data: {"n":1,"accessTok', 'en":"sse-abc"}\n\n', 'data: {"n":2}\n\n'] },
      '/lines': { type: 'application/x-ndjson', pieces: ['{"n":1,"client_secret":"nd-s3"}\n{"n":2}\n'] },
    }, seen);
    const upstream = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(upstream, 'listening');
    after(() => {
      for (const socket of upstream.clients) socket.terminate();
      upstream.close();
    });
    upstream.on('connection', (socket) => socket.on('message', () => socket.send('{"session":{"id":"x","jwt":"ws-jwt"},"author":"Ann"}')));
    const dir = tempDir('secrets');
    const { http, ws, server } = await startServer({ endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, record: dir, routes: [{ name: 'feed', url: `ws://127.0.0.1:${(upstream.address() as { port: number }).port}`, announce: false }] }, http: { fallback: base, record: dir } });
    const login = await fetch(http('/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"hunter2","user":"a"}' });
    assert.deepEqual(await login.json(), { token: 'tok-123', user: 'a', expires: 3600 }, 'the client gets the answer as it came');
    assert.equal(seen[0], '{"password":"hunter2","user":"a"}', 'and the API the request as it came');
    assert.match(await (await fetch(http('/events'))).text(), /sse-abc/);
    await (await fetch(http('/lines'))).text();
    const client = await wsConnect(ws('/ws/proxy/feed'));
    client.send({ type: 'auth', apiKey: 'ws-key', user: 'a' });
    await client.nextRaw();
    await client.close();
    await server.stop();

    const text = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    for (const secret of ['hunter2', 'tok-123', 'sse-abc', 'nd-s3', 'ws-jwt', 'ws-key']) assert.ok(!text.includes(secret), `${secret} is in the recording`);
    const stored = byPath(rawExchanges(dir).lines);
    assert.deepEqual(stored['/login']?.request['json'], { password: '***', user: 'a' });
    assert.deepEqual(stored['/login']?.response['json'], { token: '***', user: 'a', expires: 3600 }, 'ordinary fields and numbers are kept');
    assert.deepEqual((stored['/events']?.response['chunks'] as { data: string }[]).map((c) => c.data).join(''), 'data: {"n":1,"accessToken":"***"}\n\ndata: {"n":2}\n\n');
    assert.deepEqual((stored['/lines']?.response['chunks'] as { data: string }[]).map((c) => c.data).join(''), '{"n":1,"client_secret":"***"}\n{"n":2}\n');
    const recording = readRecording(join(dir, readdirSync(dir).find((f) => f.startsWith('feed-')) ?? ''));
    assert.deepEqual(recording.events.flatMap((e) => (e.kind === 'frame' ? [JSON.parse(e.data) as unknown] : [])), [
      { type: 'auth', apiKey: '***', user: 'a' },
      { session: { id: 'x', jwt: '***' }, author: 'Ann' },
    ], 'an object under a secret-sounding name is walked, not blanked; "author" is not "auth"');
  });

  it('redact names given in any case are honoured in headers and JSON fields', async () => {
    const seen: string[] = [];
    const base = await api({ '/account': { type: 'application/json', pieces: ['{"AccountNumber":"DE0012","note":"kept"}'] } }, seen);
    const dir = tempDir('redact-case');
    const { http, server } = await startServer({ endpoints: [], redact: ['X-Customer-Ref', 'accountnumber'], http: { fallback: base, record: dir } });
    await (await fetch(http('/account'), { method: 'POST', headers: { 'x-customer-ref': 'c-77', 'content-type': 'application/json' }, body: '{"X-CUSTOMER-REF":"c-77","accountNumber":"DE0012"}' })).text();
    await server.stop();
    const text = readFileSync(rawExchanges(dir).file, 'utf8');
    for (const secret of ['c-77', 'DE0012']) assert.ok(!text.includes(secret), `${secret} is in the recording`);
    const stored = byPath(rawExchanges(dir).lines)['/account'];
    assert.equal((stored?.request['headers'] as Obj)['x-customer-ref'], '***');
    assert.deepEqual(stored?.request['json'], { 'X-CUSTOMER-REF': '***', accountNumber: '***' });
    assert.deepEqual(stored?.response['json'], { AccountNumber: '***', note: 'kept' });
  });
});

