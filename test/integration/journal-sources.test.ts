/**
 * What produced each message the journal keeps (`source`), through a running server with real clients: the
 * dialect's own answers, a rule's reply and publish, a stream's tick, the admin API's and the library's
 * publish, an HTTP route's publish; asked for by query and by verify. And a broadcast a condition kept from a
 * subscriber is not counted as sent to it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JournalEntryView } from '../../src/journal/index.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { upstream } from '../helpers/upstream.ts';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });

/** Each entry sent out, as `kind source type headline`. */
function sent(entries: readonly JournalEntryView[]): string[] {
  return entries.filter((e) => e.direction === 'out').map((e) => {
    const json = e.json as { type: string; data?: { headline?: string } };
    return `${e.kind} ${e.source ?? '?'} ${json.type}${json.data?.headline === undefined ? '' : ` ${json.data.headline}`}`;
  });
}

describe('where a journaled message came from', () => {
  it('names the dialect, the rule, the stream, the admin API, the library and the route', async () => {
    const { ws, http, server } = await startServer({
      journal: { enabled: true },
      endpoints: [
        {
          path: '/ws',
          streams: [{ name: 'news', data: { headline: 'tick' } }],
          rules: [
            { name: 'greet', when: { type: 'hello' }, then: [{ reply: { type: 'hi' } }] },
            { name: 'shout', when: { type: 'shout' }, then: [{ publish: { stream: 'news', data: { headline: 'shouted' } } }] },
          ],
        },
      ],
      http: { routes: [{ name: 'announce', method: 'POST', path: '/announce', then: [{ publish: { stream: 'news', data: { headline: 'announced' } } }, { respond: { status: 204 } }] }] },
    });
    const client = await wsConnect(ws('/ws'));
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    client.send({ type: 'subscribe', event: 'news' });
    await client.nextOfType('subscribed');
    await client.nextOfType('event');
    client.send({ type: 'hello' });
    await client.nextOfType('hi');
    const headlines: string[] = [];
    const next = async () => headlines.push((await client.nextOfType<{ data: { headline: string } }>('event')).data.headline);
    client.send({ type: 'shout' });
    await next();
    assert.equal((await post(http('/admin/websocket/streams/news/tick'), {})).status, 200);
    await next();
    server.publish('news', { headline: 'from the library' });
    await next();
    assert.equal((await post(http('/admin/websocket/publish'), { event: 'news', data: { headline: 'from the admin API' } })).status, 200);
    await next();
    assert.equal((await post(http('/announce'), {})).status, 204);
    await next();
    assert.deepEqual(headlines, ['shouted', 'tick', 'from the library', 'from the admin API', 'announced']);
    const entries = server.journal({ client: clientId }).entries;
    assert.deepEqual(sent(entries), [
      'message dialect connected',
      'message dialect subscribed',
      'message stream:news event tick',
      'message rule:greet hi',
      'broadcast rule:shout event shouted',
      'broadcast stream:news event tick',
      'broadcast admin event from the library',
      'broadcast admin event from the admin API',
      'broadcast route:announce event announced',
    ]);
    assert.deepEqual(server.journal({ source: 'rule:greet' }).entries.map((e) => e.json), [{ type: 'hi' }]);
    server.verify({ source: 'route:announce', kind: 'broadcast' }, { count: 1 });
    const missed = await post(http('/admin/verify'), { match: { kind: 'message', direction: 'out', source: 'rule:greeting' } });
    const report = (await missed.json()) as { closest: { mismatches: { field: string; actual: unknown }[] }[] };
    assert.equal(missed.status, 417);
    assert.deepEqual(report.closest[0]?.mismatches, [{ field: 'source', expected: 'rule:greeting', actual: 'rule:greet' }], 'the near miss names the source that differs');
    await client.close();
  });

  it('a broadcast a condition kept from a subscriber is not counted as sent to it', async () => {
    const { ws, server } = await startServer({
      journal: { enabled: true },
      endpoints: [{ path: '/ws', streams: [{ name: 'ticker', data: { symbol: 'AAPL' }, condition: 'eq data.symbol params.symbol' }] }],
    });
    const [apple, micro] = await Promise.all([wsConnect(ws('/ws')), wsConnect(ws('/ws'))]);
    const ids: string[] = [];
    for (const [client, symbol] of [[apple, 'AAPL'], [micro, 'MSFT']] as const) {
      ids.push((await client.nextOfType<{ clientId: string }>('connected')).clientId);
      client.send({ type: 'subscribe', event: 'ticker', params: { symbol } });
      await client.nextOfType('subscribed');
    }
    server.publish('ticker', { symbol: 'AAPL' });
    await apple.nextOfType('event');
    await waitUntil(() => server.journal({ kind: 'broadcast' }).entries.length === 1, 5000, 'the broadcast journaled');
    const [appleId, microId] = ids as [string, string];
    assert.deepEqual(server.journal({ kind: 'broadcast' }).entries[0]?.reached, [appleId]);
    assert.equal(server.journal({ client: appleId, kind: 'broadcast' }).entries.length, 1);
    assert.equal(server.journal({ client: microId, kind: 'broadcast' }).entries.length, 0, 'the condition kept it from MSFT\'s subscriber');
    await Promise.all([apple.close(), micro.close()]);
  });

  it('keeps a proxied client: its opening with its scope, what it sent, what the upstream sent (`proxy`) and its close', async () => {
    const up = await upstream();
    const { ws, server } = await startServer({ journal: { enabled: true }, endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, routes: [{ name: 'echo', url: up.url }] } });
    const client = await wsConnect(ws('/ws/proxy/echo/feed?scope=proxied'));
    const { clientId } = await client.nextOfType<{ clientId: string }>('proxy_connected');
    client.send('hello upstream');
    assert.equal((await client.nextRaw()).text, 'hello upstream');
    await client.close();
    await waitUntil(() => server.journal({ scope: 'proxied', kind: 'close' }).entries.length === 1, 5000, 'the close journaled');
    const entries = server.journal({ scope: 'proxied' }).entries;
    assert.ok(entries.every((e) => e.client === clientId));
    assert.deepEqual(entries.map((e) => `${e.kind}${e.direction === undefined ? '' : ` ${e.direction}`} ${e.source ?? ''} ${e.text ?? (e.json as { type?: string } | undefined)?.type ?? ''}`.trim()), [
      'open',
      'message out proxy proxy_connected',
      'message in  hello upstream',
      'message out proxy hello upstream',
      'close',
    ]);
  });

  it('keeps a connection\'s request on its open: the upgrade (101) or the connect (200), headers masked, matched by a matcher', async () => {
    const { ws, http, server } = await startServer({ journal: { enabled: true }, endpoints: [{ path: '/ws', streams: [] }, { path: '/events', protocol: 'sse', streams: [{ name: 'news', data: { n: 1 } }] }] });
    const socket = await wsConnect(ws('/ws?room=blue&token=t-secret'), { headers: { 'x-client': 'web-7', authorization: 'Bearer b-secret' } });
    await socket.nextOfType('connected');
    const events = await fetch(http('/events?events=news'), { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(5000) });
    assert.equal(events.status, 200);
    await waitUntil(() => server.journal({ kind: 'open' }).entries.length === 2, 5000, 'both connections journaled');
    const [upgrade, connect] = server.journal({ kind: 'open' }).entries;
    assert.deepEqual([upgrade?.request?.method, upgrade?.request?.path, upgrade?.request?.query, upgrade?.response?.status], ['GET', '/ws', { room: 'blue', token: '***' }, 101]);
    assert.deepEqual([upgrade?.request?.headers['x-client'], upgrade?.request?.headers['authorization']], ['web-7', '***']);
    assert.deepEqual([connect?.protocol, connect?.request?.path, connect?.response?.status], ['sse', '/events', 200]);
    server.verify({ kind: 'open', headers: { 'X-Client': '^web-' }, query: { room: 'blue' } }, { count: 1 });
    assert.doesNotMatch(JSON.stringify(server.journal().entries), /t-secret|b-secret/);
    await events.body?.cancel();
    await socket.close();
  });
});
