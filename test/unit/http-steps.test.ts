/**
 * The HTTP side's steps (src/http/steps.ts) on their own, each compiled from its definition and run for real
 * requests to a node:http server on port 0, with a host that records what the steps asked of it: respond,
 * delay (and 499 for a client that left while it waited), publish, forward, and sequence per caller.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { httpRouteSchema } from '../../src/http/index.ts';
import { readBody } from '../../src/http/body.ts';
import { RequestView } from '../../src/http/request.ts';
import { answerRequest, compileSteps, type HttpHost } from '../../src/http/steps.ts';
import type { PublishTarget } from '../../src/steps/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { testHttpHost } from '../helpers/http-host.ts';
import { waitUntil } from '../helpers/wait.ts';
import { acceptedTarget } from '../../src/util/request-target.ts';

const bodyOf = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => readBody(request, { maxBytes: 1e6 }, undefined, (_, body, error) => (body === undefined ? reject(error) : resolve(body))));

const servers: Server[] = [];
after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const FILES = { dir: join(ROOT, 'examples/http'), label: 'the configuration\'s folder', hideEnv: false };

/** A server answering every request with one route's steps; what each run ended with and what the host was asked. */
async function serve(then: unknown[]) {
  const published: PublishTarget[] = [];
  const waits: number[] = [];
  const statuses: (number | undefined)[] = [];
  const host: HttpHost = testHttpHost(FILES.dir, {
    // A real wait: `ms` on a timer, or false as soon as the client goes away.
    wait: (response: ServerResponse, ms: number) =>
      new Promise<boolean>((resolve) => {
        waits.push(ms);
        const timer = setTimeout(() => resolve(!response.destroyed), ms);
        response.once('close', () => {
          clearTimeout(timer);
          resolve(false);
        });
      }),
    publish: (target) => published.push(target),
  });
  const steps = compileSteps(httpRouteSchema.parse({ path: '/x', then }).then, FILES, '');
  const url = await listen(
    createServer((request, response) => {
      void (async () => {
        const view = new RequestView(request, acceptedTarget(request), await bodyOf(request));
        const context = { request: { method: view.method, path: view.path, params: {}, query: view.query, headers: view.headers, cookies: view.cookies, body: view.body.isJson ? view.body.value : view.body.text } };
        try {
          statuses.push(await answerRequest(steps, { view, response, context, host, route: 'r', source: 'route:r', sent: undefined }));
        } catch (error) {
          statuses.push(undefined);
          response.writeHead(500).end(String(error));
        }
      })();
    }),
  );
  return { url, published, waits, statuses };
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: response.status, text: await response.text() };
}

describe('HTTP steps', () => {
  it('respond answers with its status and rendered body (JSON or text); HEAD gets the head only', async () => {
    const json = await serve([{ respond: { status: 201, headers: { 'x-id': '{{request.query.id}}' }, body: { id: '{{request.query.id}}' } } }]);
    const response = await fetch(`${json.url}/x?id=7`, { signal: AbortSignal.timeout(5000) });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-id'), '7');
    assert.deepEqual(await response.json(), { id: '7' });
    assert.deepEqual(await call(`${json.url}/x?id=8`, { method: 'HEAD' }), { status: 201, text: '' });
    assert.deepEqual(json.statuses, [201, 201]);
    const text = await serve([{ respond: { body: 'pong' } }]);
    assert.deepEqual(await call(text.url), { status: 200, text: 'pong' });
  });

  it('respond sends a file from its folder, and a missing one is refused when the step is compiled', async () => {
    const file = await serve([{ respond: { file: 'index.html' } }]);
    assert.match((await call(file.url)).text, /<html/i);
    assert.throws(
      () => compileSteps(httpRouteSchema.parse({ path: '/x', then: [{ respond: { file: 'missing.json' } }] }).then, FILES, 'http.routes[3]'),
      (error: Error) => /^http\.routes\[3\]\.then\[0\]\.respond\.file: missing\.json does not exist/.test(error.message),
    );
  });

  it('delay waits its time, then the next step answers', async () => {
    const delayed = await serve([{ delay: 30 }, { respond: { status: 204 } }]);
    assert.equal((await call(delayed.url)).status, 204);
    assert.deepEqual(delayed.waits, [30]);
    assert.deepEqual(delayed.statuses, [204]);
  });

  it('a client that leaves during a delay is not answered: the run ends with 499', async () => {
    const delayed = await serve([{ delay: 60_000 }, { respond: { status: 200 } }]);
    const gone = new Promise<void>((resolve) => {
      const req = httpRequest(`${delayed.url}/x`, () => undefined);
      req.on('error', () => resolve());
      req.end();
      void waitUntil(() => delayed.waits.length === 1, 5000, 'the delay').then(() => req.destroy());
    });
    await gone;
    await waitUntil(() => delayed.statuses.length === 1, 5000, 'the run to end');
    assert.deepEqual(delayed.statuses, [499]);
  });

  it('publish hands the host the one shape, its data rendered with the request; the next step answers', async () => {
    const route = await serve([
      { publish: { stream: 'orders', data: { symbol: '{{request.body.symbol}}' } } },
      { publish: { endpoint: '/ws', message: 'new order' } },
      { publish: 'ticks' },
      { respond: { status: 202 } },
    ]);
    assert.equal((await call(route.url, { method: 'POST', body: '{"symbol":"ACME"}', headers: { 'content-type': 'application/json' } })).status, 202);
    assert.deepEqual(route.published, [{ stream: 'orders', data: { symbol: 'ACME' } }, { endpoint: '/ws', data: 'new order' }, { stream: 'ticks' }]);
  });

  it('forward answers with what the API answers', async () => {
    const api = await listen(createServer((request, response) => response.writeHead(203, { 'content-type': 'text/plain' }).end(`api saw ${request.method} ${request.url}`)));
    const route = await serve([{ forward: `${api}/v1` }]);
    assert.deepEqual(await call(`${route.url}/x?q=1`), { status: 203, text: 'api saw GET /v1/x?q=1' });
    assert.deepEqual(route.statuses, [203]);
  });

  it('sequence answers each caller with its own next list, then repeats the last or loops', async () => {
    const lists = [[{ respond: { status: 201 } }], [{ delay: 1 }, { respond: { status: 202 } }]];
    const perUser = await serve([{ sequence: { per: 'header:x-user', steps: lists } }]);
    const as = async (user: string): Promise<number> => (await call(perUser.url, { headers: { 'x-user': user } })).status;
    assert.deepEqual([await as('ann'), await as('bob'), await as('ann'), await as('ann'), await as('bob')], [201, 201, 202, 202, 202]);
    const looping = await serve([{ sequence: { then: 'loop', steps: lists } }]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(looping.url)).status);
    assert.deepEqual(statuses, [201, 202, 201, 202], 'global: every caller counts, and the lists start again');
    const long = await call(perUser.url, { headers: { 'x-user': 'x'.repeat(300) } });
    assert.equal(long.status, 500);
    assert.match(long.text, /x-user that tells this sequence's callers apart is over 256 characters/);
  });
});
