/**
 * What a recording may cost the server: a compressed answer that decodes to hundreds of MiB (a decompression
 * bomb) is decoded only as far as the recording keeps, and a recording folder takes at most its cap, then
 * recording stops, said once in the log and counted in the admin API and /metrics; the HTTP recorder writes
 * one line per turn of the event loop and leaves out (and counts) what would pass its queue's bound.
 * Upstreams are local.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import type { Transform } from 'node:stream';
import { WebSocketServer } from 'ws';
import { readRecording } from '../../src/recording/format.ts';
import { bodyBytes, readHttpRecording } from '../../src/recording/http-format.ts';
import { HttpRecorder, QUEUE_BYTES, type ForwardedExchange } from '../../src/recording/http-recorder.ts';
import { FolderBudget } from '../../src/recording/recording-file.ts';
import { createRedactor } from '../../src/security/redact.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { httpBackend } from '../helpers/upstream.ts';

const MIB = 1024 * 1024;

/** `mib` MiB of zero bytes through a compressor, fed 1 MiB at a time (never held whole). */
async function zeroBomb(compressor: Transform, mib: number): Promise<Buffer> {
  const out: Buffer[] = [];
  compressor.on('data', (chunk: Buffer) => out.push(chunk));
  const zeros = Buffer.alloc(MIB);
  for (let i = 0; i < mib; i++) if (!compressor.write(zeros)) await once(compressor, 'drain');
  compressor.end();
  await once(compressor, 'end');
  return Buffer.concat(out);
}

/** A local API answering each path with a fixed body and headers. */
async function api(answers: Record<string, { headers: Record<string, string>; body: Buffer | string }>): Promise<string> {
  const backend = await httpBackend((req, res) => {
    const answer = answers[req.url ?? ''];
    if (answer === undefined) return res.writeHead(404).end();
    res.writeHead(200, answer.headers);
    return res.end(answer.body);
  });
  return backend.url;
}

/** A GET whose answer is read as raw bytes (nothing decoded on the client's side). */
function rawGet(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.once('error', reject);
    }).once('error', reject);
  });
}

const folderBytes = (dir: string): number => readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);

describe('decompression bombs in recorded answers', () => {
  it('a gzip and a brotli answer decoding to 256 MiB each pass through untouched; the recording decodes only what it keeps', { timeout: 60_000 }, async () => {
    // 256 MiB of zeros: about 260 KB of gzip and 50 KB of brotli, both within the 1 MiB the recording keeps
    // of an answer as it came, so both are decoded for the recording.
    const gzip = await zeroBomb(createGzip({ level: 9 }), 256);
    const brotli = await zeroBomb(createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 24 } }), 256);
    const base = await api({
      '/gzip': { headers: { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' }, body: gzip },
      '/br': { headers: { 'content-type': 'application/octet-stream', 'content-encoding': 'br' }, body: brotli },
    });
    const dir = tempDir('bomb');
    const { http, server } = await startServer({ endpoints: [], http: { routes: [{ method: 'GET', path: '/health', then: [{ respond: { body: 'ok' } }] }], fallback: base, record: dir } });
    // The peak memory of this process (the server runs in it): decoding either bomb whole would add 256 MiB
    // and more (the decoded pieces, then their copy in one buffer).
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const [bombs, bystander] = await Promise.all([
      Promise.all([rawGet(http('/gzip')), rawGet(http('/br'))]),
      (async () => {
        const answers: string[] = [];
        for (let i = 0; i < 5; i++) answers.push(await (await fetch(http('/health'))).text());
        return answers;
      })(),
    ]);
    assert.deepEqual(bystander, ['ok', 'ok', 'ok', 'ok', 'ok'], 'a bystander is answered meanwhile');
    const [gz, br] = bombs;
    assert.deepEqual([gz?.status, gz?.headers['content-encoding'], gz?.body.equals(gzip)], [200, 'gzip', true], 'the gzip answer reaches the client as it came');
    assert.deepEqual([br?.status, br?.headers['content-encoding'], br?.body.equals(brotli)], [200, 'br', true], 'the brotli answer too');
    await server.stop();
    const growth = process.resourceUsage().maxRSS * 1024 - peakBefore;
    assert.ok(growth < 100 * MIB, `peak memory grew by ${Math.round(growth / MIB)} MiB: a bomb was decoded past the recording's limit`);

    const [file] = readdirSync(dir);
    const { exchanges } = readHttpRecording(join(dir, file ?? ''));
    const recorded = Object.fromEntries(exchanges.map((x) => [x.request.path, x.response]));
    for (const path of ['/gzip', '/br']) {
      const response = recorded[path];
      assert.ok(response !== undefined, `${path} is recorded`);
      assert.equal(bodyBytes(response).length, MIB, `${path}: the decoded body is kept up to http.recordMaxBodyBytes`);
      assert.ok(bodyBytes(response).every((byte) => byte === 0), `${path}: what is kept is the decoded body`);
      assert.equal(response.truncated, true, `${path}: and marked cut`);
      assert.equal(response.headers['content-encoding'], undefined, `${path}: stored decoded, without its Content-Encoding`);
    }
  });

  it('the proxy: a compressed WebSocket message inflating past websocket.maxPayload is refused by ws, not inflated and recorded', { timeout: 30_000 }, async () => {
    const upstream = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
    await once(upstream, 'listening');
    after(() => {
      for (const socket of upstream.clients) socket.terminate();
      upstream.close();
    });
    // 64 MiB of zeros deflate to about 64 KB on the wire.
    upstream.on('connection', (socket) => socket.send(Buffer.alloc(64 * MIB), { binary: true }));
    const dir = tempDir('ws-bomb');
    const { ws, http, server } = await startServer({
      websocket: { maxPayload: MIB },
      endpoints: [{ path: '/ws', streams: [] }],
      proxy: { enabled: true, record: dir, routes: [{ name: 'feed', url: `ws://127.0.0.1:${(upstream.address() as { port: number }).port}`, announce: false, upstreamPerMessageDeflate: true }] },
    });
    const client = await wsConnect(ws('/ws/proxy/feed'));
    const closed = await client.closed();
    assert.notEqual(closed.code, 1000, 'the session ends in an error');
    assert.equal((await fetch(http('/admin/websocket/stats'))).status, 200, 'the server goes on');
    await server.stop();
    const frames = readRecording(join(dir, readdirSync(dir)[0] ?? '')).events.filter((e) => e.kind === 'frame');
    assert.deepEqual(frames, [], 'nothing of the message is recorded');
  });
});

