import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MockwaveConfigInput } from '../../src/index.ts';
import { checkConfig } from '../../src/config/validate.ts';
import { readRecording } from '../../src/recording/format.ts';
import { runMockwave } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir('rec');

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
  const recordDir = tempDir('rec-session');
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

  it('to-config answers the requests the upstream answered, as rules copying the correlation id; the rest stays the timed sequence', async () => {
    const frame = (t: number, from: 'client' | 'upstream', value: unknown) => JSON.stringify({ kind: 'frame', t, from, type: 'text', data: JSON.stringify(value) });
    const file = join(tempDir('rec-rpc'), 'node-1.jsonl');
    // A JSON-RPC node (as Ethereum's over WebSocket) and a Kraken-style subscribe with `reqid`.
    writeFileSync(file, [
      JSON.stringify({ kind: 'session', version: 1, route: 'node', url: 'ws://x', path: '/', startedAt: '2026-11-27T00:00:00.000Z', headers: {}, protocol: '' }),
      frame(5, 'client', { jsonrpc: '2.0', id: 1, method: 'eth_chainId' }),
      frame(12, 'upstream', { jsonrpc: '2.0', id: 1, result: '0x1' }),
      frame(20, 'client', { jsonrpc: '2.0', id: 2, method: 'eth_subscribe', params: ['newHeads'] }),
      frame(31, 'upstream', { jsonrpc: '2.0', id: 2, result: '0xsub' }),
      frame(40, 'client', { event: 'subscribe', reqid: 42, pair: ['XBT/USD'] }),
      frame(45, 'upstream', { event: 'subscriptionStatus', reqid: 42, status: 'subscribed' }),
      frame(50, 'upstream', { event: 'heartbeat' }),
      frame(1500, 'upstream', { jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: '0xsub', result: { number: '0x10' } } }),
      frame(1600, 'upstream', { jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: '0xsub', result: { number: '0x11' } } }),
      '',
    ].join('\n'));
    const convert = runMockwave(['recording', 'to-config', file]);
    assert.equal((await convert.exited).code, 0, convert.errors());
    const config = parseYaml(convert.output()) as { endpoints: { rules: { when: unknown; then: unknown[] }[]; streams: { sequence: { delay: number; data: unknown }[] }[] }[] };
    const [endpoint] = config.endpoints;
    assert.deepEqual(endpoint?.rules, [
      { when: { json: { method: 'eth_chainId' } }, then: [{ delay: 7 }, { reply: { jsonrpc: '2.0', id: '{{message.id}}', result: '0x1' } }] },
      { when: { json: { method: 'eth_subscribe' } }, then: [{ delay: 11 }, { reply: { jsonrpc: '2.0', id: '{{message.id}}', result: '0xsub' } }] },
      { when: { json: { event: 'subscribe' } }, then: [{ delay: 5 }, { reply: { event: 'subscriptionStatus', reqid: '{{message.reqid}}', status: 'subscribed' } }] },
    ]);
    assert.deepEqual(endpoint?.streams[0]?.sequence.map((s) => s.delay), [50, 1450, 100], 'what answered no request stays, timed from the start');

    const { ws } = await startServer({ endpoints: config.endpoints.map((e) => ({ ...e, path: '/node' })) } as never);
    const client = await wsConnect(ws('/node'));
    assert.deepEqual(await client.next(), { event: 'heartbeat' });
    client.send({ jsonrpc: '2.0', id: 'a7', method: 'eth_subscribe', params: ['newHeads'] });
    assert.deepEqual(await client.next(), { jsonrpc: '2.0', id: 'a7', result: '0xsub' }, 'answered with the id the client chose');
    client.send({ event: 'subscribe', reqid: 9, pair: ['ETH/USD'] });
    assert.deepEqual(await client.next(), { event: 'subscriptionStatus', reqid: 9, status: 'subscribed' });
    assert.deepEqual((await client.next<{ params: { result: unknown } }>(3000)).params.result, { number: '0x10' });
    await client.close();
  });

  it('a replayed proxy session greets its client with proxy_connected first, as the live one did (issue 26 item 9)', async () => {
    const upstream = await scriptedUpstream();
    const recordDir = tempDir('rec-greeted');
    // The route announces (the default): the live client's first message is the proxy's own greeting.
    const live = await startServer({ endpoints: [{ path: '/ws' }], proxy: { enabled: true, routes: [{ name: 'feed', url: upstream, record: recordDir }] } });
    const client = await wsConnect(live.ws('/ws/proxy/feed'));
    const greeting = await client.next<Record<string, unknown>>();
    client.send('hi');
    assert.equal((await client.nextRaw()).text, '{"n":"a"}');
    assert.equal((await client.closed()).code, 4005);
    await waitUntil(() => readdirSync(recordDir).length === 1 && readFileSync(join(recordDir, readdirSync(recordDir)[0]!), 'utf8').includes('"kind":"close"'), 2000, 'the recording to be complete');
    await live.server.stop();
    const file = join(recordDir, readdirSync(recordDir)[0]!);
    assert.equal(readRecording(file).session.announced, true);

    /** The first two messages a client of `url` gets: the greeting, then the first recorded upstream frame. */
    const firstTwo = async (url: string): Promise<[Record<string, unknown>, string]> => {
      const replayed = await wsConnect(url);
      replayed.send('hi');
      const first = await replayed.next<Record<string, unknown>>();
      const second = (await replayed.nextRaw()).text;
      await replayed.close();
      return [first, second];
    };
    /** The same greeting: its fields in the same order, the same route; its own client id and a current time. */
    const sameGreeting = (got: Record<string, unknown>, how: string): void => {
      assert.deepEqual(Object.keys(got), Object.keys(greeting), how);
      assert.deepEqual([got['type'], got['routeName']], ['proxy_connected', 'feed'], how);
      assert.ok(typeof got['clientId'] === 'string' && got['clientId'] !== '', how);
      assert.ok(!Number.isNaN(Date.parse(String(got['timestamp']))) && String(got['timestamp']).length === String(greeting['timestamp']).length, how);
    };
    const replay = await startServer({ endpoints: [{ path: '/ws/proxy/feed', dialect: 'raw', replay: { file, speed: 0, waitForClient: true } }] });
    const [first, second] = await firstTwo(replay.ws('/ws/proxy/feed'));
    sameGreeting(first, 'replay:');
    assert.equal(second, '{"n":"a"}');

    const convert = runMockwave(['recording', 'to-config', file]);
    assert.equal((await convert.exited).code, 0, convert.errors());
    const config = parseYaml(convert.output()) as { endpoints: Record<string, unknown>[] };
    const mock = await startServer({ endpoints: config.endpoints.map((e) => ({ ...e, path: '/ws/proxy/feed' })) } as never);
    const [converted, next] = await firstTwo(mock.ws('/ws/proxy/feed'));
    sameGreeting(converted, 'the converted configuration');
    assert.equal(next, '{"n":"a"}');
  });
});

