/**
 * Collections (issue 30, item 4), the HTTP caller's scope (`stateStore.caller`) and the `disconnect` step:
 * REST on a list of items kept in the state, each change published to a WebSocket stream; callers told apart
 * by a cookie, whose WebSocket connections read the same scope; a logout that closes the caller's socket
 * only. Real server on port 0, real clients (fetch, ws).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMockServer } from '../../src/index.ts';
import { startServer } from '../helpers/server.ts';
import { openStream } from '../helpers/sse-stream.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';

/** The next change a collection published, past the stream's own messages. */
async function nextChange(client: WsTestClient): Promise<{ action: string; [key: string]: unknown }> {
  for (;;) {
    const { data } = await client.nextOfType<{ data: { action?: string } }>('event');
    if (data.action !== undefined) return data as { action: string };
  }
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const shop = {
  stateStore: { caller: 'cookie:session' },
  endpoints: [
    {
      path: '/ws',
      dialect: 'guide' as const,
      streams: [{ name: 'orders', data: { note: 'published only' } }, { name: 'cart', data: { note: 'published only' } }],
      rules: [
        { name: 'no cart before login', when: { type: 'subscribe', event: 'cart' }, state: { loggedIn: { ne: true } }, then: [{ refuse: 'log in first' }] },
        { name: 'whoami, logged in', when: { type: 'whoami' }, state: { loggedIn: true }, then: [{ reply: { type: 'me', user: '{{state.user}}' } }] },
        { name: 'whoami', when: { type: 'whoami' }, then: [{ reply: { type: 'anonymous' } }] },
      ],
    },
  ],
  http: {
    collections: {
      orders: { data: [{ id: 1, item: 'tea', qty: 2 }, { id: 2, item: 'milk', qty: 1 }], publish: [{ stream: 'orders' }] },
      cart: { scope: 'client' as const, publish: [{ stream: 'cart' }] },
    },
    routes: [
      { method: 'POST', path: '/api/login', then: [{ setState: { scope: 'client' as const, set: { loggedIn: true, user: '{{request.body.user}}' } } }, { respond: { status: 204 } }] },
      { method: 'POST', path: '/api/logout', then: [{ setState: { scope: 'client' as const, delete: ['loggedIn', 'user'] } }, { disconnect: { endpoint: '/ws', code: 4001, reason: 'logged out' } }, { respond: { status: 204 } }] },
      { path: '/api/orders', then: [{ collection: 'orders' }] },
      { path: '/api/orders/:id', then: [{ collection: 'orders' }] },
      { path: '/api/cart', then: [{ collection: 'cart' }] },
      { path: '/api/cart/:id', then: [{ collection: 'cart' }] },
    ],
  },
};

describe('collections', () => {
  it('list, get, create, replace, update and delete; each change is in the list and on the stream', async () => {
    const { ws, http } = await startServer(shop);
    const client = await wsConnect(ws('/ws'));
    try {
      client.send({ type: 'subscribe', event: 'orders' });
      await client.nextOfType('subscribed');
      assert.deepEqual(await (await fetch(http('/api/orders'))).json(), [{ id: 1, item: 'tea', qty: 2 }, { id: 2, item: 'milk', qty: 1 }]);
      assert.deepEqual(await (await fetch(http('/api/orders?item=milk'))).json(), [{ id: 2, item: 'milk', qty: 1 }], 'a query filters by equal fields');
      assert.deepEqual(await (await fetch(http('/api/orders/2'))).json(), { id: 2, item: 'milk', qty: 1 });

      const created = await fetch(http('/api/orders'), { method: 'POST', ...json({ item: 'bread', qty: 3 }) });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('location'), '/api/orders/3', 'ids are numbers, so the next is 3');
      assert.deepEqual(await created.json(), { item: 'bread', qty: 3, id: 3 });
      assert.deepEqual(await nextChange(client), { collection: 'orders', action: 'created', id: 3, item: { item: 'bread', qty: 3, id: 3 } });

      const replaced = await fetch(http('/api/orders/3'), { method: 'PUT', ...json({ id: 99, item: 'rye' }) });
      assert.deepEqual(await replaced.json(), { id: 3, item: 'rye' }, 'PUT keeps the id the path names');
      const updated = await fetch(http('/api/orders/3'), { method: 'PATCH', ...json({ qty: 5 }) });
      assert.deepEqual(await updated.json(), { id: 3, item: 'rye', qty: 5 });
      assert.equal((await fetch(http('/api/orders/1'), { method: 'DELETE' })).status, 204);
      assert.deepEqual(await (await fetch(http('/api/orders'))).json(), [{ id: 2, item: 'milk', qty: 1 }, { id: 3, item: 'rye', qty: 5 }]);
      const actions: string[] = [];
      for (let i = 0; i < 3; i++) actions.push((await nextChange(client)).action);
      assert.deepEqual(actions, ['replaced', 'updated', 'deleted']);

      const state = await (await fetch(http('/admin/state/global'))).json() as { data: { state: { orders: unknown[] } } };
      assert.equal(state.data.state.orders.length, 2, 'the items are kept in the state under the collection\'s name');
      assert.equal((await fetch(http('/admin/state'), { method: 'DELETE' })).status, 200);
      assert.equal((await (await fetch(http('/api/orders'))).json() as unknown[]).length, 2, 'a reset of the state brings back the seed');
      assert.deepEqual(await (await fetch(http('/api/orders/1'))).json(), { id: 1, item: 'tea', qty: 2 });
    } finally {
      await client.close();
    }
  });

  it('refuses what it cannot take, each with its code: a missing item, a taken id, a body that is not an object, a method', async () => {
    const { http } = await startServer(shop);
    const code = async (response: Response) => [response.status, ((await response.json()) as { error: { code: string } }).error.code];
    assert.deepEqual(await code(await fetch(http('/api/orders/7'))), [404, 'MW_ITEM_NOT_FOUND']);
    assert.deepEqual(await code(await fetch(http('/api/orders/7'), { method: 'PATCH', ...json({ qty: 1 }) })), [404, 'MW_ITEM_NOT_FOUND']);
    assert.deepEqual(await code(await fetch(http('/api/orders'), { method: 'POST', ...json({ id: 1, item: 'x' }) })), [409, 'MW_ITEM_EXISTS']);
    assert.deepEqual(await code(await fetch(http('/api/orders'), { method: 'POST', ...json([1, 2]) })), [400, 'MW_HTTP_BAD_REQUEST']);
    assert.deepEqual(await code(await fetch(http('/api/orders'), { method: 'POST', body: 'not json' })), [400, 'MW_HTTP_BAD_REQUEST']);
    assert.deepEqual(await code(await fetch(http('/api/orders/1'), { method: 'POST', ...json({}) })), [405, 'MW_HTTP_METHOD_NOT_ALLOWED']);
    assert.deepEqual(await code(await fetch(http('/api/cart'), { method: 'POST', ...json({ sku: 'a' }) })), [400, 'MW_STATE_REFUSED'], 'a per-caller collection needs a caller');
    assert.equal((await (await fetch(http('/api/orders'))).json() as unknown[]).length, 2, 'nothing refused was kept');
  });

  it('two callers (told apart by a cookie) have their own cart and their own login, which their WebSocket connections read; a logout closes only the caller\'s socket with 4001', async () => {
    const { ws, http } = await startServer(shop);
    const ada = { cookie: 'session=ada-1' };
    const bob = { cookie: 'session=bob-2' };
    const adaSocket = await wsConnect(ws('/ws'), { headers: ada });
    const bobSocket = await wsConnect(ws('/ws'), { headers: bob });
    try {
      adaSocket.send({ type: 'subscribe', event: 'cart' });
      const refused = await adaSocket.nextOfType<{ error: string; code: string }>('error');
      assert.deepEqual([refused.code, refused.error], ['MW_REFUSED', 'log in first'], 'before a login, the dialect\'s own error');
      bobSocket.send({ type: 'whoami' });
      assert.deepEqual(await bobSocket.nextOfType('anonymous'), { type: 'anonymous' });

      assert.equal((await fetch(http('/api/login'), { method: 'POST', ...json({ user: 'ada' }, ada) })).status, 204);
      adaSocket.send({ type: 'whoami' });
      assert.deepEqual(await adaSocket.nextOfType('me'), { type: 'me', user: 'ada' }, 'the socket carrying the cookie reads what the login set');
      bobSocket.send({ type: 'whoami' });
      assert.deepEqual(await bobSocket.nextOfType('anonymous'), { type: 'anonymous' }, 'the other caller does not');
      assert.equal((await fetch(http('/api/login'), { method: 'POST', ...json({ user: 'bob' }, bob) })).status, 204);
      for (const socket of [adaSocket, bobSocket]) {
        socket.send({ type: 'subscribe', event: 'cart' });
        await socket.nextOfType('subscribed');
      }

      assert.equal((await fetch(http('/api/cart'), { method: 'POST', ...json({ sku: 'tea' }, ada) })).status, 201);
      assert.deepEqual(await nextChange(adaSocket), { collection: 'cart', action: 'created', id: 1, item: { sku: 'tea', id: 1 } }, 'the caller\'s socket is told of its change');
      // Published before the answer, so anything meant for bob would come before his answer to whoami.
      bobSocket.send({ type: 'whoami' });
      for (let message = await bobSocket.next(); message['type'] !== 'me'; message = await bobSocket.next()) {
        assert.equal((message['data'] as { action?: string } | undefined)?.action, undefined, 'another caller\'s socket is not told');
      }
      const created = await (await fetch(http('/api/cart'), { method: 'POST', ...json({ sku: 'milk' }, bob) })).json() as { id: number };
      assert.equal(created.id, 1, 'each cart numbers its own items');
      assert.deepEqual(await (await fetch(http('/api/cart'), { headers: ada })).json(), [{ sku: 'tea', id: 1 }]);
      assert.deepEqual(await (await fetch(http('/api/cart'), { headers: bob })).json(), [{ sku: 'milk', id: 1 }]);

      assert.equal((await fetch(http('/api/logout'), { method: 'POST', headers: ada })).status, 204);
      assert.deepEqual(await adaSocket.closed(), { code: 4001, reason: 'logged out' });
      bobSocket.send({ type: 'whoami' });
      assert.deepEqual(await bobSocket.nextOfType('me'), { type: 'me', user: 'bob' }, 'the other caller\'s socket stays open, still logged in');
    } finally {
      await adaSocket.close();
      await bobSocket.close();
    }
  });

  it('keeps each list in its one scope: a test scope starts from the seed; a changing action is 405 on GET; something not a list there is a 500 that says how to reset it', async () => {
    const { http } = await startServer({
      http: {
        collections: { orders: { data: [{ id: 1 }] } },
        routes: [{ path: '/api/orders', then: [{ collection: 'orders' }] }, { path: '/api/wipe', then: [{ collection: { name: 'orders', action: 'create' } }] }],
      },
    });
    await fetch(http('/api/orders'), { method: 'POST', ...json({ name: 'global one' }) });
    assert.equal((await (await fetch(http('/api/orders'))).json() as unknown[]).length, 2);
    const t1 = { 'x-mockwave-scope': 't1' };
    assert.deepEqual(await (await fetch(http('/api/orders'), { headers: t1 })).json(), [{ id: 1 }], 'a test scope starts from the seed, not from the global list');
    await fetch(http('/api/orders'), { method: 'POST', ...json({ name: 't1 one' }, t1) });
    assert.deepEqual(await (await fetch(http('/api/orders'), { headers: t1 })).json(), [{ id: 1 }, { name: 't1 one', id: 2 }]);
    assert.equal((await (await fetch(http('/api/orders'))).json() as unknown[]).length, 2, 'and the global list is its own');

    const refused = await fetch(http('/api/wipe'));
    assert.deepEqual([refused.status, ((await refused.json()) as { error: { code: string } }).error.code], [405, 'MW_HTTP_METHOD_NOT_ALLOWED'], 'a create named by the step is still not a GET');

    await fetch(http('/admin/state/global'), { method: 'PATCH', ...json({ append: { orders: null } }) });
    const broken = await fetch(http('/api/orders'));
    const message = ((await broken.json()) as { error: { code: string; message: string } }).error;
    assert.deepEqual([broken.status, message.code], [500, 'MW_HTTP_ROUTE_FAILED']);
    assert.match(message.message, /the state's orders in global is not a list of objects.*DELETE \/admin\/state\/global\?key=orders/);
  });

  it('over Server-Sent Events a change reaches its caller only, live and when another caller resumes with Last-Event-ID', async () => {
    const { http } = await startServer({
      stateStore: { caller: 'cookie:session' },
      endpoints: [{ path: '/notices', protocol: 'sse' as const, sse: { heartbeat: 0 }, streams: [{ name: 'notice', data: { note: 'published only' } }] }],
      http: { collections: { cart: { scope: 'client' as const, publish: [{ stream: 'notice' }] } }, routes: [{ path: '/api/cart', then: [{ collection: 'cart' }] }] },
    });
    const ada = { cookie: 'session=ada' };
    const bob = { cookie: 'session=bob' };
    const adaStream = await openStream(http('/notices'), ada);
    const bobStream = await openStream(http('/notices'), bob);
    try {
      const change = async (stream: typeof adaStream) => {
        for (;;) {
          const event = await stream.next();
          if (event.data?.includes('"action"')) return { id: event.id, data: JSON.parse(event.data) as { item: { sku: string } } };
        }
      };
      await fetch(http('/api/cart'), { method: 'POST', ...json({ sku: 'tea' }, ada) });
      await fetch(http('/api/cart'), { method: 'POST', ...json({ sku: 'milk' }, bob) });
      assert.equal((await change(adaStream)).data.item.sku, 'tea');
      const bobs = await change(bobStream);
      assert.equal(bobs.data.item.sku, 'milk', 'bob\'s first change is his own: ada\'s never reached him');
      bobStream.close();
      const resumed = await openStream(http('/notices'), { ...bob, 'last-event-id': '0' });
      try {
        const again = await change(resumed);
        assert.deepEqual([again.id, again.data.item.sku], [bobs.id, 'milk'], 'resuming from the start, bob is sent his own change only');
      } finally {
        resumed.close();
      }
    } finally {
      adaStream.close();
      bobStream.close();
    }
  });

  it('a seed file is read at load; an unreadable or broken seed, or an unknown collection, is a configuration error', async () => {
    const dir = tempDir('mockwave-collections-');
    writeFileSync(join(dir, 'orders.json'), JSON.stringify([{ sku: 'a', name: 'first' }]));
    writeFileSync(join(dir, 'broken.json'), JSON.stringify([{ name: 'no id' }]));
    const route = (name: string) => ({ http: { collections: { [name]: { file: `${name}.json`, id: 'sku' } }, routes: [{ path: '/x', then: [{ collection: name }] }] } });
    const { http } = await startServer(route('orders'), { baseDir: dir });
    assert.deepEqual(await (await fetch(http('/x'))).json(), [{ sku: 'a', name: 'first' }]);
    const created = await (await fetch(http('/x'), { method: 'POST', ...json({ name: 'second' }) })).json() as { sku: string };
    assert.match(created.sku, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'ids that are not numbers: a UUID');

    const problem = async (config: object): Promise<string> => {
      try {
        const server = createMockServer(config, { baseDir: dir });
        await server.stop();
        return 'started';
      } catch (error) {
        return (error as { details?: string[] }).details?.join('; ') ?? String(error);
      }
    };
    assert.match(await problem(route('broken')), /http\.collections\.broken\.file: item 0 has no sku/);
    assert.match(await problem(route('missing')), /http\.collections\.missing\.file: missing\.json cannot be read as JSON/);
    assert.match(await problem({ http: { routes: [{ path: '/x', then: [{ collection: 'nope' }] }] } }), /then\[0\]\.collection: no collection nope in http\.collections/);
    assert.match(await problem({ http: { collections: { a: { publish: [{ stream: 'none' }] } } } }), /http\.collections\.a\.publish\[0\]/);
    assert.match(await problem({ http: { routes: [{ path: '/x', then: [{ disconnect: { endpoint: '/nope' } }, { respond: {} }] }] } }), /http\.routes\[0\] \(ANY \/x\)\.then\[0\]\.disconnect: /);
    assert.match(await problem({ http: { routes: [{ path: '/x', then: [{ disconnect: { reason: 'é'.repeat(62) } }, { respond: {} }] }] } }), /disconnect\.reason: at most 123 bytes/);
  });
});
