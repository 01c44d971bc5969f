import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, ManualClock } from '../../src/index.ts';
import { ROOT, runCli, runMockwave } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface Message {
  type: string;
  payload: Record<string, unknown>;
}

function captureLogger() {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, logger: createLogger({ out, level: 'info' }) };
}

describe('cerberus preset over a real socket', () => {
  it('streams events, metrics and status; topics filter; heartbeat answers; logs read as cerberus users know them', async () => {
    const clock = new ManualClock();
    const { lines, logger } = captureLogger();
    const { ws, server } = await startServer({ preset: 'cerberus', websocket: { heartbeatInterval: 0 } }, { clock, logger, seed: 7 });
    assert.deepEqual(server.config.endpoints.map((e) => [e.path, e.dialect]), [['/*', 'cerberus']]);

    const all = await wsConnect(ws('/'));
    const picky = await wsConnect(ws('/any/path/works'));
    const fickle = await wsConnect(ws(''));
    picky.send({ type: 'subscribe', payload: { topics: ['alerts', 'metrics'] } });
    fickle.send({ type: 'subscribe', payload: { topics: ['status'] } });
    fickle.send({ type: 'unsubscribe', payload: { topics: ['status'] } });
    // Round trips prove the subscriptions are in place before time moves.
    for (const c of [all, picky, fickle]) {
      c.send({ type: 'heartbeat', payload: { timestamp: 1 } });
      const pong = await c.next<Message>();
      assert.equal(pong.type, 'pong');
      assert.equal(pong.payload['timestamp'], clock.now());
      assert.match(String(pong.payload['clientId']), /^client-\d{13}-[0-9a-z]{6}$/);
    }

    clock.advance(60_000);
    const [everything, filtered, restored] = await Promise.all([all.drain<Message>(), picky.drain<Message>(), fickle.drain<Message>()]);
    const count = (list: Message[], type: string) => list.filter((m) => m.type === type).length;
    assert.equal(count(everything, 'metric'), 20 * 8, 'eight series every 3 s');
    assert.equal(count(everything, 'status'), 6, 'every 10 s');
    const eventCount = count(everything, 'event');
    assert.ok(eventCount >= 12 && eventCount <= 30, `events every 2-5 s: ${eventCount}`);
    assert.deepEqual(restored, [], 'after unsubscribing from its last topic a client receives nothing (not everything again)');

    assert.equal(count(filtered, 'status'), 0);
    assert.equal(count(filtered, 'metric'), 160);
    const alerts = filtered.filter((m) => m.type === 'event');
    const expected = everything.filter((m) => m.type === 'event' && ['high', 'critical'].includes(String(m.payload['severity'])));
    assert.deepEqual(alerts, expected, 'alerts are exactly the high and critical events');

    const status = everything.find((m) => m.type === 'status')!;
    assert.equal(status.payload['clients'], 3);
    assert.equal(status.payload['connected'], true);
    const metric = everything.find((m) => m.type === 'metric')!;
    assert.deepEqual(Object.keys(metric.payload), ['metricId', 'timestamp', 'value', 'tags']);

    picky.send({ type: 'dance' });
    assert.equal((await picky.next<Message>()).type, 'error');
    picky.send({ type: 'subscribe', payload: { topics: ['bogus'] } });
    const error = await picky.next<Message>();
    assert.equal(error.type, 'error');
    assert.equal(error.payload['message'], 'Unknown topic: bogus (topics: events, metrics, status, alerts)');

    await Promise.all([all.close(), picky.close(), fickle.close()]);
    const text = lines.join('\n');
    assert.match(text, /Client connected: client-\S+ \(Total: 1\)/);
    assert.match(text, /Client connected: client-\S+ \(Total: 3\)/);
    assert.match(text, /Message from client-\S+: heartbeat/);
    assert.match(text, /Message from client-\S+: subscribe/);
    assert.match(text, /Message from client-\S+: dance/, 'an unknown type is logged as what the client sent');
    // `all` and `picky` (alerts, metrics); `fickle` unsubscribed from its last topic and gets nothing.
    assert.match(text, /Broadcast event to 2 client\(s\)/);
    assert.match(text, /Broadcast metric to 2 client\(s\)/);
    assert.match(text, /Broadcast status to 1 client\(s\)/);
    await waitUntil(() => /Client disconnected: client-\S+ .*\(Total: 0\)/.test(lines.join('\n')));
  });

  it('the same seed gives the same stream', async () => {
    const run = async (): Promise<Message[]> => {
      const clock = new ManualClock();
      const { ws } = await startServer({ preset: 'cerberus', websocket: { heartbeatInterval: 0 }, seed: 42 }, { clock });
      const client = await wsConnect(ws('/'));
      client.send({ type: 'subscribe', payload: { topics: ['events'] } });
      client.send({ type: 'heartbeat' });
      await client.nextOfType('pong');
      clock.advance(30_000);
      const got = await client.drain<Message>();
      await client.close();
      return got;
    };
    const [a, b] = [await run(), await run()];
    assert.ok(a.length > 5);
    assert.deepEqual(a.map((m) => m.payload['eventType']), b.map((m) => m.payload['eventType']));
    assert.deepEqual(a.map((m) => m.payload['metadata']), b.map((m) => m.payload['metadata']));
  });
});