describe('a recording folder\'s cap', () => {
  it('HTTP: at http.recordMaxBytes recording stops with one log line; the folder holds whole lines within the cap; the figures say so', async () => {
    const base = await api({ '/item': { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 1, text: 'x'.repeat(500) }) } });
    const dir = tempDir('cap');
    // A file already in the folder does not count: only what this run writes does.
    writeFileSync(join(dir, 'earlier.jsonl'), 'x'.repeat(10_000));
    const log = captureLog('warn');
    const cap = 4000;
    const { http, server } = await startServer({ endpoints: [], http: { fallback: base, record: dir, recordMaxBytes: cap } }, { logger: log.logger });
    for (let i = 0; i < 12; i++) assert.equal((await fetch(http('/item'))).status, 200, 'every request is answered');
    await waitUntil(() => (server.stats().recordings?.[0]?.dropped ?? 0) >= 1, 3000, 'the cap to be reached');
    const figures = ((await (await fetch(http('/admin/websocket/stats'))).json()) as { data: ReturnType<typeof server.stats> }).data.recordings?.[0];
    assert.equal(figures?.full, true);
    assert.equal(figures?.maxBytes, cap);
    assert.ok((figures?.bytes ?? 0) <= cap && (figures?.bytes ?? 0) > cap - 1000, `${figures?.bytes} bytes written`);
    const metrics = await (await fetch(http('/metrics'))).text();
    assert.match(metrics, new RegExp(`mockwave_recording_full\\{folder="${dir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}"\\} 1`));
    assert.match(metrics, /mockwave_recording_dropped_total\{folder="[^"]+"\} [1-9]/);
    await server.stop();
    assert.equal(log.lines.filter((l) => /Recording stops in/.test(l)).length, 1, 'one log line');
    assert.match(log.lines.find((l) => /Recording stops in/.test(l)) ?? '', /4000 bytes/);
    const file = readdirSync(dir).find((f) => f.startsWith('http-')) ?? '';
    assert.equal(statSync(join(dir, file)).size, figures?.bytes, 'the figures count what is on disk');
    const { exchanges } = readHttpRecording(join(dir, file));
    assert.ok(exchanges.length >= 3 && exchanges.length < 12, `${exchanges.length} exchanges, each whole`);
  });

  it('the proxy: sessions share their folder\'s cap (proxy.recordMaxBytes); at it the session goes on unrecorded and later sessions make no file', async () => {
    const upstream = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(upstream, 'listening');
    after(() => {
      for (const socket of upstream.clients) socket.terminate();
      upstream.close();
    });
    upstream.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
    const dir = tempDir('cap-ws');
    const log = captureLog('warn');
    const cap = 3000;
    const { ws, server } = await startServer({ endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, record: dir, recordMaxBytes: cap, routes: [{ name: 'feed', url: `ws://127.0.0.1:${(upstream.address() as { port: number }).port}`, announce: false }] } }, { logger: log.logger });
    const first = await wsConnect(ws('/ws/proxy/feed'));
    for (let i = 0; i < 20; i++) {
      first.send({ n: i, pad: 'y'.repeat(100) });
      assert.equal((await first.next<{ n: number }>())['n'], i, 'the echo comes back, recorded or not');
    }
    await first.close();
    const second = await wsConnect(ws('/ws/proxy/feed'));
    second.send({ n: 'late' });
    assert.equal((await second.next<{ n: string }>())['n'], 'late');
    await second.close();
    await server.stop();
    assert.deepEqual(readdirSync(dir).length, 1, 'the session after the cap makes no file');
    assert.ok(folderBytes(dir) <= cap, `${folderBytes(dir)} bytes in the folder`);
    assert.equal(log.lines.filter((l) => /Recording stops in/.test(l)).length, 1);
    const recording = readRecording(join(dir, readdirSync(dir)[0] ?? ''));
    assert.ok(recording.events.length > 4 && recording.events.length < 40, `${recording.events.length} lines kept, each whole`);
    assert.equal(server.stats().recordings?.[0]?.full, true);
    assert.ok((server.stats().recordings?.[0]?.dropped ?? 0) > 1);
  });

  it('HTTP and the proxy recording into one folder share one budget, the smaller cap holding', async () => {
    const dir = tempDir('cap-shared');
    const { server } = await startServer({
      endpoints: [{ path: '/ws', streams: [] }],
      proxy: { enabled: true, record: dir, recordMaxBytes: 5000, routes: [{ name: 'a', url: 'ws://127.0.0.1:9', record: join(dir, '.'), recordMaxBytes: 7000 }] },
      http: { fallback: 'http://127.0.0.1:9', record: `${dir}/`, recordMaxBytes: 6000 },
    });
    assert.deepEqual(server.stats().recordings, [{ folder: dir, maxBytes: 6000, bytes: 0, full: false, dropped: 0 }]);
  });
});

