/**
 * Every rule and every route says itself in one line, wherever mockwave shows it: the rule entries of
 * `GET /admin/websocket/stats`, each endpoint's `rules` in `GET /`, each route of `GET /admin/http/routes`
 * (routes added at run time too), and the banner. And the one `publish` shape, end to end: a route written
 * with the earlier `{ endpoint, message }` is listed in the one shape and still reaches every client.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runMockwave } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

interface Rule {
  name: string;
  explain: string;
  hits: number;
  failures: number;
}

async function data<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { data: T };
  assert.ok(response.ok, `${url}: ${response.status} ${JSON.stringify(body)}`);
  return body.data;
}

const config = {
  endpoints: [
    {
      path: '/ws',
      dialect: 'raw' as const,
      streams: [{ name: 'news', data: { n: 1 } }],
      onConnect: [{ reply: { type: 'welcome' } }],
      rules: [
        { name: 'ping', when: { type: 'ping' }, then: [{ reply: { type: 'pong' } }, { delay: '10-20' }, { publish: 'news' }] },
        { name: 'elsewhere', when: { type: 'elsewhere' }, then: [{ publish: { stream: 'news', endpoint: '/other' } }] },
      ],
    },
  ],
  http: { routes: [{ method: 'GET' as const, path: '/api/orders/:id', then: [{ respond: { body: { id: '{{request.params.id}}' } } }] }] },
};

const PING = 'when {"type":"ping"} then reply {"type":"pong"}, delay 10-20 ms, publish news';
const WELCOME = 'on connect: reply {"type":"welcome"}';

describe('one line per rule and route', () => {
  it('the stats\' rule entries and GET / say each rule, onConnect too', async () => {
    const { http, ws } = await startServer(config);
    const rules = async (): Promise<Rule[]> => (await data<{ endpoints: { rules: Rule[] }[] }>(http('/admin/websocket/stats'))).endpoints[0]?.rules ?? [];
    assert.deepEqual(await rules(), [
      { name: 'ping', explain: PING, hits: 0, failures: 0 },
      { name: 'elsewhere', explain: 'when {"type":"elsewhere"} then publish news on /other', hits: 0, failures: 0 },
    ]);
    const described = await data<{ endpoints: { path: string; rules: string[] }[] }>(http('/'), { headers: { accept: 'application/json' } });
    assert.deepEqual(described.endpoints[0]?.rules, [PING, 'when {"type":"elsewhere"} then publish news on /other', WELCOME]);

    const client = await wsConnect(ws('/ws'));
    assert.deepEqual(await client.next(), { type: 'welcome' });
    // A rule's publish reaches its own endpoint's streams only: another endpoint is that step's failure.
    client.send({ type: 'elsewhere' });
    client.send({ type: 'ping' });
    // A client's messages are handled in order: with the pong back, the message before it was handled too.
    assert.deepEqual(await client.next(), { type: 'pong' });
    const last = await rules();
    assert.deepEqual(last.map((r) => [r.name, r.hits, r.failures]), [['ping', 1, 0], ['elsewhere', 1, 1], ['onConnect', 1, 0]]);
    assert.equal(last.find((r) => r.name === 'onConnect')?.explain, WELCOME);
    await client.close();
  });

  it('GET /admin/http/routes says each route, those added at run time too, with publish in its one shape', async () => {
    const { http, ws } = await startServer(config);
    const added = { method: 'POST', path: '/api/hello', then: [{ publish: { endpoint: '/ws', message: 'hi {{request.body.name}}' } }, { respond: { status: 204 } }] };
    await data(http('/admin/http/routes'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(added) });
    const listed = await data<{ routes: { name: string; explain: string }[]; definitions: { path: string; then: unknown[] }[] }>(http('/admin/http/routes'));
    assert.deepEqual(
      listed.routes.map((r) => [r.name, r.explain]),
      [
        ['GET /api/orders/:id', 'GET /api/orders/:id -> respond 200 (json body)'],
        ['POST /api/hello', 'POST /api/hello -> publish "hi {{request.body.name}}" to every client of /ws, respond 204 (no body)'],
      ],
    );
    assert.deepEqual(listed.definitions.find((d) => d.path === '/api/hello')?.then[0], { publish: { endpoint: '/ws', data: 'hi {{request.body.name}}' } });
    const client = await wsConnect(ws('/ws'));
    assert.deepEqual(await client.next(), { type: 'welcome' });
    const answer = await fetch(http('/api/hello'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada"}', signal: AbortSignal.timeout(5000) });
    assert.equal(answer.status, 204);
    assert.equal((await client.nextRaw()).text, 'hi Ada', 'the earlier spelling still reaches every client of the endpoint');
    await client.close();
  });

  it('the banner says each rule of an endpoint in one line (its routes: http-routes.test.ts)', async () => {
    const trading = runMockwave([join(ROOT, 'examples/trading.yaml'), '-p', '0', '-H', '127.0.0.1', '--log-level', 'warn']);
    await trading.waitFor(/Press Ctrl-C to stop/);
    assert.match(trading.output(), / {4}quotes {2}every 500 ms\n {4}when \{"type":"order","side":"buy"\} then reply \{"type":"order_ack",.*, delay 100 ms, reply \{"type":"fill",.*\n {4}when \{"type":"logout"\} then close 4001 "logged out"\n/);
    trading.child.kill('SIGTERM');
    assert.equal((await trading.exited).code, 0);
  });
});