const FAST = ['--port', '0', '--host', '127.0.0.1', '--event-interval', '20-50', '--metric-interval', '50', '--status-interval', '100'];

async function exerciseEntryPoint(cli: ReturnType<typeof runCli>): Promise<void> {
  const match = await cli.waitFor(/Mock WebSocket Server started on ws:\/\/[^:]+:(\d+)\n━+/);
  const client = await wsConnect(`ws://127.0.0.1:${match[1]}`);
  client.send({ type: 'subscribe', payload: { topics: ['alerts', 'metrics', 'status'] } });
  const seen = new Set<string>();
  for (let i = 0; i < 500 && seen.size < 3; i++) seen.add((await client.next<Message>(2000)).type);
  assert.deepEqual([...seen].sort(), ['event', 'metric', 'status']);
  await cli.waitFor(/Broadcast metric to 1 client\(s\)/);
  cli.child.kill('SIGTERM');
  assert.equal((await client.closed()).code, 1001);
  assert.deepEqual(await cli.exited, { code: 0, signal: null });
}

describe('cerberus entry points', () => {
  it('mockwave --preset cerberus listens on 3001 by default', async () => {
    const cli = runMockwave(['--preset', 'cerberus', '--print-config']);
    assert.equal((await cli.exited).code, 0);
    assert.equal((JSON.parse(cli.output()) as { port: number }).port, 3001);
  });

  it('npx tsx server/websocket-server.ts', async () => {
    await exerciseEntryPoint(runCli(process.execPath, ['--import', import.meta.resolve('tsx'), `${ROOT}server/websocket-server.ts`, ...FAST]));
  });

  it("the guide's .env.local (PORT, WEBSOCKET_*) does not turn the entry point into the guide's server, and the banner says so", async () => {
    const cwd = tempDir('cerberus-env');
    writeFileSync(join(cwd, '.env.local'), 'PORT=3000\nWEBSOCKET_PATH=/ws\nWEBSOCKET_MOCK_EVENTS=[{"name":"ticker","interval":1000,"data":{"price":1}}]\nMOCKWAVE_SEED=7\n');
    const cli = runCli(process.execPath, ['--import', import.meta.resolve('tsx'), `${ROOT}server/websocket-server.ts`, '--host', '127.0.0.1', '--port', '0'], { cwd });
    await cli.waitFor(/Waiting for client connections/);
    const out = cli.output();
    assert.match(out, /events\s+every 2000-5000 ms/, 'the cerberus streams, not the guide ticker');
    assert.doesNotMatch(out, /ticker/);
    assert.match(out, /ignored, as the guide's server settings .*: PORT \(from a \.env file\), WEBSOCKET_PATH \(from a \.env file\), WEBSOCKET_MOCK_EVENTS \(from a \.env file\)/);
    cli.child.kill('SIGTERM');
    await cli.exited;
  });

  it('node server/start.js (the compiled build)', { skip: existsSync(`${ROOT}dist/cli/main.js`) || process.env['CI'] ? false : 'dist/ is missing: npm run build (npm test does it first)' }, async () => {
    await exerciseEntryPoint(runCli(process.execPath, [`${ROOT}server/start.js`, ...FAST]));
  });
});
