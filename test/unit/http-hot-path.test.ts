/**
 * The HTTP side's hot path (src/http/routes.ts, request.ts, respond.ts): a request without a body to a route
 * that only responds is answered in the turn it arrived, with no promise made; the request's parts are made
 * only as read; the body's JSON is read for templates only when one may read it (src/templates/reads.ts).
 */
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { HttpRoutes, httpRouteSchema } from '../../src/http/index.ts';
import { RequestView } from '../../src/http/request.ts';
import { createLogger } from '../../src/log/logger.ts';
import { mayRead } from '../../src/templates/index.ts';
import { testHttpHost } from '../helpers/http-host.ts';

const servers: Server[] = [];
after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

function routesOf(routes: unknown[]): HttpRoutes {
  const host = testHttpHost(process.cwd());
  const clock = host.clock;
  return new HttpRoutes(
    routes.map((r) => httpRouteSchema.parse(r)),
    host,
    {
      fallback: undefined,
      limits: { maxBytes: 1e6 },
      cors: { origins: [], credentials: false },
      logger: createLogger({ level: 'error', out: new PassThrough() }),
      now: () => clock.now(),
      meta: () => ({ timestamp: new Date(0).toISOString(), requestId: 'r' }),
      count: () => undefined,
    },
  );
}

/** Serves `routes`; each request's handle() result and the promises made while it ran. */
async function serve(routes: HttpRoutes): Promise<{ url: string; calls: { returned: unknown; promises: number }[] }> {
  const calls: { returned: unknown; promises: number }[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let promises = 0;
    const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) }).enable();
    const returned = routes.handle(request, response, new URL(request.url ?? '/', 'http://x'));
    hook.disable();
    calls.push({ returned, promises });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

describe('the HTTP hot path', () => {
  it('a GET to a route that only responds is answered in the turn it arrived: no promise made', async () => {
    const { url, calls } = await serve(routesOf([{ method: 'GET', path: '/api/orders/:id', then: [{ respond: { body: { id: '{{request.params.id}}', qty: '{{int 1 10}}', at: '{{now}}' } } }] }]));
    const response = await fetch(`${url}/api/orders/42`, { signal: AbortSignal.timeout(5000) });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { id: string }).id, '42');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.returned, undefined, 'handle() returned a promise');
    assert.equal(calls[0]?.promises, 0, 'promises made while the route answered');
  });

  it('a request with a body, or a step that waits, is answered later, and still answered', async () => {
    const { url, calls } = await serve(routesOf([{ path: '/echo', then: [{ respond: { body: { got: '{{request.body.n}}' } } }] }, { path: '/slow', then: [{ delay: 1 }, { respond: { status: 204 } }] }]));
    const echoed = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":7}', signal: AbortSignal.timeout(5000) });
    assert.deepEqual(await echoed.json(), { got: 7 });
    assert.equal((await fetch(`${url}/slow`, { signal: AbortSignal.timeout(5000) })).status, 204);
    assert.ok(calls.every((c) => c.returned instanceof Promise));
  });

  it('a route whose templates never read the body does not read its JSON; one that may, does', async () => {
    const { url } = await serve(routesOf([{ path: '/plain', then: [{ respond: { body: { ok: true } } }] }, { path: '/whole', then: [{ respond: { body: '{{json request}}' } }] }]));
    const post = (path: string): Promise<Response> => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"secret":1}', signal: AbortSignal.timeout(5000) });
    assert.deepEqual(await (await post('/plain')).json(), { ok: true });
    assert.deepEqual(((await (await post('/whole')).json()) as { body: unknown }).body, { secret: 1 });
  });
});

describe('which templates may read a path (mayRead)', () => {
  const body = ['request', 'body'];
  it('reads through the path, the whole root, a block that moves the context, and helpers\' arguments', () => {
    for (const reads of ['{{request.body.id}}', '{{request.body}}', '{{request}}', '{{json request}}', '{{json request.body}}', 'x {{upper (lookup request "body")}}', '{{#with request}}{{body.id}}{{/with}}', '{{#each request.headers}}{{../request.body}}{{/each}}', '{{this}}', '{{@root.request}}', '{{#if request.body}}y{{/if}}', '{{ bad']) {
      assert.equal(mayRead({ a: [reads] }, body), true, reads);
    }
  });
  it('does not for paths elsewhere, helpers alone, or text', () => {
    for (const not of ['{{request.params.id}}', '{{request.headers.x}}', '{{uuid}}', '{{int 1 10}}', '{{now}}', 'body', 'request.body', '{{#if request.query.a}}b{{/if}}', '{{message.body}}']) {
      assert.equal(mayRead({ a: [not] }, body), false, not);
    }
  });
});

describe('the request view', () => {
  it('makes query, headers and cookies when read, from Node\'s own headers; a client\'s set-cookie list is joined', () => {
    const raw = { method: 'GET', headers: { host: 'x', cookie: 'a=1; b=2', 'set-cookie': ['p', 'q'] } } as unknown as IncomingMessage;
    const view = new RequestView(raw, new URL('http://x/p?z=1'), Buffer.alloc(0));
    assert.deepEqual({ ...view.query }, { z: '1' });
    assert.deepEqual({ ...view.cookies }, { a: '1', b: '2' });
    assert.equal(view.headers['set-cookie'], 'p, q');
    const plain = new RequestView({ method: 'GET', headers: { host: 'x' } } as unknown as IncomingMessage, new URL('http://x/p'), Buffer.alloc(0));
    assert.deepEqual({ ...plain.query }, {});
    assert.deepEqual({ ...plain.cookies }, {});
    assert.equal(plain.headers['host'], 'x');
  });
});
