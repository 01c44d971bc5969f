/**
 * Asking the journal questions (src/journal/match.ts, verify.ts; src/server/journal-admin.ts,
 * journal-library.ts): find, verify with a count or an order, wait for what has not happened yet, through the
 * admin API and the library, with the near-miss report naming the part that differs; and two tests sharing
 * one server in parallel, each in its own scope, seeing only their own traffic.
 */
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

interface Miss {
  entry: { seq: number; kind: string };
  mismatches: { field: string; expected: unknown; actual: unknown }[];
}

/** POSTs `body` to an admin path; the status and the parsed answer. */
async function post(http: (path: string) => string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> & { data?: Record<string, unknown>; error?: { code: string; message: string }; closest?: Miss[] } }> {
  const response = await fetch(http(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const echo = { path: '/ws', dialect: 'raw' as const, rules: [{ when: { type: 'order' }, then: [{ reply: { type: 'accepted', id: '{{message.id}}' } }] }] };

describe('asking the journal', () => {
  it('verify: 200 with what matched; 417 naming the closest entries and, in each, the part that differs', async () => {
    const { ws, http } = await startServer({ journal: { enabled: true }, endpoints: [echo] });
    const client = await wsConnect(ws('/ws'));
    client.send({ type: 'order', id: 'A1', qty: 2 });
    await client.next();
    const held = await post(http, '/admin/verify', { match: { direction: 'in', message: { type: 'order', id: 'A1' } }, count: 1 });
    assert.equal(held.status, 200, JSON.stringify(held.body));
    assert.equal((held.body.data?.['matched'] as number), 1);
    const missed = await post(http, '/admin/verify', { match: { direction: 'in', message: { type: 'order', id: 'B2' } } });
    assert.equal(missed.status, 417);
    assert.equal(missed.body.error?.code, 'MW_VERIFY_FAILED');
    assert.match(missed.body.error?.message ?? '', /expected at least 1 matching entry, found 0/);
    const closest = missed.body.closest?.[0];
    assert.deepEqual(closest?.mismatches, [{ field: 'message', expected: { type: 'order', id: 'B2' }, actual: { type: 'order', id: 'A1', qty: 2 } }], 'the client\'s own order is the closest: only its message differs');
    const tooMany = await post(http, '/admin/verify', { match: { protocol: 'websocket' }, atMost: 1 });
    assert.equal(tooMany.status, 417);
    assert.ok(Array.isArray(tooMany.body['entries']) && (tooMany.body['entries'] as unknown[]).length > 1, 'too many: the matched entries are shown');
  });

  it('verify an order: held, or which step failed and that its entry came too early', async () => {
    const { ws, http } = await startServer({ journal: { enabled: true }, endpoints: [echo] });
    const client = await wsConnect(ws('/ws'));
    for (const id of ['1', '2']) {
      client.send({ type: 'order', id });
      await client.next();
    }
    const inOrder = await post(http, '/admin/verify', { order: [{ message: { id: '1' }, direction: 'in' }, { message: { id: '1' }, direction: 'out' }, { message: { id: '2' }, direction: 'in' }] });
    assert.equal(inOrder.status, 200, JSON.stringify(inOrder.body));
    const outOfOrder = await post(http, '/admin/verify', { order: [{ message: { id: '2' }, direction: 'in' }, { message: { id: '1' }, direction: 'in' }] });
    assert.equal(outOfOrder.status, 417);
    assert.match(outOfOrder.body.error?.message ?? '', /order\[1\] matched no entry after the entry step 0 matched .*out of order/);
  });

  it('HTTP: find by method, path pattern, query, headers and body; a near miss names the method', async () => {
    const { http } = await startServer({ journal: { enabled: true }, endpoints: [], http: { routes: [{ path: '/api/orders/:id', then: [{ respond: { status: 202 } }] }] } });
    await fetch(http('/api/orders/7?express=yes'), { method: 'PUT', headers: { 'content-type': 'application/json', 'x-client': 'shop-2' }, body: '{"qty":3}', signal: AbortSignal.timeout(5000) });
    const found = await post(http, '/admin/journal/find', { match: { method: 'put', path: '/api/orders/:id', query: { express: 'yes' }, headers: { 'X-Client': '^shop-' }, body: { qty: 3 }, status: 202 } });
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal((found.body.data?.['entries'] as unknown[]).length, 1);
    const missed = await post(http, '/admin/verify', { match: { method: 'POST', path: '/api/orders/:id', body: { qty: 3 } } });
    assert.deepEqual(missed.body.closest?.[0]?.mismatches.map((m) => [m.field, m.expected, m.actual]), [['method', 'POST', 'PUT']]);
  });

  it('wait: holds until a matching entry arrives; 417 with the near misses when none does in time', async () => {
    const { ws, http } = await startServer({ journal: { enabled: true }, endpoints: [echo] });
    const client = await wsConnect(ws('/ws'));
    const waiting = post(http, '/admin/wait', { match: { direction: 'in', message: { type: 'order', id: 'late' } }, timeout: 10_000 });
    // The wait is held before the message is sent: the server's answer can only come from the entry made later.
    client.send({ type: 'hello' });
    await new Promise((resolve) => setImmediate(resolve));
    client.send({ type: 'order', id: 'late' });
    const held = await waiting;
    assert.equal(held.status, 200, JSON.stringify(held.body));
    assert.deepEqual((held.body.data?.['entry'] as { json: unknown }).json, { type: 'order', id: 'late' });
    const timedOut = await post(http, '/admin/wait', { match: { direction: 'in', message: { type: 'never' } }, timeout: 50 });
    assert.equal(timedOut.status, 417);
    assert.equal(timedOut.body.error?.code, 'MW_WAIT_TIMED_OUT');
    assert.ok((timedOut.body.closest ?? []).length > 0);
    const wrong = await post(http, '/admin/wait', { match: { direction: 'sideways' } });
    assert.deepEqual([wrong.status, wrong.body.error?.code], [400, 'MW_BAD_REQUEST']);
    assert.match(wrong.body.error?.message ?? '', /match\.direction/);
  });

  it('the library: verify throws an AssertionError showing the near misses; waitFor, waitForClient and reset', async () => {
    const { ws, server } = await startServer({ journal: { enabled: true }, endpoints: [echo] });
    const connecting = server.waitForClient({ endpoint: '/ws', scope: 'lib' });
    const client = await wsConnect(ws('/ws?scope=lib'));
    const id = await connecting;
    const arriving = server.waitFor({ message: { type: 'order' } }, { direction: 'in', client: id, timeout: 10_000 });
    client.send({ type: 'order', id: 'Z', password: 'hunter2' });
    assert.deepEqual((await arriving).json, { type: 'order', id: 'Z', password: '***' }, 'what is shown is masked');
    await client.next();
    assert.equal(server.verify({ direction: 'in', message: { id: 'Z' } }, { scope: 'lib', count: 1 }).matched, 1);
    assert.throws(
      () => server.verify({ direction: 'in', message: { id: 'Y' } }, { scope: 'lib' }),
      (error: unknown) => error instanceof AssertionError && /found 0/.test(error.message) && /message: expected \{"id":"Y"\}, was \{"type":"order","id":"Z","password":"\*\*\*"\}/.test(error.message),
    );
    await assert.rejects(server.waitFor({ message: { id: 'never' } }, { timeout: 30 }), /waitFor: no matching entry within 30 ms/);
    server.reset({ scope: 'lib' });
    assert.equal(server.journal({ scope: 'lib' }).entries.length, 0);
  });

  it('two tests in parallel on one server, each in its own scope, see only their own traffic', async () => {
    const { ws, server } = await startServer({ journal: { enabled: true }, endpoints: [echo] });
    const oneTest = async (scope: string, orders: number): Promise<void> => {
      const client = await wsConnect(ws(`/ws?scope=${scope}`));
      for (let n = 0; n < orders; n++) {
        client.send({ type: 'order', id: `${scope}-${n}` });
        await client.next();
      }
      server.verify({ direction: 'in', message: { type: 'order' } }, { scope, count: orders });
      server.verify({ direction: 'out', message: { type: 'accepted' } }, { scope, count: orders });
      assert.ok(server.journal({ scope }).entries.every((e) => e.scope === scope));
      await client.close();
    };
    await Promise.all([oneTest('file-a', 3), oneTest('file-b', 5)]);
    server.verify({ direction: 'in', message: { type: 'order' } }, { count: 8 });
  });
});
