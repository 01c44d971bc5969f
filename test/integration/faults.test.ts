/**
 * Faults: a storm of clients connecting and vanishing while streams tick, and the process told to stop in
 * the middle of a fast broadcast with a recording open. (A client that stops reading is in
 * admin-control.test.ts, a client that vanishes without a close in lifecycle.test.ts, and upstreams that
 * die, refuse or hang in proxy.test.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { runMockwave } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir('faults');

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('faults', () => {
  it('2,000 clients connecting and vanishing while streams tick: no gap for a client that stays, nothing left behind', async () => {
    const baseline = process.getActiveResourcesInfo().length;
    const streams = ['a', 'b', 'c'].map((name) => ({ name, interval: 20, data: { n: '{{counter}}' } }));
    const { ws, server } = await startServer({ websocket: { heartbeatInterval: 0 }, endpoints: [{ path: '/ws', dialect: 'guide', streams }] });
    const steady = await wsConnect(ws());
    await steady.nextOfType('connected');
    steady.send({ type: 'subscribe', event: 'a' });
    await steady.nextOfType('subscribed');

    // Waves of 250: each client subscribes to every stream, then half close properly and half just vanish.
    for (let wave = 0; wave < 8; wave++) {
      const clients = await Promise.all(Array.from({ length: 250 }, () => open(ws())));
      for (const c of clients) for (const s of streams) c.send(JSON.stringify({ type: 'subscribe', event: s.name }));
      await new Promise((resolve) => setTimeout(resolve, 30));
      clients.forEach((c, i) => (i % 2 === 0 ? c.close(1000) : c.terminate()));
    }

    await waitUntil(() => server.stats().connectedClients === 1, 5000, 'only the steady client left');
    // Everything received so far, and 20 more: a stream ticking every 20 ms never goes quiet, so waiting for
    // silence (drain) took anywhere from 1 to 200 seconds.
    const events: { type: string; data: { n: number } }[] = [];
    for (let i = 0, wanted = steady.pending + 20; i < wanted; i++) events.push(await steady.next<{ type: string; data: { n: number } }>());
    const ticks = events.filter((e) => e.type === 'event').map((e) => e.data.n);
    assert.ok(ticks.length > 10, `the steady client got ${ticks.length} ticks`);
    // Exactly one more each time: a gap or a repeated tick fails.
    ticks.forEach((n, i) => i === 0 || assert.equal(n, (ticks[i - 1] as number) + 1, `tick ${ticks[i - 1]} then ${n}`));
    assert.deepEqual(server.stats().endpoints?.[0]?.streams.map((s) => [s.name, s.subscribers]), [['a', 1], ['b', 0], ['c', 0]]);
    await steady.close();
    // Timers and sockets of the storm are all gone (the server's own listen socket and stream timers stay).
    await waitUntil(() => process.getActiveResourcesInfo().length <= baseline + 6, 5000, `active resources back near ${baseline}`);
  });

  it('SIGTERM in the middle of a fast broadcast: every client gets 1001, the recording is complete, exit 0', { timeout: 30_000 }, async () => {
    const upstream = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    after(() => upstream.close());
    await new Promise((resolve) => upstream.once('listening', resolve));
    upstream.on('connection', (socket) => {
      const timer = setInterval(() => socket.send(JSON.stringify({ at: Date.now() })), 2);
      socket.on('close', () => clearInterval(timer));
    });
    const record = join(dir, 'recordings');
    const config = join(dir, 'fast.json');
    writeFileSync(
      config,
      JSON.stringify({
        endpoints: [{ path: '/ws', dialect: 'guide', streams: [{ name: 'fast', interval: 2, data: { n: '{{counter}}', pad: 'x'.repeat(2000) } }] }],
        proxy: { enabled: true, record, routes: [{ name: 'up', url: `ws://127.0.0.1:${(upstream.address() as { port: number }).port}` }] },
      }),
    );
    const cli = runMockwave([config, '--port', '0', '--host', '127.0.0.1']);
    const port = (await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1];
    const clients = await Promise.all(Array.from({ length: 50 }, () => wsConnect(`ws://127.0.0.1:${port}/ws`)));
    for (const c of clients) c.send({ type: 'subscribe', event: 'fast' });
    await Promise.all(clients.map((c) => c.nextOfType('event')));
    const proxied = await wsConnect(`ws://127.0.0.1:${port}/ws/proxy/up`);
    await proxied.nextOfType('proxy_connected');
    await proxied.next(); // the upstream's messages are flowing

    cli.child.kill('SIGTERM');
    const codes = await Promise.all([...clients, proxied].map(async (c) => (await c.closed()).code));
    assert.deepEqual(new Set(codes), new Set([1001]));
    assert.equal((await cli.exited).code, 0);

    const [file] = readdirSync(record);
    const lines = readFileSync(join(record, file as string), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string });
    assert.equal(lines[0]?.kind, 'session');
    assert.ok(lines.filter((l) => l.kind === 'frame').length > 0);
    assert.equal(lines.at(-1)?.kind, 'close', 'the recording ends with its close line');
  });
});
