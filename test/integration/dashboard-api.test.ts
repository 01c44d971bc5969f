/**
 * What the dashboard reads and does, through the admin API without a browser: `/` for browsers and for
 * API clients, the live snapshot feed, one client's message log (a tap set only while watched), and stream
 * pause / resume / tick / render. Auth applies to all of it; the static files are public.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

/**
 * Opens a server-sent event stream; resolves once the response has started (the server has set up the feed),
 * with a reader that collects `count` events of a kind, bounded by 5 s.
 */
async function openEvents(url: string): Promise<<T>(event: string, count: number) => Promise<T[]>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  const response = await fetch(url, { signal: controller.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  return async <T>(event: string, count: number): Promise<T[]> => {
    const found: T[] = [];
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name === event && data !== undefined) found.push(JSON.parse(data) as T);
        }
        if (found.length >= count) break;
      }
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    return found;
  };
}

async function events<T>(url: string, event: string, count: number): Promise<T[]> {
  return (await openEvents(url))<T>(event, count);
}

const config = {
  endpoints: [{ path: '/ws', dialect: 'guide' as const, streams: [{ name: 'ticker', interval: 50, data: { n: '{{counter}}' } }] }],
};

describe('dashboard API', () => {
  it('/ is the dashboard for browsers and the JSON description for API clients; its files are served', async () => {
    const { http } = await startServer(config);
    const page = await fetch(http('/'), { headers: { Accept: 'text/html,application/xhtml+xml' } });
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<script src="\/dashboard\/app\.js">/);
    const json = (await (await fetch(http('/'))).json()) as { data: { name: string } };
    assert.equal(json.data.name, 'mockwave');
    assert.equal((await fetch(http('/dashboard/app.js'))).status, 200);
    assert.equal((await fetch(http('/dashboard/nope.js'))).status, 404);
  });

  it('with the dashboard off, / stays JSON and the files are gone', async () => {
    const { http } = await startServer({ ...config, dashboard: { enabled: false } });
    const page = await fetch(http('/'), { headers: { Accept: 'text/html' } });
    assert.match(page.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal((await fetch(http('/dashboard/app.js'))).status, 404);
  });

  it('/admin/live pushes a snapshot every second with clients, streams and figures', async () => {
    const { http, ws } = await startServer(config);
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    const [first, second] = await events<{ at: number; clients: { id: string }[]; streams: { name: string; paused: boolean }[]; stats: { connectedClients: number } }>(http('/admin/live'), 'snapshot', 2);
    assert.equal(first?.stats.connectedClients, 1);
    assert.equal(first?.clients.length, 1);
    assert.deepEqual(first?.streams.map((s) => [s.name, s.paused]), [['ticker', false]]);
    assert.ok((second?.at ?? 0) - (first?.at ?? 0) >= 900, 'about a second apart');
    await client.close();
  });

  it("a client's message log carries both directions while watched, and nothing once the watcher leaves", async () => {
    const { http, ws } = await startServer(config);
    const client = await wsConnect(ws());
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    const watching = await openEvents(http(`/admin/live/clients/${clientId}`));
    client.send({ type: 'ping' });
    const [batch] = await watching<{ messages: { direction: string; text: string }[] }>('messages', 1);
    const seen = batch?.messages.map((m) => [m.direction, JSON.parse(m.text)['type'] as string]);
    assert.deepEqual(seen?.slice(0, 2), [['in', 'ping'], ['out', 'pong']]);
    assert.equal((await fetch(http('/admin/live/clients/nobody'))).status, 404);
    // A second watcher after the first has left sees only what passes from then on.
    const again = await openEvents(http(`/admin/live/clients/${clientId}`));
    client.send({ type: 'ping' });
    const [next] = await again<{ messages: { direction: string; text: string }[] }>('messages', 1);
    assert.deepEqual(next?.messages.map((m) => m.direction), ['in', 'out']);
    await client.close();
  });

  it('streams can be paused, resumed, ticked now and rendered without sending', async () => {
    const { http, ws } = await startServer(config);
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'ticker' });
    await client.nextOfType('subscribed');
    const post = async (action: string) => (await (await fetch(http(`/admin/websocket/streams/ticker/${action}`), { method: 'POST' })).json()) as { data: { paused: boolean; ticks: number } };
    assert.equal((await post('pause')).data.paused, true);
    await client.drain(150);
    await client.expectSilence(200);
    const ticked = await post('tick');
    assert.equal((await client.nextOfType<{ name: string }>('event')).name, 'ticker');
    const rendered = (await (await fetch(http('/admin/websocket/streams/ticker/render'))).json()) as { data: { rendered: { n: number }[] } };
    assert.equal(typeof rendered.data.rendered[0]?.n, 'number');
    await client.expectSilence(150); // render sends nothing
    assert.equal((await post('resume')).data.paused, false);
    await client.nextOfType('event');
    assert.ok(ticked.data.ticks > 0);
    assert.equal((await fetch(http('/admin/websocket/streams/nope/pause'), { method: 'POST' })).status, 404);
    await client.close();
  });

  it("a publish from an HTTP route, the admin API or a rule counts as the stream's tick and is its last payload; a generator stream says what feeds it", async () => {
    const { http, ws } = await startServer({
      endpoints: [
        {
          path: '/ws',
          streams: [
            { name: 'orders', data: { note: 'the stream\'s own payload' } },
            { name: 'prices', generator: 'ticker', options: { symbol: 'ACME', price: 42 } },
          ],
          rules: [{ when: { type: 'shout' }, then: [{ publish: { stream: 'orders', data: { from: 'a rule' } } }] }],
        },
      ],
      http: { routes: [{ method: 'POST', path: '/api/orders', then: [{ publish: { stream: 'orders', data: { symbol: '{{request.body.symbol}}' } } }, { respond: { status: 201 } }] }] },
    });
    const stream = async (name: string) => ((await (await fetch(http(`/admin/websocket/streams/${name}`))).json()) as { data: { ticks: number; last?: unknown[]; definition: Record<string, unknown> } }).data;
    assert.deepEqual(await stream('orders').then((s) => [s.ticks, s.last]), [0, undefined]);
    const post = await fetch(http('/api/orders'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"symbol":"NVDA"}' });
    assert.equal(post.status, 201);
    assert.deepEqual(await stream('orders').then((s) => [s.ticks, s.last]), [1, [{ symbol: 'NVDA' }]], 'an HTTP route\'s publish, with nobody subscribed');
    const admin = await fetch(http('/admin/websocket/publish'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"orders","data":{"symbol":"AAPL"}}' });
    assert.equal(admin.status, 200);
    assert.deepEqual(await stream('orders').then((s) => [s.ticks, s.last]), [2, [{ symbol: 'AAPL' }]]);
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'orders' });
    const snapshot = await client.nextOfType<{ data: unknown }>('event');
    assert.deepEqual(snapshot.data, { note: 'the stream\'s own payload' }, 'a new subscriber still gets the stream\'s own payload');
    client.send({ type: 'shout' });
    assert.deepEqual((await client.nextOfType<{ data: unknown }>('event')).data, { from: 'a rule' });
    assert.deepEqual(await stream('orders').then((s) => [s.ticks, s.last]), [3, [{ from: 'a rule' }]]);
    const [live] = await events<{ streams: { name: string; ticks: number; last?: unknown[] }[] }>(http('/admin/live'), 'snapshot', 1);
    assert.deepEqual(live?.streams.find((s) => s.name === 'orders')?.last, [{ from: 'a rule' }], 'the dashboard\'s feed shows it too');
    // A stream fed by a generator: its definition names the generator and its options (the dashboard shows them).
    const prices = await stream('prices');
    assert.deepEqual([prices.definition['generator'], prices.definition['options']], ['ticker', { symbol: 'ACME', price: 42 }]);
    await client.close();
  });

  it('obeys the admin token: the page and live feeds need it (?token= for EventSource), the files do not', async () => {
    const { http } = await startServer({ ...config, auth: { enabled: true, tokens: ['client-token-1'], adminToken: 'admin-token-1' } });
    assert.equal((await fetch(http('/'), { headers: { Accept: 'text/html' } })).status, 401);
    assert.equal((await fetch(http('/admin/live'))).status, 401);
    assert.equal((await fetch(http('/?token=admin-token-1'), { headers: { Accept: 'text/html' } })).status, 200);
    const [snapshot] = await events<{ stats: unknown }>(http('/admin/live?token=admin-token-1'), 'snapshot', 1);
    assert.ok(snapshot?.stats !== undefined);
    assert.equal((await fetch(http('/dashboard/app.js'))).status, 200);
  });
});