describe('the HTTP recorder keeps up or leaves out, never holds more than its queue', () => {
  /** An exchange whose request and answer each carry `bytes` zero bytes. */
  const exchange = (n: number, bytes: number): ForwardedExchange => ({
    started: n,
    ended: n + 1,
    request: { method: 'POST', path: `/x/${n}`, query: {}, headers: {}, body: Buffer.alloc(bytes) },
    response: { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(bytes), truncated: false, chunks: undefined },
  });

  it(`bodies queued past ${QUEUE_BYTES / MIB} MiB are left out, counted in the folder's figures and reported once; what is kept is whole and in order`, async () => {
    const dir = tempDir('record-behind');
    const budget = new FolderBudget(dir, Infinity, () => undefined);
    const behind: number[] = [];
    const recorder = new HttpRecorder(dir, 0, { redact: createRedactor(), maxBodyBytes: MIB, budget, onBehind: (waiting) => behind.push(waiting) });
    // Each exchange holds 2 MiB while it waits: the queue takes QUEUE_BYTES / 2 MiB of them at once.
    const sent = QUEUE_BYTES / (2 * MIB) + 4;
    for (let n = 0; n < sent; n++) recorder.exchange(exchange(n, MIB));
    await recorder.end();
    const { exchanges } = readHttpRecording(recorder.path);
    assert.equal(exchanges.length, QUEUE_BYTES / (2 * MIB), 'the queue\'s worth is written');
    assert.deepEqual(exchanges.map((x) => x.request.path), exchanges.map((_, n) => `/x/${n}`), 'in the order they came');
    assert.equal(bodyBytes(exchanges[0]!.response).length, MIB, 'a body kept whole');
    assert.equal(budget.figures().dropped, 4);
    assert.equal(behind.length, 1, 'the first left out is reported, not each');
    assert.equal(behind[0], QUEUE_BYTES);
  });

  it('writes one line per turn of the event loop, so other clients are answered between two', async () => {
    const dir = tempDir('record-turns');
    const budget = new FolderBudget(dir, Infinity, () => undefined);
    const recorder = new HttpRecorder(dir, 0, { redact: createRedactor(), maxBodyBytes: MIB, budget });
    const header = budget.figures().bytes;
    for (let n = 0; n < 50; n++) recorder.exchange(exchange(n, 10));
    // What the next turn finds written (the budget is charged as each line is written): a line, not fifty.
    const atNextTurn = new Promise<number>((resolve) => setImmediate(() => resolve(budget.figures().bytes - header)));
    await recorder.end();
    const all = budget.figures().bytes - header;
    assert.equal(readHttpRecording(recorder.path).exchanges.length, 50);
    assert.ok((await atNextTurn) <= all / 25, `${await atNextTurn} of ${all} bytes written by the next turn`);
  });

  it('waits for the file to drain before the next line: what is charged and not yet on disk stays within a line or two', async () => {
    const dir = tempDir('record-drain');
    const budget = new FolderBudget(dir, Infinity, () => undefined);
    const recorder = new HttpRecorder(dir, 0, { redact: createRedactor(), maxBodyBytes: MIB, budget });
    for (let n = 0; n < 8; n++) recorder.exchange(exchange(n, MIB));
    let ahead = 0;
    let ended = false;
    const sample = (): void => {
      if (ended) return;
      // The file is opened on the next turns: until then nothing is on disk.
      const onDisk = statSync(recorder.path, { throwIfNoEntry: false })?.size ?? 0;
      ahead = Math.max(ahead, budget.figures().bytes - onDisk);
      setImmediate(sample);
    };
    sample();
    await recorder.end();
    ended = true;
    const line = statSync(recorder.path).size / 8;
    assert.equal(readHttpRecording(recorder.path).exchanges.length, 8);
    assert.ok(ahead <= 2 * line, `at most ${ahead} bytes written ahead of the disk (a line is ${Math.round(line)})`);
  });
});
