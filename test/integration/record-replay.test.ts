import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MockwaveConfigInput } from '../../src/index.ts';
import { checkConfig } from '../../src/config/validate.ts';
import { readRecording } from '../../src/replay/format.ts';
import { runMockwave } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const dir = mkdtempSync(join(tmpdir(), 'mockwave-rec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An upstream that, once greeted, sends a, then b 100 ms later, then 3 bytes, then closes 4005. */
async function scriptedUpstream(): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  after(() => new Promise<void>((resolve) => {
    for (const ws of server.clients) ws.terminate();
    server.close(() => resolve());
  }));
  server.on('connection', (ws: WebSocket) => {
    ws.once('message', () => {
      ws.send('{"n":"a"}');
      setTimeout(() => ws.send('{"n":"b"}'), 100);
      setTimeout(() => ws.send(Buffer.from([1, 2, 255])), 150);
      setTimeout(() => ws.close(4005, 'done'), 200);
    });
  });
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Records one session of the scripted upstream through the proxy, in a folder of its own; the file's path. */
async function recordSession(): Promise<string> {
  const upstream = await scriptedUpstream();
  const recordDir = mkdtempSync(join(dir, 'session-'));
  const { ws, server } = await startServer({ endpoints: [{ path: '/ws' }], proxy: { enabled: true, routes: [{ name: 'feed', url: `${upstream}/?apikey=s3cret`, announce: false, headers: { 'X-Api-Key': 'k' }, record: recordDir }] } });
  const client = await wsConnect(ws('/ws/proxy/feed'), { headers: { Authorization: 'Bearer client-secret' } });
  client.send('hi');
  assert.equal((await client.closed()).code, 4005);
  await waitUntil(() => readdirSync(recordDir).length === 1 && readFileSync(join(recordDir, readdirSync(recordDir)[0]!), 'utf8').includes('"kind":"close"'), 2000, 'the recording to be complete');
  await server.stop();
  return join(recordDir, readdirSync(recordDir)[0]!);
}

describe('record and replay', () => {
  it('records a proxied session as JSON Lines, secrets masked, complete after the close', async () => {
    const recordingFile = await recordSession();
    const recording = readRecording(recordingFile);
    assert.equal(recording.session.route, 'feed');
    assert.match(recording.session.url, /apikey=\*\*\*/);
    assert.equal(recording.session.headers['x-api-key'], '***');
    assert.equal(recording.session.headers['authorization'], '***', 'the client\'s forwarded credentials are recorded, masked');
    assert.deepEqual(recording.events.map((e) => [e.kind, e.from, e.kind === 'frame' ? e.type : e.code]), [
      ['frame', 'client', 'text'], ['frame', 'upstream', 'text'], ['frame', 'upstream', 'text'], ['frame', 'upstream', 'binary'], ['close', 'upstream', 4005],
    ]);
    const [, a, b, bytes] = recording.events;
    assert.ok(b!.t - a!.t >= 90, 'offsets keep the timing');
    assert.equal(bytes?.kind === 'frame' ? bytes.data : '', Buffer.from([1, 2, 255]).toString('base64'));
  });

  it('a recording is complete when the server stops mid-session', async () => {
    const upstream = await scriptedUpstream();
    const recordDir = join(dir, 'stopped');
    const { ws, server } = await startServer({ endpoints: [{ path: '/ws' }], proxy: { enabled: true, record: recordDir, routes: [{ name: 'feed', url: upstream }] } });
    const client = await wsConnect(ws('/ws/proxy/feed'));
    await client.nextOfType('proxy_connected');
    await server.stop();
    const text = readFileSync(join(recordDir, readdirSync(recordDir)[0]!), 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; code?: number });
    assert.equal(lines[0]?.kind, 'session');
    const last = lines.at(-1) as unknown as { kind: string; t: number; from: string; code: number; reason: string };
    assert.deepEqual(last, { kind: 'close', t: last.t, from: 'client', code: 1001, reason: 'Server shutting down' });
  });

  it('replays the upstream side with its timing (scaled), byte for byte, and closes as recorded', async () => {
    const recordingFile = await recordSession();
    const { ws } = await startServer({ endpoints: [{ path: '/feed', dialect: 'raw', replay: { file: recordingFile, speed: 2 } }] });
    const client = await wsConnect(ws('/feed'));
    const first = await client.nextRaw();
    const started = Date.now();
    assert.equal(first.text, '{"n":"a"}');
    assert.equal((await client.nextRaw()).text, '{"n":"b"}');
    assert.ok(Date.now() - started >= 40, 'a 100 ms gap at speed 2 is about 50 ms');
    const bytes = await client.nextRaw();
    assert.ok(bytes.isBinary);
    assert.deepEqual([...bytes.data], [1, 2, 255]);
    assert.deepEqual(await client.closed(), { code: 4005, reason: 'done' });
  });

  it('can wait for the client, as the recorded client did', async () => {
    const recordingFile = await recordSession();
    const { ws } = await startServer({ endpoints: [{ path: '/feed', dialect: 'raw', replay: { file: recordingFile, speed: 0, waitForClient: true } }] });
    const client = await wsConnect(ws('/feed'));
    await client.expectSilence(150);
    client.send('hello again');
    assert.equal((await client.nextRaw()).text, '{"n":"a"}');
    await client.closed();
  });

  it('a missing recording or CA file is a configuration error before listening', async () => {
    await assert.rejects(startServer({ endpoints: [{ path: '/x', replay: { file: join(dir, 'nope.jsonl') } }] }), /endpoint \/x: replay\.file: cannot load the recording: .*ENOENT/);
    await assert.rejects(
      startServer({ endpoints: [{ path: '/ws' }], proxy: { enabled: true, routes: [{ name: 'r', url: 'ws://127.0.0.1:1', tls: { ca: join(dir, 'no-ca.pem') } }] } }),
      /proxy route r: tls\.ca: cannot read .*no-ca\.pem.*ENOENT/,
    );
  });

  it('mockwave replay serves it; mockwave recording to-config turns it into an editable mock', async () => {
    const recordingFile = await recordSession();
    const cli = runMockwave(['replay', recordingFile, '--fast', '-p', '0', '-H', '127.0.0.1']);
    const port = Number((await cli.waitFor(/listening on http:\/\/[^:]+:(\d+)/))[1]);
    const client = await wsConnect(`ws://127.0.0.1:${port}/anything`);
    assert.equal((await client.nextRaw()).text, '{"n":"a"}');
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);

    const convert = runMockwave(['recording', 'to-config', recordingFile]);
    assert.equal((await convert.exited).code, 0);
    assert.equal(convert.errors(), '', 'nothing is left out');
    const config = parseYaml(convert.output()) as MockwaveConfigInput & { endpoints: { streams: { binary?: boolean; sequence: { delay: number; data: unknown }[] }[] }[] };
    assert.ok(checkConfig(config).ok);
    const [texts, bytes] = config.endpoints[0]?.streams ?? [];
    assert.deepEqual(texts?.sequence.map((s) => s.data), [{ n: 'a' }, { n: 'b' }]);
    assert.deepEqual([bytes?.binary, bytes?.sequence.map((s) => s.data)], [true, [Buffer.from([1, 2, 255]).toString('base64')]]);
    // Served, the mock sends the upstream's frames in their recorded order, the binary one as the same bytes.
    const { ws } = await startServer({ ...config, endpoints: config.endpoints.map((e) => ({ ...e, path: '/feed' })) });
    const served = await wsConnect(ws('/feed'));
    const received = [await served.nextRaw(), await served.nextRaw(), await served.nextRaw()];
    assert.deepEqual(received.map((r) => [r.isBinary, r.isBinary ? [...r.data] : r.text]), [[false, '{"n":"a"}'], [false, '{"n":"b"}'], [true, [1, 2, 255]]]);
    await served.close();
  });
});
