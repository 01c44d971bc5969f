/**
 * Faults on real connections (issue 31): a profile from the configuration and one switched on, changed and
 * off through the admin API, seen by real clients (ws, fetch's event stream), counted in /admin/faults and
 * /metrics, and journaled. What each fault does message by message is measured on the injected clock in
 * test/unit/fault-line.test.ts; here, that it reaches the wire.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { loadConfig, ManualClock } from '../../src/index.ts';
import { startServer } from '../helpers/server.ts';
import { selfSignedCertificate } from '../helpers/certificate.ts';
import { handshake, rawConnect } from '../helpers/raw-ws.ts';
import { openStream } from '../helpers/sse-stream.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The status and Retry-After a WebSocket upgrade is refused with. */
function upgradeStatus(url: string): Promise<{ status: number | undefined; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(url);
    client.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode, retryAfter: response.headers['retry-after'] });
      response.resume();
      client.terminate();
    });
    client.once('open', () => reject(new Error(`${url} accepted the upgrade`)));
    client.once('error', () => undefined);
  });
}

/** An admin answer's data (the envelope's `data`), or its error. */
async function answer<T>(response: Promise<Response> | Response): Promise<T & { error?: { code: string; message: string } }> {
  const body = (await (await response).json()) as { data?: T; error?: { code: string; message: string } };
  return (body.data ?? { error: body.error }) as T & { error?: { code: string; message: string } };
}

const echo = { name: 'echo', when: { type: 'echo' }, then: [{ reply: { type: 'echoed', n: '{{message.n}}' } }] };

