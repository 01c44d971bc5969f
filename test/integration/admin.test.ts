import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer, tickerEndpoint } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

interface Envelope {
  success: boolean;
  data?: Record<string, unknown>;
  error?: { code: string; message: string };
  meta: { timestamp: string; requestId: string };
}

async function get(url: string, init?: RequestInit): Promise<{ status: number; body: Envelope; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Envelope, headers: response.headers };
}

describe('admin API', () => {
  it('GET /admin/websocket/stats in the guide envelope, with the live client count', async () => {
    const { http, ws } = await startServer({ endpoints: [tickerEndpoint] });
    const first = await get(http('/admin/websocket/stats'));
    assert.equal(first.status, 200);
    const { enabled, connectedClients, proxyConnections } = first.body.data as Record<string, unknown>;
    assert.deepEqual({ enabled, connectedClients, proxyConnections }, { enabled: true, connectedClients: 0, proxyConnections: 0 });
    assert.match(first.body.meta.timestamp, /^\d{4}-.*Z$/);
    assert.match(first.body.meta.requestId, /^req-[0-9a-z]+-[0-9a-z]{6}$/);
    assert.deepEqual(Object.keys(first.body), ['success', 'data', 'meta']);

    const clients = await Promise.all([wsConnect(ws()), wsConnect(ws()), wsConnect(ws())]);
    await Promise.all(clients.map((c) => c.nextOfType('connected')));
    const second = await get(http('/admin/websocket/stats'));
    assert.equal(second.body.data?.['connectedClients'], 3);
    clients[0]!.send({ type: 'subscribe', event: 'news' });
    await clients[0]!.nextOfType('event');
    const third = await get(http('/admin/websocket/stats'));
    const [endpoint] = third.body.data?.['endpoints'] as { endpoint: string; connections: number; messagesIn: number; streams: { name: string; subscribers: number; messages: number }[] }[];
    assert.equal(endpoint?.endpoint, '/ws');
    assert.equal(endpoint?.connections, 3);
    assert.equal(endpoint?.messagesIn, 1);
    assert.deepEqual(endpoint?.streams.find((x) => x.name === 'news'), { name: 'news', messages: 0, subscribers: 1 });
    assert.equal(typeof third.body.data?.['uptimeMs'], 'number');
    assert.notEqual(second.body.meta.requestId, first.body.meta.requestId);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('answers unknown routes and methods with the envelope and the right status', async () => {
    const { http } = await startServer({ endpoints: [tickerEndpoint] });
    const missing = await get(http('/admin/nothing'));
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.error, { code: 'MW_ADMIN_NOT_FOUND', message: 'No route for GET /admin/nothing' });
    assert.equal(missing.body.success, false);
    const wrong = await get(http('/admin/websocket/stats'), { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.body.error?.code, 'MW_METHOD_NOT_ALLOWED');
    assert.equal(wrong.headers.get('allow'), 'GET');
  });

  it('GET / describes the endpoints and streams served', async () => {
    const { http, info } = await startServer({ endpoints: [tickerEndpoint] });
    const { body } = await get(http('/'));
    const endpoints = body.data?.['endpoints'] as { path: string; url: string; streams: { name: string; interval: string }[] }[];
    assert.equal(endpoints[0]?.url, `ws://127.0.0.1:${info.port}/ws`);
    assert.deepEqual(endpoints[0]?.streams.map((s) => [s.name, s.interval]), [['ticker', 'every 50 ms'], ['news', 'on demand']]);
  });
});
