/**
 * The route table's answers when no route answers, and its bookkeeping (issue 25, item 8: survivors of the
 * mutation run of src/http/routes.ts): the 404's closest routes in order and its words, a JSON body that is
 * empty (no note) or broken (a note, logged once per path), a preflight's methods with and without a fallback,
 * the fallback's failures logged unless the client caused them, a route at `/`, and
 * removing a route that is not there. Real server on port 0, fetch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLog } from '../helpers/log-capture.ts';
import { startServer } from '../helpers/server.ts';

const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

type Refused = { error: { code: string; message: string }; closest?: string[] };

const TABLE = {
  http: {
    routes: [
      { name: 'orders', method: 'GET', path: '/api/orders', then: [{ respond: { body: 'orders' } }] },
      { name: 'order', method: ['GET', 'PUT'], path: '/api/orders/:id', then: [{ respond: { body: 'one' } }] },
      { name: 'vip', path: '/api/users', when: { query: { vip: 'yes' } }, then: [{ respond: { body: 'vip' } }] },
      { name: 'zebra', method: 'GET', path: '/zebra', then: [{ respond: { body: 'z' } }] },
    ],
  },
};

describe('the route table', () => {
  it('a 404 names the three closest routes, most alike first, with their methods and conditions', async () => {
    const { http } = await startServer(TABLE);
    const missing = (await (await fetch(http('/api/order'))).json()) as Refused;
    assert.equal(missing.error.message, 'No HTTP route for GET /api/order');
    // Alike by leading segments, then by how many segments differ; equals in the table's order (most specific first).
    assert.deepEqual(missing.closest, ['GET /api/orders', 'ANY /api/users (with conditions)', 'GET,PUT /api/orders/:id']);
    const deeper = (await (await fetch(http('/api/orders/7/items'))).json()) as Refused;
    assert.equal(deeper.closest?.[0], 'GET,PUT /api/orders/:id');
    const wrongQuery = (await (await fetch(http('/api/users?vip=no'))).json()) as Refused;
    assert.equal(wrongQuery.error.message, 'No HTTP route for GET /api/users: the routes on this path did not match its query, headers, cookies or body');
  });

  it('an empty JSON body gets no note; a broken one does, and is logged once per path', async () => {
    const log = captureLog('info');
    const { http } = await startServer(TABLE, { logger: log.logger });
    const empty = (await (await fetch(http('/nowhere'), { method: 'POST', headers: { 'content-type': 'application/json' } })).json()) as Refused;
    assert.equal(empty.error.message, 'No HTTP route for POST /nowhere');
    for (let i = 0; i < 3; i++) {
      const broken = (await (await fetch(http('/nowhere'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })).json()) as Refused;
      assert.match(broken.error.message, /^No HTTP route for POST \/nowhere \(its body is not valid JSON: /);
    }
    await log.waitFor(/no route matched \(its body is not valid JSON/);
    assert.equal(log.lines.filter((line) => /no route matched/.test(line)).length, 1, 'logged once for the path');
    assert.equal(log.lines.filter((line) => /POST \/nowhere/.test(line) && !/not valid JSON/.test(line)).length, 0, 'the empty body is not logged');
  });

  it('a preflight is answered with the path\'s methods; with a fallback, or a route of any method, with all of them', async () => {
    const preflight = async (url: string): Promise<string | null> => (await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PUT' } })).headers.get('access-control-allow-methods');
    const plain = await startServer(TABLE);
    assert.equal(await preflight(plain.http('/api/orders/7')), 'GET, PUT');
    assert.match((await preflight(plain.http('/api/users'))) ?? '', /^GET, HEAD, POST, PUT, PATCH, DELETE/);
    const fallback = await startServer({ http: { ...TABLE.http, fallback: 'http://127.0.0.1:1/' } });
    assert.match((await preflight(fallback.http('/api/orders/7'))) ?? '', /^GET, HEAD, POST, PUT, PATCH, DELETE/);
  });

  it('the fallback\'s failures are logged, except those the client caused', async () => {
    const log = captureLog('info');
    const { http } = await startServer({ http: { fallback: 'http://127.0.0.1:1/' } }, { logger: log.logger });
    const warned = (): number => log.lines.filter((line) => /http\.fallback: /.test(line)).length;
    assert.equal((await fetch(http('/dead'))).status, 502);
    await log.waitFor(/http\.fallback: /);
    assert.equal((await fetch(http('/a/..%2f..%2fetc'))).status, 400);
    // Logged (or not) before the answer was written: the count is final once the answer is in.
    assert.equal(warned(), 1, 'the client\'s bad path is not the upstream\'s failure');
    assert.equal((await fetch(http('/alive'))).status, 502, 'answered after the refusal');
    assert.equal(warned(), 2);
  });

  it('a route at / answers there (the dashboard off); removing a route that is not there names those that are', async () => {
    const { http } = await startServer({ dashboard: { enabled: false }, http: { routes: [{ name: 'home', method: 'GET', path: '/', then: [{ respond: { body: 'home' } }] }] } });
    assert.equal(await (await fetch(http('/'))).text(), 'home');
    const gone = await fetch(http('/admin/http/routes/nope'), { method: 'DELETE' });
    assert.equal(gone.status, 404);
    assert.deepEqual(((await gone.json()) as Refused).error, { code: 'MW_UNKNOWN_HTTP_ROUTE', message: 'No HTTP route named "nope" (routes: home)' });
    assert.equal((await fetch(http('/admin/http/routes/home'), { method: 'DELETE' })).status, 200);
    const none = await fetch(http('/admin/http/routes/home'), { method: 'DELETE' });
    assert.equal(((await none.json()) as Refused).error.message, 'No HTTP route named "home" (routes: none)');
    const root = await fetch(http('/'));
    assert.notEqual(await root.text(), 'home', 'with no route at /, not the route');
    await fetch(http('/admin/http/routes'), { method: 'POST', ...json({ name: 'again', method: 'GET', path: '/', then: [{ respond: { body: 'again' } }] }) });
    assert.equal(await (await fetch(http('/'))).text(), 'again');
  });
});
