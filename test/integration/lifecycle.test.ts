import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { createMockServer, isMockwaveError, ManualClock } from '../../src/index.ts';
import { startServer, tickerEndpoint } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

describe('heartbeat', () => {
  it('pings every interval and terminates a client that stopped answering', async () => {
    const clock = new ManualClock();
    const { ws, server } = await startServer({ endpoints: [tickerEndpoint], websocket: { heartbeatInterval: 1000 } }, { clock });
    const healthy = await wsConnect(ws());
    const silent = await wsConnect(ws());
    await healthy.nextOfType('connected');
    await silent.nextOfType('connected');
    // A client that never answers pings: ws answers them automatically, so switch that off at the socket.
    (silent.ws as unknown as { _receiver: { removeAllListeners(e: string): void } })._receiver.removeAllListeners('ping');
    const pinged = once(healthy.ws, 'ping');
    clock.advance(1000);
    await pinged;
    // ws answered the ping by itself; a JSON round trip after it proves the pong reached the server.
    healthy.send({ type: 'ping' });
    await healthy.nextOfType('pong');
    clock.advance(1000);
    const { code } = await silent.closed();
    assert.equal(code, 1006, 'terminated without a close frame');
    assert.equal(healthy.ws.readyState, WebSocket.OPEN);
    assert.equal(server.stats().connectedClients, 1);
    await healthy.close();
  });
});

describe('start and stop', () => {
  it('stop() closes every client with 1001 and refuses new upgrades meanwhile', async () => {
    const server = createMockServer({ host: '127.0.0.1', port: 0, endpoints: [tickerEndpoint], log: { level: 'silent' } });
    const { port } = await server.start();
    const clients = await Promise.all(Array.from({ length: 20 }, () => wsConnect(`ws://127.0.0.1:${port}/ws`)));
    for (const c of clients) c.send({ type: 'subscribe', event: 'ticker' });
    await Promise.all(clients.map((c) => c.nextOfType('event')));
    await server.stop();
    const codes = await Promise.all(clients.map((c) => c.closed()));
    assert.ok(codes.every((c) => c.code === 1001 && c.reason === 'Server shutting down'), JSON.stringify(codes.slice(0, 3)));
    await server.stop();
    await assert.rejects(wsConnect(`ws://127.0.0.1:${port}/ws`));
  });

  it('stop() terminates clients that never answer the close, within the grace period', async () => {
    const server = createMockServer({ host: '127.0.0.1', port: 0, endpoints: [tickerEndpoint], log: { level: 'silent' } }, { shutdownGraceMs: 200 });
    const { port } = await server.start();
    const client = await wsConnect(`ws://127.0.0.1:${port}/ws`);
    await client.nextOfType('connected');
    // Make the client deaf to the close frame.
    client.ws.removeAllListeners('close');
    (client.ws as unknown as { _receiver: { removeAllListeners(e: string): void } })._receiver.removeAllListeners('conclude');
    const started = Date.now();
    const stopping = server.stop();
    // While it waits for the deaf client, new upgrades are refused with 503.
    await assert.rejects(wsConnect(`ws://127.0.0.1:${port}/ws`), (e: Error & { status?: number; body?: string }) => e.status === 503 && /MW_SHUTTING_DOWN/.test(e.body ?? ''));
    await stopping;
    // Bounded by the grace period, not by the deaf client (wide, for a loaded machine).
    assert.ok(Date.now() - started < 10_000);
    client.ws.terminate();
  });

  it('reports a port in use as MW_LISTEN_FAILED and can be stopped afterwards', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    const server = createMockServer({ host: '127.0.0.1', port, log: { level: 'silent' } });
    await assert.rejects(server.start(), (error: unknown) => isMockwaveError(error, 'MW_LISTEN_FAILED') && /already in use/.test(error.message));
    await server.stop();
    blocker.close();
  });

  it('refuses an invalid configuration before anything listens', () => {
    assert.throws(() => createMockServer({ port: 'x' as never }), (error: unknown) => isMockwaveError(error, 'MW_CONFIG_INVALID') && error.details[0] === 'port: expected a number, got the string "x"');
  });

  it('start() twice is an error; publish() before start is an error', async () => {
    const server = createMockServer({ host: '127.0.0.1', port: 0, endpoints: [tickerEndpoint], log: { level: 'silent' } });
    assert.throws(() => server.publish('ticker'), (e: unknown) => isMockwaveError(e, 'MW_NOT_RUNNING'));
    await server.start();
    await assert.rejects(server.start(), (e: unknown) => isMockwaveError(e, 'MW_ALREADY_STARTED'));
    await server.stop();
  });

  it('asks for an endpoint when a stream name is on several; the library and the admin API say it the same way', async () => {
    const { server, http } = await startServer({ endpoints: [tickerEndpoint, { ...tickerEndpoint, path: '/b' }] });
    assert.throws(() => server.publish('news'), (e: unknown) => isMockwaveError(e, 'MW_AMBIGUOUS_STREAM') && /several endpoints \(\/ws, \/b\)/.test(e.message));
    assert.equal(server.publish('news', undefined, { endpoint: '/b' }), 0);
    assert.throws(() => server.publish('news', undefined, { endpoint: '/nowhere' }), (e: unknown) => isMockwaveError(e, 'MW_UNKNOWN_ENDPOINT'));
    // One stream, or one error: never a list that is sometimes an object.
    const ambiguous = await fetch(http('/admin/websocket/streams/news'));
    assert.equal(ambiguous.status, 409);
    assert.match(await ambiguous.text(), /MW_AMBIGUOUS_STREAM.*add \?endpoint=/);
    const one = (await (await fetch(http('/admin/websocket/streams/news?endpoint=/b'))).json()) as { data: { endpoint: string; name: string } };
    assert.deepEqual([one.data.endpoint, one.data.name], ['/b', 'news']);
    assert.equal((await fetch(http('/admin/websocket/streams/news?endpoint=/nowhere'))).status, 404);
  });
});
