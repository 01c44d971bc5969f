/**
 * State across protocols (issue 30): what an HTTP route's `setState` writes, a WebSocket rule's `state:`
 * condition and templates read; a route chosen by state; a client's own state; and two test scopes that do
 * not see each other. Real server on port 0, real clients (fetch, ws).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const config = {
  http: {
    routes: [
      { method: 'POST', path: '/api/login', then: [{ setState: { set: { loggedIn: true, user: '{{request.body.user}}' } } }, { respond: { status: 200, body: { user: '{{state.user}}' } } }] },
      { method: 'POST', path: '/api/logout', then: [{ setState: { delete: ['loggedIn', 'user'] } }, { respond: { status: 204 } }] },
      { name: 'cart (logged in)', method: 'GET', path: '/api/cart', state: 'loggedIn == true', then: [{ respond: { body: { owner: '{{state.user}}' } } }] },
      { name: 'cart (anonymous)', method: 'GET', path: '/api/cart', then: [{ respond: { status: 401, body: { error: 'log in first' } } }] },
    ],
  },
  endpoints: [
    {
      path: '/ws',
      dialect: 'guide' as const,
      rules: [
        { name: 'whoami, logged in', when: { type: 'whoami' }, state: { loggedIn: true }, then: [{ reply: { type: 'me', user: '{{state.user}}' } }] },
        { name: 'whoami', when: { type: 'whoami' }, then: [{ reply: { type: 'anonymous' } }] },
        { name: 'bump', when: { type: 'bump' }, then: [{ setState: { scope: 'client' as const, increment: { n: 1 } } }, { reply: { type: 'bumped', n: '{{state.n}}' } }] },
      ],
    },
  ],
};

describe('state across protocols', () => {
  it('a login over HTTP changes what a WebSocket rule answers and which route answers, until logout', async () => {
    const { ws, http } = await startServer(config);
    const client = await wsConnect(ws('/ws'));
    try {
      client.send({ type: 'whoami' });
      assert.deepEqual(await client.nextOfType('anonymous'), { type: 'anonymous' });
      assert.equal((await fetch(http('/api/cart'))).status, 401);

      const login = await fetch(http('/api/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ada' }) });
      assert.deepEqual(await login.json(), { user: 'ada' }, 'a step after setState reads the new state');
      client.send({ type: 'whoami' });
      assert.deepEqual(await client.nextOfType('me'), { type: 'me', user: 'ada' });
      const cart = await fetch(http('/api/cart'));
      assert.equal(cart.status, 200);
      assert.deepEqual(await cart.json(), { owner: 'ada' });

      assert.equal((await fetch(http('/api/logout'), { method: 'POST' })).status, 204);
      client.send({ type: 'whoami' });
      assert.deepEqual(await client.nextOfType('anonymous'), { type: 'anonymous' });
      assert.equal((await fetch(http('/api/cart'))).status, 401);
    } finally {
      await client.close();
    }
  });

  it("a client's own state is its own, and goes when it leaves", async () => {
    const { ws, server } = await startServer(config);
    const first = await wsConnect(ws('/ws'));
    const second = await wsConnect(ws('/ws'));
    try {
      first.send({ type: 'bump' });
      assert.equal((await first.nextOfType<{ n: unknown }>('bumped')).n, 1);
      first.send({ type: 'bump' });
      assert.equal((await first.nextOfType<{ n: unknown }>('bumped')).n, 2);
      second.send({ type: 'bump' });
      assert.equal((await second.nextOfType<{ n: unknown }>('bumped')).n, 1);
      assert.equal(server.state.figures().scopes, 2);
    } finally {
      await first.close();
      await second.close();
    }
    await waitUntil(() => server.state.figures().scopes === 0, 5000, 'the clients\' state forgotten');
  });

  it('two test scopes do not see each other: a login in scope a is not one in scope b', async () => {
    const { ws, http } = await startServer(config);
    const inA = await wsConnect(ws('/ws?scope=a'));
    const inB = await wsConnect(ws('/ws?scope=b'));
    try {
      const login = await fetch(http('/api/login'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-mockwave-scope': 'a' }, body: JSON.stringify({ user: 'ada' }) });
      assert.equal(login.status, 200);
      inA.send({ type: 'whoami' });
      assert.deepEqual(await inA.nextOfType('me'), { type: 'me', user: 'ada' });
      inB.send({ type: 'whoami' });
      assert.deepEqual(await inB.nextOfType('anonymous'), { type: 'anonymous' });
      assert.equal((await fetch(http('/api/cart'), { headers: { 'x-mockwave-scope': 'b' } })).status, 401);
      assert.equal((await fetch(http('/api/cart'), { headers: { 'x-mockwave-scope': 'a' } })).status, 200);
      assert.equal((await fetch(http('/api/cart'))).status, 401, 'nor does a request that names no scope');
    } finally {
      await inA.close();
      await inB.close();
    }
  });

  it('is read, replaced, changed and forgotten through /admin/state, and counted in /metrics', async () => {
    const { ws, http } = await startServer(config);
    const admin = async (method: string, path: string, body?: unknown) => {
      const answer = await fetch(http(path), { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
      return { status: answer.status, json: (await answer.json()) as { data?: Record<string, unknown>; error?: { code: string; message: string } } };
    };
    assert.deepEqual((await admin('PUT', '/admin/state/global', { loggedIn: true, user: 'eve' })).json.data, { scope: 'global', state: { loggedIn: true, user: 'eve' } });
    const client = await wsConnect(ws('/ws'));
    try {
      client.send({ type: 'whoami' });
      assert.deepEqual(await client.nextOfType('me'), { type: 'me', user: 'eve' }, 'a rule sees what the admin API wrote');
    } finally {
      await client.close();
    }
    assert.deepEqual((await admin('PATCH', '/admin/state/scope:t1', { increment: { 'cart.items': 2 }, append: { 'cart.list': 'tea' } })).json.data, { scope: 'scope:t1', state: { cart: { items: 2, list: ['tea'] } } });
    assert.deepEqual((await admin('GET', '/admin/state/scope%3At1?key=cart.items')).json.data, { scope: 'scope:t1', key: 'cart.items', found: true, value: 2 });
    assert.deepEqual((await admin('GET', '/admin/state/scope:t1?key=cart.none')).json.data, { scope: 'scope:t1', key: 'cart.none', found: false, value: null });
    assert.equal((await admin('PUT', '/admin/state/scope:t1?key=cart.items', 5)).json.data?.['state'] !== undefined, true);
    assert.deepEqual((await admin('DELETE', '/admin/state/scope:t1?key=cart.list')).json.data, { scope: 'scope:t1', state: { cart: { items: 5 } } });
    const whole = (await admin('GET', '/admin/state')).json.data as { figures: { scopes: number; transitions: number }; scopes: { scope: string; keys: number }[]; global: unknown };
    assert.deepEqual(whole.global, { loggedIn: true, user: 'eve' });
    assert.deepEqual(whole.scopes.map((s) => [s.scope, s.keys]), [['global', 2], ['scope:t1', 1]]);
    assert.equal(whole.figures.transitions, 4, "the PUT, the PATCH, the PUT of a key and the DELETE of a key");
    const metrics = await (await fetch(http('/metrics'))).text();
    assert.match(metrics, /^mockwave_state_transitions_total\{store="memory"\} 4$/m);
    assert.match(metrics, /^mockwave_state_scopes\{store="memory"\} 1$/m);

    const unknown = await admin('GET', '/admin/state/nobody');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error?.code, 'MW_UNKNOWN_STATE_SCOPE');
    const refused = await admin('PATCH', '/admin/state/global', { set: { '__proto__.x': 1 } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error?.code, 'MW_STATE_REFUSED');
    assert.equal((await admin('PATCH', '/admin/state/global', { increment: { user: 1 } })).status, 400, 'an increment of text');
    assert.equal((await admin('PUT', '/admin/state/global', [1])).status, 400, 'a document is an object');

    assert.deepEqual((await admin('DELETE', '/admin/state/scope:t1')).json.data, { scope: 'scope:t1', state: {} });
    assert.deepEqual((await admin('DELETE', '/admin/state')).json.data, { reset: true });
    assert.deepEqual((await admin('GET', '/admin/state/global')).json.data, { scope: 'global', state: {} });
  });

  it('a scenario, as WireMock writes it, moves on a match and is the global state\'s scenarios.<name>', async () => {
    const { ws, http, server } = await startServer({
      http: {
        routes: [
          { name: 'pay', method: 'POST', path: '/api/checkout', scenario: 'checkout', requiredState: 'Started', newState: 'paid', then: [{ respond: { body: { status: 'paid' } } }] },
          { name: 'paid already', method: 'POST', path: '/api/checkout', scenario: 'checkout', requiredState: 'paid', then: [{ respond: { status: 409, body: { error: 'paid already' } } }] },
        ],
      },
      endpoints: [
        {
          path: '/ws',
          rules: [
            { when: { type: 'status' }, scenario: 'checkout', requiredState: 'paid', then: [{ reply: { type: 'status', status: 'paid' } }] },
            { when: { type: 'ship' }, scenario: 'checkout', requiredState: 'paid', newState: 'shipped', then: [{ reply: { type: 'shipped' } }] },
            { when: { type: 'status' }, then: [{ reply: { type: 'status', status: 'open' } }] },
          ],
        },
      ],
    });
    const client = await wsConnect(ws('/ws'));
    try {
      client.send({ type: 'status' });
      assert.equal((await client.nextOfType<{ status: string }>('status')).status, 'open');
      assert.equal((await fetch(http('/api/checkout'), { method: 'POST' })).status, 200);
      assert.equal((await fetch(http('/api/checkout'), { method: 'POST' })).status, 409);
      client.send({ type: 'status' });
      assert.equal((await client.nextOfType<{ status: string }>('status')).status, 'paid');
      assert.deepEqual(server.state.get('global'), { scenarios: { checkout: 'paid' } });
      client.send({ type: 'ship' });
      await client.nextOfType('shipped');
      assert.deepEqual(server.state.get('global'), { scenarios: { checkout: 'shipped' } }, 'a rule moves the scenario too');
      const routes = (await (await fetch(http('/admin/http/routes'))).json()) as { data: { routes: { name: string; explain: string }[] } };
      assert.match(routes.data.routes.find((r) => r.name === 'pay')?.explain ?? '', /in scenario checkout at Started -> setState set \{"scenarios\.checkout":"paid"\}/);
      await fetch(http('/admin/state/global?key=scenarios.checkout'), { method: 'DELETE' });
      assert.equal((await fetch(http('/api/checkout'), { method: 'POST' })).status, 200, 'back at Started once its state is forgotten');
    } finally {
      await client.close();
    }
  });

  it('refuses a configuration whose state paths or conditions cannot work', async () => {
    const { checkConfig } = await import('../../src/config/validate.ts');
    const bad = checkConfig({ endpoints: [{ path: '/ws', rules: [{ when: { type: 'x' }, state: { '__proto__.a': 1 }, then: [{ setState: { set: { 'a..b': 1 } } }] }] }] });
    assert.equal(bad.ok, false);
    const text = JSON.stringify(bad);
    assert.match(text, /__proto__/);
    assert.match(text, /an empty part/);
    const scenario = JSON.stringify(checkConfig({ http: { routes: [{ path: '/a', requiredState: 'x', then: [{ respond: {} }] }, { path: '/b', scenario: 'flow', then: [{ respond: {} }] }, { path: '/c', scenario: 'a.b', newState: 'x', then: [{ respond: {} }] }] } }));
    assert.match(scenario, /http\.routes\[0\]\.scenario: requiredState and newState need a scenario/);
    assert.match(scenario, /http\.routes\[1\]\.scenario: scenario flow: say requiredState, newState or both/);
    assert.match(scenario, /http\.routes\[2\]\.scenario: expected a scenario name of letters, digits, - and _/);
  });

  it('every change is journaled (protocol state): who made it, what, in which scope; a caller named by a secret cookie is shown by its hash only', async () => {
    const { http, server } = await startServer({
      journal: { enabled: true },
      stateStore: { caller: 'cookie:session' },
      http: {
        routes: [
          { method: 'POST', path: '/api/login', then: [{ setState: { scope: 'client' as const, set: { user: '{{request.body.user}}' } } }, { respond: { status: 204 } }] },
          { method: 'POST', path: '/api/visit', then: [{ setState: { increment: { visits: 1 } } }, { respond: { status: 204 } }] },
        ],
      },
    });
    const secret = 'sess-0123456789';
    await fetch(http('/api/login'), { method: 'POST', headers: { 'content-type': 'application/json', cookie: `session=${secret}` }, body: '{"user":"ada"}' });
    await fetch(http('/api/visit'), { method: 'POST', headers: { 'x-mockwave-scope': 't1' } });
    await fetch(http('/admin/state/global'), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"set":{"open":true}}' });
    const page = (await (await fetch(http('/admin/journal?protocol=state'))).json()) as { data: { entries: { kind: string; endpoint: string; reason: string; source: string; scope?: string; json?: unknown }[] } };
    const entries = page.data.entries.map(({ kind, endpoint, reason, source, scope, json }) => ({ kind, endpoint, reason, source, scope, json }));
    assert.equal(entries.length, 3);
    assert.match(entries[0]?.endpoint ?? '', /^caller:#[A-Za-z0-9_-]{43}$/, 'a session cookie names its caller by its hash');
    assert.deepEqual(entries.map((e) => [e.kind, e.reason, e.source, e.scope]), [['state', 'change', 'route:POST /api/login', undefined], ['state', 'change', 'route:POST /api/visit', 't1'], ['state', 'change', 'admin', undefined]]);
    assert.deepEqual(entries.slice(1).map((e) => [e.endpoint, e.json]), [['scope:t1', { increment: { visits: 1 } }], ['global', { set: { open: true } }]]);
    const shown = JSON.stringify([await (await fetch(http('/admin/journal'))).text(), await (await fetch(http('/admin/state'))).text(), server.state.list()]);
    assert.ok(!shown.includes(secret), 'the cookie\'s value is never shown');
    // A test scope's state changes go with its journal.
    server.reset({ scope: 't1' });
    const left = (await (await fetch(http('/admin/journal?protocol=state'))).json()) as { data: { entries: { endpoint: string }[] } };
    assert.deepEqual(left.data.entries.map((e) => e.endpoint).filter((e) => e.startsWith('scope:')), []);
  });

  it('a client\'s own state entries leave the journal following it (broadcasts it got are still its); a change is filed under the test scope of the run that made it', async () => {
    const { ws, http, server } = await startServer({
      journal: { enabled: true },
      stateStore: { caller: 'header:x-user' },
      endpoints: [{ path: '/ws', dialect: 'guide' as const, streams: [{ name: 'news', data: { n: 1 } }], rules: [{ when: { type: 'quiet bump' }, then: [{ setState: { scope: 'client' as const, increment: { n: 1 } } }] }] }],
      http: { routes: [{ method: 'POST', path: '/api/login', then: [{ setState: { scope: 'client' as const, set: { in: true } } }, { respond: { status: 204 } }] }] },
    });
    const client = await wsConnect(ws('/ws'));
    try {
      const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
      client.send({ type: 'subscribe', event: 'news' });
      await client.nextOfType('event');
      // A change with no reply after it: the state entry is the client's last before the broadcast.
      client.send({ type: 'quiet bump' });
      await waitUntil(() => server.state.get(`client:${clientId}`)?.['n'] === 1, 5000, 'the client\'s state to change');
      await fetch(http('/admin/websocket/streams/news/tick'), { method: 'POST' });
      await client.nextOfType('event');
      const mine = (await (await fetch(http(`/admin/journal?client=${clientId}`))).json()) as { data: { entries: { kind: string }[] } };
      const kinds = mine.data.entries.map((e) => e.kind);
      assert.ok(kinds.includes('state'), kinds.join(' '));
      assert.equal(kinds.filter((k) => k === 'broadcast').length, 1, `the broadcast it got after its state changed is still its: ${kinds.join(' ')}`);

      await fetch(http('/api/login'), { method: 'POST', headers: { 'x-user': 'ada', 'x-mockwave-scope': 't2' } });
      const t2 = (await (await fetch(http('/admin/journal?scope=t2&protocol=state'))).json()) as { data: { entries: { endpoint: string }[] } };
      assert.deepEqual(t2.data.entries.map((e) => e.endpoint), ['caller:ada'], 'a caller\'s change made in scope t2 is t2\'s');
    } finally {
      await client.close();
    }
  });
});
