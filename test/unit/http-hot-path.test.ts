/**
 * The HTTP side's hot path (src/http/routes.ts, request.ts, respond.ts): a request to a route that only
 * responds is answered with no promise made (without a body in the turn it arrived); the request's parts are made
 * only as read; the body's JSON is read for templates only when one may read it (src/templates/reads.ts).
 */
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { HttpRoutes, httpRouteSchema, type HttpRoutesOptions } from '../../src/http/index.ts';
import { RequestView } from '../../src/http/request.ts';
import { createLogger } from '../../src/log/logger.ts';
import { mayRead } from '../../src/templates/index.ts';
import { acceptedTarget } from '../../src/util/request-target.ts';
import { testHttpHost } from '../helpers/http-host.ts';

const servers: Server[] = [];
after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

function routesOf(routes: unknown[], options: Partial<HttpRoutesOptions> = {}): HttpRoutes {
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
      ...options,
    },
  );
}

/**
 * Serves `routes`; for each request, the promises made from handle() until its answer has finished (a
 * process-wide count: the client below makes none, being a raw socket).
 */
async function serve(routes: HttpRoutes): Promise<{ url: string; port: number; calls: { promises: number }[] }> {
  const calls: { promises: number }[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const call = { promises: 0 };
    const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && call.promises++) }).enable();
    response.on('finish', () => hook.disable());
    routes.handle(request, response, acceptedTarget(request));
    calls.push(call);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, calls };
}

/** One request over a raw socket, with callbacks only; its answer's status line. */
function rawRequest(port: number, head: string, body = ''): Promise<string> {
  let resolve: (answer: string) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  const socket = connect(port, '127.0.0.1', () => socket.end(`${head}\r\nHost: x\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  socket.on('error', reject);
  socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
  socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
  return promise;
}

describe('the HTTP hot path', () => {
  it('a GET to a route that only responds is answered in the turn it arrived, and a POST once its body is read: no promise made', async () => {
    const { port, calls } = await serve(routesOf([{ path: '/api/orders/:id', then: [{ respond: { body: { id: '{{request.params.id}}', qty: '{{int 1 10}}', got: '{{request.body.n}}', at: '{{now}}' } } }] }]));
    assert.equal(await rawRequest(port, 'GET /api/orders/42 HTTP/1.1'), 'HTTP/1.1 200 OK');
    assert.equal(await rawRequest(port, 'POST /api/orders/42 HTTP/1.1\r\nContent-Type: application/json', '{"n":7}'), 'HTTP/1.1 200 OK');
    assert.deepEqual(calls, [{ promises: 0 }, { promises: 0 }], 'promises made while each request was answered');
  });

  it('a request with a body, or a step that waits, is answered later, and still answered', async () => {
    const { url } = await serve(routesOf([{ path: '/echo', then: [{ respond: { body: { got: '{{request.body.n}}' } } }] }, { path: '/slow', then: [{ delay: 1 }, { respond: { status: 204 } }] }]));
    const echoed = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":7}', signal: AbortSignal.timeout(5000) });
    assert.deepEqual(await echoed.json(), { got: 7 });
    assert.equal((await fetch(`${url}/slow`, { signal: AbortSignal.timeout(5000) })).status, 204);
  });

  it('a fault while answering a request whose body was read is logged and ends that request, not the process', async () => {
    const out = new PassThrough();
    let logged = '';
    out.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    let finishes = 0;
    const routes = routesOf([{ path: '/x', then: [{ respond: { body: { ok: true } } }] }], {
      logger: createLogger({ level: 'error', out }),
      // The count of an answered request: failing on the first, as a bug would.
      count: () => {
        finishes += 1;
        if (finishes === 1) throw new Error('counting failed');
      },
    });
    const { port } = await serve(routes);
    await rawRequest(port, 'POST /x HTTP/1.1', '{"n":1}');
    assert.match(logged, /Answering an HTTP request failed: counting failed/);
    assert.equal(await rawRequest(port, 'POST /x HTTP/1.1', '{"n":2}'), 'HTTP/1.1 200 OK', 'the server answers the next request');
  });

  it('a route whose templates never read the body does not read its JSON; one that may, does', async () => {
    const { url } = await serve(routesOf([{ path: '/plain', then: [{ respond: { body: { ok: true } } }] }, { path: '/whole', then: [{ respond: { body: '{{json request}}' } }] }]));
    const post = (path: string): Promise<Response> => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"secret":1}', signal: AbortSignal.timeout(5000) });
    assert.deepEqual(await (await post('/plain')).json(), { ok: true });
    assert.deepEqual(((await (await post('/whole')).json()) as { body: unknown }).body, { secret: 1 });
  });


  it('a route whose templates never read the query makes no URL for a target with one; one that may, reads it', async (t) => {
    const { url } = await serve(routesOf([{ path: '/plain', then: [{ respond: { body: { ok: true } } }] }, { path: '/asks', then: [{ respond: { body: { q: '{{request.query.q}}' } } }] }]));
    // Counts the URLs made in this process from a bare target (`/plain?q=7`, against a base), as the
    // server makes them; fetch makes its own from the whole address, which are not counted.
    let made = 0;
    const Real = globalThis.URL;
    class Counted extends Real {
      constructor(...args: ConstructorParameters<typeof URL>) {
        super(...args);
        if (String(args[0]).startsWith('/')) made += 1;
      }
    }
    const get = async (path: string): Promise<{ body: unknown; made: number }> => {
      const before = made;
      const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
      return { body: await response.json(), made: made - before };
    };
    t.after(() => void (globalThis.URL = Real));
    globalThis.URL = Counted;
    const asks = await get('/asks?q=7');
    const skips = await get('/plain?q=7');
    globalThis.URL = Real;
    assert.deepEqual(asks.body, { q: '7' });
    assert.deepEqual(skips.body, { ok: true });
    assert.deepEqual([asks.made, skips.made], [1, 0], 'URLs made from the target when the query is read, and when it is not');
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
    const view = new RequestView(raw, acceptedTarget({ url: '/p?z=1' } as IncomingMessage), Buffer.alloc(0));
    assert.deepEqual({ ...view.query }, { z: '1' });
    assert.deepEqual({ ...view.cookies }, { a: '1', b: '2' });
    assert.equal(view.headers['set-cookie'], 'p, q');
    const plain = new RequestView({ method: 'GET', headers: { host: 'x' } } as unknown as IncomingMessage, acceptedTarget({ url: '/p' } as IncomingMessage), Buffer.alloc(0));
    assert.deepEqual({ ...plain.query }, {});
    assert.deepEqual({ ...plain.cookies }, {});
    assert.equal(plain.headers['host'], 'x');
  });
});
