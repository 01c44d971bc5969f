/**
 * The traffic journal (src/journal/, docs/journal.md) through a running server, with real clients: WebSocket
 * frames both ways, connections opened and closed, subscriptions, a broadcast kept once with its recipients
 * and found by client while it was subscribed; HTTP requests with their answers, secrets masked; scopes from
 * the query, the header and the cookie, each seeing only its own traffic and cleared alone; paging; the opt
 * outs; and a journal that is off saying so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import type { JournalPage } from '../../src/server/journal-admin.ts';
import type { JournalEntryView } from '../../src/journal/index.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

/** GET /admin/journal with `query`; the page, or the error envelope's code and status. */
async function journalOf(http: (path: string) => string, query: Record<string, string> = {}): Promise<JournalPage> {
  const response = await fetch(http(`/admin/journal?${new URLSearchParams(query)}`), { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { data: JournalPage };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.data;
}

const kinds = (entries: readonly JournalEntryView[]): string[] => entries.map((e) => `${e.kind}${e.direction === undefined ? '' : ` ${e.direction}`}`);

const ticker = { path: '/ws', streams: [{ name: 'ticker', data: { price: 1 } }, { name: 'news', data: { headline: 'hi' } }] };

describe('the journal', () => {
  it('keeps a WebSocket client\'s frames both ways, its subscriptions and its close code, in order', async () => {
    const { ws, http, server } = await startServer({ journal: { enabled: true }, endpoints: [ticker] });
    const client = await wsConnect(ws('/ws'));
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    client.send({ type: 'subscribe', event: 'news' });
    await client.nextOfType('subscribed');
    client.ws.close(4001, 'done here');
    await waitUntil(() => server.journal({ kind: 'close' }).entries.length === 1, 5000, 'the close journaled');
    const entries = (await journalOf(http, { client: clientId })).entries;
    assert.deepEqual(kinds(entries).filter((k) => k !== 'message out'), ['open', 'message in', 'subscribe', 'close']);
    assert.deepEqual(entries.find((e) => e.kind === 'message' && e.direction === 'in')?.json, { type: 'subscribe', event: 'news' });
    assert.deepEqual(entries.find((e) => e.kind === 'subscribe')?.topics, ['news']);
    assert.deepEqual([entries.at(-1)?.code, entries.at(-1)?.reason], [4001, 'done here']);
    assert.ok(entries.every((e) => e.endpoint === '/ws' && e.protocol === 'websocket'));
    assert.ok(entries.some((e) => e.kind === 'message' && e.direction === 'out' && (e.json as { type?: string }).type === 'connected'), 'the greeting is kept, from the first message on');
  });

  it('keeps a broadcast once with its recipients; asked by client, it counts only while the client was subscribed', async () => {
    const { ws, http, server } = await startServer({ journal: { enabled: true }, endpoints: [ticker] });
    const a = await wsConnect(ws('/ws'));
    const b = await wsConnect(ws('/ws'));
    const idA = (await a.nextOfType<{ clientId: string }>('connected')).clientId;
    const idB = (await b.nextOfType<{ clientId: string }>('connected')).clientId;
    for (const c of [a, b]) {
      c.send({ type: 'subscribe', event: 'news' });
      await c.nextOfType('subscribed');
    }
    server.publish('news', { n: 1 });
    await a.nextOfType('event');
    await b.nextOfType('event');
    b.send({ type: 'unsubscribe', event: 'news' });
    await b.nextOfType('unsubscribed');
    server.publish('news', { n: 2 });
    await a.nextOfType('event');
    const broadcasts = (await journalOf(http, { kind: 'broadcast' })).entries;
    assert.deepEqual(broadcasts.map((e) => [e.recipients, (e.json as { data: { n: number } }).data.n]), [[2, 1], [1, 2]], 'one entry per broadcast, not one per recipient');
    assert.deepEqual((await journalOf(http, { client: idA, kind: 'broadcast' })).entries.length, 2);
    // (The event sent on subscribing, the stream's current one, is a message to that client alone: kept.)
    const copies = (await journalOf(http, { client: idA, kind: 'message', direction: 'out' })).entries.filter((e) => (e.json as { data?: { n?: number } }).data?.n !== undefined);
    assert.equal(copies.length, 0, 'a recipient\'s copy of a broadcast is not kept as a message of its own');
    assert.deepEqual((await journalOf(http, { client: idB, kind: 'broadcast' })).entries.map((e) => (e.json as { data: { n: number } }).data.n), [1], 'b had unsubscribed from the second');
  });

  it('keeps every HTTP request with its answer, secrets masked in headers, query and JSON body', async () => {
    const { http } = await startServer({ journal: { enabled: true }, endpoints: [], http: { routes: [{ name: 'orders', method: 'POST', path: '/api/orders', then: [{ respond: { status: 201, headers: { 'set-cookie': 'session=abc123', 'x-order': '{{request.body.qty}}' }, body: { id: 7, accessToken: 'tok-9' } } }] }] } });
    const sent = await fetch(http('/api/orders?token=abc&page=2'), { method: 'POST', headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' }, body: '{"password":"hunter2","qty":3}', signal: AbortSignal.timeout(5000) });
    assert.equal(sent.status, 201);
    await fetch(http('/nowhere'), { signal: AbortSignal.timeout(5000) });
    const entries = (await journalOf(http, { protocol: 'http' })).entries;
    assert.deepEqual(entries.map((e) => [e.request?.method, e.request?.path, e.response?.status, e.route]), [['POST', '/api/orders', 201, 'orders'], ['GET', '/nowhere', 404, undefined]]);
    const first = entries[0] as JournalEntryView;
    assert.deepEqual(first.request?.query, { token: '***', page: '2' });
    assert.equal(first.request?.headers['authorization'], '***');
    assert.deepEqual(first.request?.json, { password: '***', qty: 3 });
    assert.deepEqual(first.response?.json, { id: 7, accessToken: '***' }, 'the answer\'s body, masked as the request\'s');
    assert.deepEqual([first.response?.headers?.['x-order'], first.response?.headers?.['content-type'], first.response?.headers?.['set-cookie']], ['3', 'application/json; charset=utf-8', '***']);
    assert.equal(JSON.stringify(entries).includes('hunter2') || JSON.stringify(entries).includes('s3cret') || JSON.stringify(entries).includes('abc123') || JSON.stringify(entries).includes('tok-9'), false, 'no secret anywhere in the answer');
  });

  it('keeps a streamed answer\'s text and a forwarded answer\'s head and body', async () => {
    const api = await startServer({ endpoints: [], journal: { enabled: false }, http: { routes: [{ path: '/v1/items', then: [{ respond: { headers: { 'x-upstream': 'yes' }, body: [{ id: 1 }] } }] }] } });
    const { http, server } = await startServer({
      journal: { enabled: true },
      endpoints: [],
      http: { routes: [{ name: 'stream', path: '/stream', then: [{ respond: { chunks: ['a', 'b'], done: '[DONE]' } }] }, { name: 'items', path: '/v1/items', then: [{ forward: api.http('/').replace(/\/$/, '') }] }] },
    });
    assert.equal(await (await fetch(http('/stream'), { signal: AbortSignal.timeout(5000) })).text(), 'data: a\n\ndata: b\n\ndata: [DONE]\n\n');
    assert.deepEqual(await (await fetch(http('/v1/items'), { signal: AbortSignal.timeout(5000) })).json(), [{ id: 1 }]);
    const [streamed, forwarded] = server.journal({ protocol: 'http' }).entries;
    assert.equal(streamed?.response?.text, 'data: a\n\ndata: b\n\ndata: [DONE]\n\n');
    assert.equal(streamed?.response?.headers?.['content-type'], 'text/event-stream; charset=utf-8');
    assert.deepEqual([forwarded?.response?.json, forwarded?.response?.headers?.['x-upstream']], [[{ id: 1 }], 'yes']);
  });

  it('scopes: from ?scope=, the x-mockwave-scope header or the mockwave-scope cookie; each sees its own, and is cleared alone', async () => {
    const { ws, http } = await startServer({ journal: { enabled: true }, endpoints: [ticker], http: { routes: [{ path: '/api/ping', then: [{ respond: { body: { pong: true } } }] }] } });
    const one = await wsConnect(ws('/ws?scope=one'));
    await one.nextOfType('connected');
    const two = await wsConnect(ws('/ws'), { headers: { 'x-mockwave-scope': 'two' } });
    await two.nextOfType('connected');
    await fetch(http('/api/ping'), { headers: { cookie: 'theme=dark; mockwave-scope=one' }, signal: AbortSignal.timeout(5000) });
    await fetch(http('/api/ping'), { headers: { 'x-mockwave-scope': 'two' }, signal: AbortSignal.timeout(5000) });
    await fetch(http('/api/ping?scope=one'), { signal: AbortSignal.timeout(5000) });
    const inOne = (await journalOf(http, { scope: 'one' })).entries;
    const inTwo = (await journalOf(http, { scope: 'two' })).entries;
    assert.deepEqual(kinds(inOne), ['open', 'message out', 'request in'], 'an HTTP request\'s own ?scope= is the API\'s, not a scope');
    assert.deepEqual(kinds(inTwo), ['open', 'message out', 'request in']);
    const cleared = (await (await fetch(http('/admin/journal?scope=one'), { method: 'DELETE', signal: AbortSignal.timeout(5000) })).json()) as { data: { removed: number } };
    assert.equal(cleared.data.removed, 3);
    assert.equal((await journalOf(http, { scope: 'one' })).entries.length, 0);
    assert.equal((await journalOf(http, { scope: 'two' })).entries.length, 3, 'the other scope is untouched');
    assert.equal((await journalOf(http)).entries.length, 4, 'two\'s three and the request without a scope');
  });

  it('pages with since and limit; keeps at most maxEntries and maxBytes, the oldest dropped and counted', async () => {
    const { http, server } = await startServer({ endpoints: [], journal: { enabled: true, maxEntries: 5, maxBytes: 1024 * 1024 }, http: { routes: [{ path: '/n/:n', then: [{ respond: { body: { ok: true } } }] }] } });
    for (let n = 1; n <= 8; n++) await fetch(http(`/n/${n}`), { signal: AbortSignal.timeout(5000) });
    const all = await journalOf(http);
    assert.deepEqual(all.entries.map((e) => e.request?.path), ['/n/4', '/n/5', '/n/6', '/n/7', '/n/8']);
    assert.deepEqual([all.kept, all.dropped], [5, 3]);
    const first = await journalOf(http, { limit: '2' });
    assert.deepEqual(first.entries.map((e) => e.request?.path), ['/n/4', '/n/5']);
    const second = await journalOf(http, { limit: '2', since: String(first.next) });
    assert.deepEqual(second.entries.map((e) => e.request?.path), ['/n/6', '/n/7']);
    const rest = await journalOf(http, { since: String(second.next) });
    assert.deepEqual(rest.entries.map((e) => e.request?.path), ['/n/8']);
    assert.equal((await journalOf(http, { since: String(rest.next) })).entries.length, 0, 'nothing new since');
    // 2 KiB bodies in a 5 KiB journal: entries are dropped by bytes before the count is reached.
    const small = await startServer({ endpoints: [], journal: { enabled: true, maxEntries: 100, maxBytes: 5 * 1024 }, http: { routes: [{ path: '/b', then: [{ respond: { status: 204 } }] }] } });
    for (let n = 0; n < 6; n++) await fetch(small.http('/b'), { method: 'POST', body: 'x'.repeat(2048), signal: AbortSignal.timeout(5000) });
    const kept = small.server.journal();
    assert.ok(kept.bytes <= 5 * 1024 && kept.kept >= 1 && kept.kept + kept.dropped === 6 && kept.entries.at(-1)?.seq === 6, JSON.stringify({ bytes: kept.bytes, kept: kept.kept, dropped: kept.dropped }));
    void server;
  });

  it('leaves out an endpoint or a route with journal: false; answers 409 when the journal is off, 400 for a wrong query', async () => {
    const { ws, http, server } = await startServer({ journal: { enabled: true }, endpoints: [{ ...ticker, journal: false }], http: { routes: [{ path: '/quiet', journal: false, then: [{ respond: { status: 204 } }] }, { path: '/loud', then: [{ respond: { status: 204 } }] }] } });
    const client = await wsConnect(ws('/ws'));
    await client.nextOfType('connected');
    await fetch(http('/quiet'), { signal: AbortSignal.timeout(5000) });
    await fetch(http('/loud'), { signal: AbortSignal.timeout(5000) });
    assert.deepEqual(server.journal().entries.map((e) => e.request?.path), ['/loud']);
    const wrong = await fetch(http('/admin/journal?limit=0&protocol=ftp'), { signal: AbortSignal.timeout(5000) });
    const wrongBody = (await wrong.json()) as { error: { code: string; message: string } };
    assert.deepEqual([wrong.status, wrongBody.error.code], [400, 'MW_BAD_REQUEST']);
    assert.match(wrongBody.error.message, /limit/);
    assert.match(wrongBody.error.message, /protocol/);
    // Off by default: asking says so, and how to turn it on.
    const off = await startServer({ endpoints: [] });
    const refused = await fetch(off.http('/admin/journal'), { signal: AbortSignal.timeout(5000) });
    const refusedBody = (await refused.json()) as { error: { code: string; message: string } };
    assert.deepEqual([refused.status, refusedBody.error.code], [409, 'MW_JOURNAL_OFF']);
    assert.match(refusedBody.error.message, /--journal/);
    assert.throws(() => off.server.journal(), /journal is off/);
  });

  it('keeps a Server-Sent Events client: its connection with its scope, its subscription, each broadcast it got, its leaving', async () => {
    const { http, server } = await startServer({ journal: { enabled: true }, endpoints: [{ path: '/events', protocol: 'sse', streams: [{ name: 'news', data: { headline: 'hi' } }] }] });
    const leaving = new AbortController();
    const response = await fetch(http('/events?events=news&scope=sse-test'), { headers: { accept: 'text/event-stream' }, signal: leaving.signal });
    assert.equal(response.status, 200);
    await waitUntil(() => server.journal({ kind: 'subscribe' }).entries.length === 1, 5000, 'the subscription journaled');
    server.publish('news', { headline: 'one' });
    await waitUntil(() => server.journal({ kind: 'broadcast' }).entries.length === 1, 5000, 'the broadcast journaled');
    leaving.abort();
    await waitUntil(() => server.journal({ kind: 'close' }).entries.length === 1, 5000, 'the leaving journaled');
    const entries = server.journal({ scope: 'sse-test' }).entries;
    assert.ok(entries.every((e) => e.protocol === 'sse' && e.endpoint === '/events'));
    assert.deepEqual(kinds(entries).filter((k) => k !== 'message out'), ['open', 'subscribe', 'broadcast out', 'close']);
    assert.match(JSON.stringify(entries.find((e) => e.kind === 'broadcast')), /"headline":"one"|headline: one|one/);
  });

  it('keeps a connection refused at the door, WebSocket and SSE, with its status, its reason and the scope it named; never its token', async () => {
    const { ws, http, server } = await startServer({ journal: { enabled: true }, endpoints: [ticker, { path: '/events', protocol: 'sse', streams: [{ name: 'news', data: { n: 1 } }] }], auth: { enabled: true, tokens: ['secret-token-1'] } });
    const refusedWs = await new Promise<number>((resolve) => {
      const socket = new WebSocket(ws('/ws?scope=door&token=wrong-token-2'));
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('error', () => undefined);
    });
    assert.equal(refusedWs, 401);
    const sse = await fetch(http('/events?events=nope&token=secret-token-1'), { headers: { 'x-mockwave-scope': 'door' }, signal: AbortSignal.timeout(5000) });
    assert.equal(sse.status, 400);
    const refused = server.journal({ scope: 'door', kind: 'refuse' }).entries;
    assert.deepEqual(refused.map((e) => [e.protocol, e.endpoint, e.code]), [['websocket', '/ws', 401], ['sse', '/events', 400]]);
    assert.match(refused[0]?.reason ?? '', /^MW_\w+: /);
    assert.match(refused[1]?.reason ?? '', /Unknown event nope/);
    assert.doesNotMatch(JSON.stringify(server.journal().entries), /wrong-token-2|secret-token-1/, 'a token in the query is not journaled');
    server.verify({ kind: 'refuse', endpoint: '/ws', code: 401 }, { scope: 'door', count: 1 });
  });
});