describe('faults on real connections', () => {
  it('a disconnect after N messages from the configuration: the client gets exactly N, then the close asked for', async () => {
    const { ws } = await startServer({ endpoints: [{ path: '/ws', dialect: 'guide', rules: [echo], faults: { disconnect: { afterMessages: 4, code: 4000, reason: 'chaos' } } }] });
    const client = await wsConnect(ws('/ws'));
    for (let n = 1; n <= 6; n++) client.send({ type: 'echo', n });
    const closed = await client.closed();
    assert.deepEqual(closed, { code: 4000, reason: 'chaos' });
    // The greeting, then three echoes: four messages, and nothing after them.
    assert.equal(client.pending, 4);
    assert.deepEqual((await client.drain(0)).map((m) => m['n'] ?? m['type']), ['connected', 1, 2, 3]);
  });

  it('an abrupt disconnect is a reset: the client socket fails with ECONNRESET, with no close frame', async () => {
    const { info } = await startServer({ endpoints: [{ path: '/ws', dialect: 'guide', faults: { disconnect: { after: 50, abrupt: true } } }] });
    const client = await rawConnect(info.port, '/ws');
    const ended = new Promise<string>((resolve) => {
      client.socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      client.socket.once('end', () => resolve('an orderly end'));
    });
    assert.equal(await ended, 'ECONNRESET');
  });

  it('an abrupt disconnect over TLS cuts the connection (no reset of a TLS socket there is) and the server goes on', async () => {
    const { certFile, keyFile, cert } = selfSignedCertificate();
    const { info } = await startServer({ tls: { cert: certFile, key: keyFile }, endpoints: [{ path: '/ws', dialect: 'guide', faults: { disconnect: { after: 50, abrupt: true } } }] });
    for (let i = 0; i < 2; i++) {
      const client = await wsConnect(`wss://127.0.0.1:${info.port}/ws`, { ca: cert });
      assert.equal((await client.closed()).code, 1006, 'cut, with no close frame');
    }
  });

  it('an abrupt disconnect after N messages sends no close frame', async () => {
    const { info } = await startServer({ endpoints: [{ path: '/ws', dialect: 'guide', rules: [echo], faults: { disconnect: { afterMessages: 2, abrupt: true } } }] });
    const client = await rawConnect(info.port, '/ws');
    client.sendFrame(1, JSON.stringify({ type: 'echo', n: 1 }));
    assert.equal(await client.closeCode(), 'ended');
  });

  it('switched on, changed and off through the admin API, for a client already connected; counted and journaled', async () => {
    const { ws, http } = await startServer({ journal: { enabled: true }, endpoints: [{ path: '/ws', dialect: 'guide', rules: [echo] }] });
    const client = await wsConnect(ws('/ws'));
    await client.nextOfType('connected');
    const before = await answer<{ endpoints: { endpoint: string; text: string; profile: unknown }[] }>(fetch(http('/admin/faults')));
    assert.deepEqual(before.endpoints.map((e) => [e.endpoint, e.text, e.profile]), [['/ws', 'off', null]]);

    // Every message in is lost: the rule never sees them.
    const on = await fetch(http('/admin/faults?endpoint=/ws'), { method: 'PUT', ...json({ direction: 'in', drop: 1 }) });
    assert.equal(on.status, 200);
    assert.equal((await answer<{ text: string }>(on)).text, 'drop 100% (messages in)');
    client.send({ type: 'echo', n: 1 });
    client.send({ type: 'echo', n: 2 });
    // Both reach the server, and are lost, before the profile changes.
    const dropped = async (): Promise<number> => (await answer<{ endpoints: { injected: { drop: number } }[] }>(fetch(http('/admin/faults')))).endpoints[0]?.injected.drop ?? 0;
    for (const deadline = Date.now() + 5000; (await dropped()) < 2; ) assert.ok(Date.now() < deadline, 'both messages dropped within 5 s');
    // Changed: messages in pass again, and every one out is sent twice.
    await fetch(http('/admin/faults'), { method: 'PUT', ...json({ duplicate: 1 }) });
    client.send({ type: 'echo', n: 3 });
    assert.deepEqual([await client.next(), await client.next()].map((m) => [m['type'], m['n']]), [['echoed', 3], ['echoed', 3]]);
    // Off: one answer per message.
    const off = await fetch(http('/admin/faults'), { method: 'DELETE' });
    assert.equal((await answer<{ text: string }>(off)).text, 'off');
    client.send({ type: 'echo', n: 4 });
    assert.equal((await client.next())['n'], 4);
    client.send({ type: 'echo', n: 5 });
    assert.equal((await client.next())['n'], 5, 'one answer, not two');

    const figures = await answer<{ endpoints: { injected: Record<string, number> }[] }>(fetch(http('/admin/faults')));
    assert.deepEqual(figures.endpoints[0]?.injected, { latency: 0, drop: 2, duplicate: 1, corrupt: 0, disconnect: 0, stall: 0, refuse: 0 });
    const metrics = await (await fetch(http('/metrics'))).text();
    assert.match(metrics, /mockwave_faults_injected_total\{endpoint="\/ws",kind="drop"\} 2/);
    assert.match(metrics, /mockwave_faults_injected_total\{endpoint="\/ws",kind="duplicate"\} 1/);
    const journal = await answer<{ entries: { kind: string; direction?: string; reason?: string }[] }>(fetch(http('/admin/journal?kind=fault')));
    assert.deepEqual(journal.entries.map((e) => [e.kind, e.direction, e.reason]), [
      ['fault', 'in', 'drop: 21 bytes'],
      ['fault', 'in', 'drop: 21 bytes'],
      ['fault', 'out', 'duplicate: sent twice'],
    ]);
  });

  it('a broadcast to WebSocket clients passes the faults too; a client that leaves takes its line with it', async () => {
    const { ws, http } = await startServer({ endpoints: [{ path: '/ws', dialect: 'guide', streams: [{ name: 'news', data: { headline: 'hi' } }], faults: { duplicate: 1 } }] });
    const client = await wsConnect(ws('/ws'));
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'news' });
    await client.nextOfType('subscribed');
    const published = await fetch(http('/admin/websocket/publish'), { method: 'POST', ...json({ event: 'news', data: { headline: 'published' } }) });
    assert.equal(published.status, 200);
    // Every message twice (the acknowledgement, the snapshot a subscriber gets), the broadcast too.
    const headline = (m: Record<string, unknown>): unknown => (m['data'] as { headline?: unknown } | undefined)?.headline;
    let message = await client.next();
    while (headline(message) !== 'published') message = await client.next();
    assert.equal(headline(await client.next()), 'published', 'the broadcast\'s copy');
    const lines = async (): Promise<number> => (await answer<{ endpoints: { clients: number }[] }>(fetch(http('/admin/faults')))).endpoints[0]?.clients ?? -1;
    assert.equal(await lines(), 1);
    await client.close();
    for (const deadline = Date.now() + 5000; (await lines()) !== 0; ) assert.ok(Date.now() < deadline, 'the line is gone within 5 s');
  });

  it('a reload applies the file\'s changed profile, and leaves one set through the admin API while the file\'s stays the same', async () => {
    const dir = tempDir('fault-reload');
    const file = join(dir, 'mock.yaml');
    const write = (faults: string): void => writeFileSync(file, `endpoints:\n  - path: /ws\n    faults: ${faults}\n`);
    write('{ drop: 0.5 }');
    const reload = () => ({ ...loadConfig({ cwd: dir, env: {}, configFile: file }).config, host: '127.0.0.1', port: 0, log: { level: 'silent' as const, format: 'text' as const, traffic: false } });
    const { http } = await startServer(reload(), { reload });
    const text = async (): Promise<string | undefined> => (await answer<{ endpoints: { text: string }[] }>(fetch(http('/admin/faults')))).endpoints[0]?.text;
    assert.equal(await text(), 'drop 50%');
    await fetch(http('/admin/faults'), { method: 'PUT', ...json({ latency: 100 }) });
    const same = await answer<{ faultsChanged: string[] }>(fetch(http('/admin/config/reload'), { method: 'POST' }));
    assert.deepEqual(same.faultsChanged, []);
    assert.equal(await text(), 'latency 100 ms', 'the file did not change: the admin API\'s profile stays');
    write('{ duplicate: 0.25 }');
    const changed = await answer<{ faultsChanged: string[] }>(fetch(http('/admin/config/reload'), { method: 'POST' }));
    assert.deepEqual(changed.faultsChanged, ['/ws']);
    assert.equal(await text(), 'duplicate 25%');
  });

  it('a timeline restarts the backend at 30 s: every client cut with 1012, new ones refused for 3 s with Retry-After, then back', async () => {
    const clock = new ManualClock();
    const restart = { at: 30_000, for: 3000, disconnect: { after: 0, code: 1012, reason: 'restarting' }, refuse: { status: 503 as const, retryAfter: 3 } };
    const { ws, http } = await startServer(
      { websocket: { heartbeatInterval: 0 }, endpoints: [{ path: '/ws', dialect: 'guide', faults: { timeline: [restart] } }, { path: '/events', protocol: 'sse', sse: { heartbeat: 0 }, faults: { timeline: [restart] } }] },
      { clock },
    );
    const client = await wsConnect(ws('/ws'));
    await client.nextOfType('connected');
    clock.advance(30_000);
    assert.deepEqual(await client.closed(), { code: 1012, reason: 'restarting' });
    const refused = await upgradeStatus(ws('/ws'));
    assert.deepEqual(refused, { status: 503, retryAfter: '3' });
    const sse = await fetch(http('/events'), { headers: { accept: 'text/event-stream' } });
    assert.deepEqual([sse.status, sse.headers.get('retry-after'), ((await sse.json()) as { error: { code: string } }).error.code], [503, '3', 'MW_FAULT_REFUSED']);
    clock.advance(3000);
    const back = await wsConnect(ws('/ws'));
    assert.equal((await back.next())['type'], 'connected');
    const figures = await answer<{ endpoints: { endpoint: string; injected: { disconnect: number; refuse: number } }[] }>(fetch(http('/admin/faults')));
    assert.deepEqual(figures.endpoints.map((e) => [e.endpoint, e.injected.disconnect, e.injected.refuse]), [['/ws', 1, 1], ['/events', 0, 1]]);
  });

  it('refused with a reset at the door: the upgrade gets no answer, the socket ECONNRESET', async () => {
    const { info } = await startServer({ endpoints: [{ path: '/ws', faults: { refuse: { reset: true } } }] });
    const socket = connect({ host: '127.0.0.1', port: info.port });
    socket.write(handshake('/ws'));
    const ended = await new Promise<string>((resolve) => {
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.once('data', (data: Buffer) => resolve(`an answer: ${data.toString().split('\r\n')[0]}`));
      socket.once('end', () => resolve('an orderly end'));
    });
    assert.equal(ended, 'ECONNRESET');
  });

  it('a profile kept to one test scope touches only the clients that named it', async () => {
    const { ws, http } = await startServer({ endpoints: [{ path: '/ws', dialect: 'guide', rules: [echo] }] });
    const mine = await wsConnect(ws('/ws?scope=t1'));
    const other = await wsConnect(ws('/ws'));
    await mine.nextOfType('connected');
    await other.nextOfType('connected');
    const put = await answer<{ text: string; clients: number }>(fetch(http('/admin/faults'), { method: 'PUT', ...json({ duplicate: 1, scope: 't1' }) }));
    assert.deepEqual([put.text, put.clients], ['duplicate 100% (scope t1 only)', 1]);
    for (const client of [mine, other]) {
      client.send({ type: 'echo', n: 1 });
      client.send({ type: 'echo', n: 2 });
    }
    assert.deepEqual([await mine.next(), await mine.next(), await mine.next()].map((m) => m['n']), [1, 1, 2]);
    assert.deepEqual([await other.next(), await other.next()].map((m) => m['n']), [1, 2]);
  });

  it('refuses a profile that cannot work, or an endpoint it cannot tell, with 400 and why', async () => {
    const { http } = await startServer({ endpoints: [{ path: '/a' }, { path: '/b' }] });
    const bad = await fetch(http('/admin/faults?endpoint=/a'), { method: 'PUT', ...json({ drop: 2, disconnect: {} }) });
    assert.equal(bad.status, 400);
    assert.equal((await answer(bad)).error?.message, 'Invalid fault profile: drop: expected a number <= 1; disconnect: say when: afterMessages, after (ms), or both (whichever comes first)');
    const which = await fetch(http('/admin/faults'), { method: 'PUT', ...json({ drop: 0.5 }) });
    assert.equal(which.status, 400);
    assert.match((await answer(which)).error?.message ?? '', /Several endpoints \(\/a, \/b\): add \?endpoint=<path>/);
    const unknown = await fetch(http('/admin/faults?endpoint=/c'), { method: 'PUT', ...json({ drop: 0.5 }) });
    assert.equal(unknown.status, 404);
  });

  it('Server-Sent Events: corrupted events keep their framing; a stall holds heartbeats too', async () => {
    const { http } = await startServer({ endpoints: [{ path: '/events', protocol: 'sse', sse: { heartbeat: 20 }, streams: [{ name: 'price', interval: 10, data: { price: 101.5 } }], faults: { corrupt: 1 } }] });
    const stream = await openStream(http('/events'));
    let event = await stream.next();
    while (event.event !== 'price') event = await stream.next();
    assert.equal(event.data?.endsWith('{'), true, `corrupted: ${event.data}`);
    assert.throws(() => JSON.parse(event.data ?? ''));
    await stream.close();

    await fetch(http('/admin/faults'), { method: 'PUT', ...json({ stall: { afterMessages: 1 } }) });
    const stalled = await openStream(http('/events'));
    let first = await stalled.next();
    while (first.event !== 'price') first = await stalled.next();
    // Nothing more, not even a heartbeat comment, while heartbeats go every 20 ms and prices every 10.
    await assert.rejects(stalled.next(400), /timed out|no event/i);
    await stalled.close();
  });
});
