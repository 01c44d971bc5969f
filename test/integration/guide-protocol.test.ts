import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/index.ts';
import { startServer, tickerEndpoint } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('guide dialect over a real socket', () => {
  it('greets with connected, a client id and an ISO timestamp', async () => {
    const { ws } = await startServer({ endpoints: [tickerEndpoint] });
    const client = await wsConnect(ws());
    const hello = await client.next();
    assert.equal(hello['type'], 'connected');
    assert.match(String(hello['clientId']), /^client-\d{13}-[0-9a-z]{6}$/);
    assert.match(String(hello['timestamp']), ISO);
    assert.equal(hello['message'], 'Connected to Mock API WebSocket server');
    assert.deepEqual(Object.keys(hello), ['type', 'clientId', 'timestamp', 'message']);
    await client.close();
  });

  it('subscribe: subscribed, then a snapshot at once, then one event per tick; unsubscribe stops them', async () => {
    const clock = new ManualClock();
    const { ws, server } = await startServer({ endpoints: [tickerEndpoint], websocket: { heartbeatInterval: 0 } }, { clock });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'ticker' });
    assert.deepEqual(await client.next(), { type: 'subscribed', event: 'ticker', timestamp: new Date(clock.now()).toISOString() });
    const snapshot = await client.next();
    assert.deepEqual(snapshot, { type: 'event', name: 'ticker', data: { symbol: 'MOCK', price: 100.5 }, timestamp: new Date(clock.now()).toISOString() });
    clock.advance(50);
    assert.equal((await client.next())['type'], 'event');
    clock.advance(100);
    assert.equal((await client.next())['name'], 'ticker');
    assert.equal((await client.next())['name'], 'ticker');
    client.send({ type: 'unsubscribe', event: 'ticker' });
    assert.deepEqual(await client.next(), { type: 'unsubscribed', event: 'ticker', timestamp: new Date(clock.now()).toISOString() });
    clock.advance(500);
    await client.expectSilence(150);
    assert.deepEqual(server.clients()[0]?.subscriptions, []);
    await client.close();
  });

  it('renders a tick once: every subscriber gets the same payload and timestamp; others get nothing', async () => {
    const clock = new ManualClock();
    const { ws } = await startServer({ endpoints: [{ path: '/ws', streams: [{ name: 'ticker', interval: 100, generator: 'ticker' }] }], websocket: { heartbeatInterval: 0 } }, { clock });
    const [a, b, idle] = await Promise.all([wsConnect(ws()), wsConnect(ws()), wsConnect(ws())]);
    for (const c of [a, b, idle]) await c!.nextOfType('connected');
    for (const c of [a!, b!]) {
      c.send({ type: 'subscribe', event: 'ticker' });
      await c.nextOfType('subscribed');
      await c.nextOfType('event');
    }
    clock.advance(100);
    const [ea, eb] = await Promise.all([a!.next(), b!.next()]);
    assert.deepEqual(ea, eb);
    assert.equal(typeof (ea['data'] as { price: unknown }).price, 'number');
    await idle!.expectSilence(100);
    await Promise.all([a!.close(), b!.close(), idle!.close()]);
  });

  it('request answers with fresh data; ping answers pong; unknown events are errors', async () => {
    const { ws } = await startServer({ endpoints: [tickerEndpoint] });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'request', event: 'news' });
    const response = await client.next();
    assert.deepEqual({ ...response, timestamp: 'x' }, { type: 'response', event: 'news', data: { headline: 'hello' }, timestamp: 'x' });
    client.send({ type: 'ping' });
    const pong = await client.next();
    assert.deepEqual(Object.keys(pong), ['type', 'timestamp']);
    assert.equal(pong['type'], 'pong');
    for (const type of ['subscribe', 'unsubscribe', 'request']) {
      client.send({ type, event: 'foo' });
      const error = await client.next();
      assert.equal(error['type'], 'error');
      assert.equal(error['error'], 'Unknown event: foo');
      assert.equal(error['code'], 'MW_UNKNOWN_EVENT');
    }
    await client.close();
  });

  it('on-demand streams send nothing by themselves; publish() reaches their subscribers', async () => {
    const { ws, server } = await startServer({ endpoints: [tickerEndpoint] });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'news' });
    await client.nextOfType('subscribed');
    await client.nextOfType('event');
    await client.expectSilence(150);
    assert.equal(server.publish('news'), 1);
    assert.deepEqual((await client.next())['data'], { headline: 'hello' });
    assert.equal(server.publish('news', { headline: 'breaking' }), 1);
    assert.deepEqual((await client.next())['data'], { headline: 'breaking' });
    assert.throws(() => server.publish('nope'), /Unknown stream: nope/);
    await client.close();
  });

  it('refuses an upgrade on a path with no endpoint with 404, and leaves others alone', async () => {
    const { ws } = await startServer({ endpoints: [tickerEndpoint] });
    const ok = await wsConnect(ws());
    await ok.nextOfType('connected');
    await assert.rejects(wsConnect(ws('/nowhere')), (error: Error & { status?: number; body?: string }) => {
      assert.equal(error.status, 404);
      const body = JSON.parse(error.body ?? '{}') as { success: boolean; error: { code: string; message: string } };
      assert.equal(body.success, false);
      assert.equal(body.error.code, 'MW_UNKNOWN_ENDPOINT');
      assert.equal(body.error.message, 'No WebSocket endpoint at /nowhere (endpoints: /ws)');
      return true;
    });
    ok.send({ type: 'ping' });
    assert.equal((await ok.next())['type'], 'pong');
    await ok.close();
  });

  it('refuses every upgrade when websocket.enabled is false', async () => {
    const { ws } = await startServer({ endpoints: [tickerEndpoint], websocket: { enabled: false } });
    await assert.rejects(wsConnect(ws()), (error: Error & { status?: number; body?: string }) => error.status === 404 && /MW_WEBSOCKET_DISABLED/.test(error.body ?? ''));
  });

  it('matches "prefix*" endpoint paths and ignores a trailing slash', async () => {
    const { ws } = await startServer({ endpoints: [tickerEndpoint, { path: '/any/*', dialect: 'guide', streams: [] }] });
    for (const path of ['/ws/', '/any/thing', '/any/']) {
      const client = await wsConnect(ws(path));
      assert.equal((await client.next())['type'], 'connected');
      await client.close();
    }
  });
});
