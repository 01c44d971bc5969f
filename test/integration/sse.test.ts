/**
 * Server-Sent Events endpoints through a real server: read with fetch (undici) and its reader, curl -N and
 * Python's urllib; resumed with Last-Event-ID; refused clearly at the door; seen in the clients list and
 * the stats, and closed from the admin API. Chromium's EventSource is in test/interop/browser.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ManualClock, type MockwaveConfigInput } from '../../src/index.ts';
import { checkConfig } from '../../src/config/validate.ts';
import { startServer } from '../helpers/server.ts';
import { openStream } from '../helpers/sse-stream.ts';
import { PYTHON } from '../helpers/system-clients.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const run = promisify(execFile);

const SSE_ENDPOINT = {
  path: '/events',
  protocol: 'sse' as const,
  sse: { retry: 500, history: 5, heartbeat: 0 },
  streams: [
    { name: 'ticker', interval: 100, data: { n: '{{counter}}' } },
    { name: 'news', interval: 100, data: 'line one\nline two' },
  ],
};
const WS_ENDPOINT = { path: '/ws', streams: [] };
const FEED = { endpoints: [SSE_ENDPOINT, WS_ENDPOINT], websocket: { heartbeatInterval: 0 } };
const feedWith = (sse: Record<string, unknown>): MockwaveConfigInput => ({ ...FEED, endpoints: [{ ...SSE_ENDPOINT, ...sse } as MockwaveEndpoint, WS_ENDPOINT] });
type MockwaveEndpoint = NonNullable<MockwaveConfigInput['endpoints']>[number];

describe('Server-Sent Events endpoints', () => {
  it('streams each tick as an event with an id; ?events= chooses streams; data of several lines stays whole', async () => {
    const clock = new ManualClock();
    const { http } = await startServer(FEED, { clock });
    const all = await openStream(http('/events'));
    assert.equal(all.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.deepEqual(await all.next(), { retry: '500' });
    const ticker = await openStream(http('/events?events=ticker'));
    await ticker.next();
    clock.advance(100);
    const both = [await all.next(), await all.next()].sort((a, b) => String(a.event).localeCompare(String(b.event)));
    assert.deepEqual(both.map((e) => [e.event, e.data]), [['news', 'line one\nline two'], ['ticker', '{"n":1}']]);
    assert.deepEqual(new Set(both.map((e) => e.id)), new Set(['1', '2']));
    const only = await ticker.next();
    assert.deepEqual([only.event, only.data], ['ticker', '{"n":1}']);
    clock.advance(100);
    assert.equal((await ticker.next()).event, 'ticker', 'the news is not sent to a ticker-only client');
    all.close();
    ticker.close();
  });

  it('a client that resumes with Last-Event-ID gets exactly what it missed, then the live events; past the history it is told', async () => {
    const clock = new ManualClock();
    const { http } = await startServer(feedWith({ streams: [{ name: 'ticker', interval: 100, data: { n: '{{counter}}' } }] }), { clock });
    const first = await openStream(http('/events'));
    await first.next();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(100);
      seen.push(Number((await first.next()).id));
    }
    first.close();
    for (let i = 0; i < 3; i++) clock.advance(100); // ids 4-6 while away
    const resumed = await openStream(http('/events'), { 'last-event-id': String(seen.at(-1)) });
    await resumed.next();
    for (let i = 0; i < 3; i++) seen.push(Number((await resumed.next()).id));
    clock.advance(100);
    seen.push(Number((await resumed.next()).id));
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7], 'no event lost or repeated');
    resumed.close();

    for (let i = 0; i < 6; i++) clock.advance(100); // 8-13: the history keeps 9-13
    const late = await openStream(http('/events?lastEventId=2'));
    await late.next();
    assert.match((await late.next()).comment ?? '', /^6 event\(s\) after 2 are no longer kept \(sse\.history: 5\)/);
    assert.deepEqual([(await late.next()).id, (await late.next()).id], ['9', '10']);
    late.close();
  });

  it('refuses clearly at the door: a WebSocket, another method, an unknown event, no token, too many clients', async () => {
    const { http, ws } = await startServer({
      ...feedWith({ sse: { ...SSE_ENDPOINT.sse, maxConnections: 1 } }),
      auth: { enabled: true, tokens: ['sse-token-1'] },
    });
    const token = { authorization: 'Bearer sse-token-1' };
    await assert.rejects(wsConnect(ws('/events'), { headers: token }), (error: { status?: number; body?: string }) => error.status === 404 && /is a Server-Sent Events endpoint/.test(error.body ?? ''));
    const post = await fetch(http('/events'), { method: 'POST', headers: token });
    assert.deepEqual([post.status, post.headers.get('allow')], [405, 'GET']);
    const unknown = await fetch(http('/events?events=ticker,nope'), { headers: token });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /^Unknown event nope \(events: ticker, news\)$/);
    assert.equal((await fetch(http('/events'))).status, 401);
    const one = await openStream(http('/events?token=sse-token-1'));
    await one.next();
    const second = await fetch(http('/events'), { headers: token });
    assert.equal(second.status, 503);
    assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'MW_TOO_MANY_CONNECTIONS');
    one.close();
  });

  it('SSE clients are in the clients list and their own figure; the admin API closes them', async () => {
    // A clock that never ticks: no stream event can slip in between the close request and the closing comment.
    const { http, server } = await startServer(FEED, { clock: new ManualClock() });
    const stream = await openStream(http('/events'));
    await stream.next();
    await waitUntil(() => server.stats().sseClients === 1, 2000, 'the SSE client to be counted');
    assert.equal(server.stats().connectedClients, 0, 'connectedClients stays the WebSocket count');
    const [client] = server.clients();
    assert.equal(client?.endpoint, '/events');
    assert.match(await (await fetch(http('/metrics'))).text(), /mockwave_connections\{endpoint="\/events"\} 1/);
    const closed = await fetch(http(`/admin/websocket/clients/${client?.id ?? ''}/close`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":4000}' });
    assert.equal(closed.status, 200);
    assert.match((await stream.next()).comment ?? '', /^closed by the server \(4000\)/);
    await assert.rejects(stream.next(), /the stream ended/);
    await waitUntil(() => server.stats().sseClients === 0, 2000, 'the SSE client to be gone');
  });

  it('curl -N and Python urllib read the events', async () => {
    const { http } = await startServer(feedWith({ streams: [{ name: 'ticker', interval: 20, data: { n: 1 } }] }));
    const curl = await run('curl', ['-sN', '--max-time', '1', http('/events')]).catch((error: { stdout: string }) => error);
    assert.match(curl.stdout, /^retry: 500\n\nid: \d+\nevent: ticker\ndata: \{"n":1\}\n\n/);
    const script = [
      'import urllib.request',
      `stream = urllib.request.urlopen(${JSON.stringify(http('/events'))})`,
      'events = 0',
      'for raw in stream:',
      '    if raw.decode().startswith("event: ticker"): events += 1',
      '    if events == 3: break',
      'print(events)',
    ].join('\n');
    assert.equal((await run(PYTHON, ['-c', script], { timeout: 10_000 })).stdout.trim(), '3');
  });

  it('per-subscriber conditions and per-subscriber sequences work as on WebSocket', async () => {
    const clock = new ManualClock();
    const { http } = await startServer(
      feedWith({
        streams: [
          { name: 'quotes', interval: 100, data: { symbol: "{{seq 'AAPL' 'MSFT'}}" }, condition: 'eq data.symbol client.query.symbol' },
          { name: 'tour', sequence: [{ delay: 10, data: { step: 1 } }, { delay: 10, data: { step: 2 } }], mode: 'perSubscriber' },
        ],
      }),
      { clock },
    );
    const apple = await openStream(http('/events?symbol=AAPL'));
    const microsoft = await openStream(http('/events?symbol=MSFT'));
    await apple.next();
    await microsoft.next();
    clock.advance(10);
    clock.advance(10);
    for (const client of [apple, microsoft]) {
      const steps = [await client.next(), await client.next()];
      assert.deepEqual(steps.map((e) => [e.event, e.data]), [['tour', '{"step":1}'], ['tour', '{"step":2}']], 'each subscriber plays the sequence from its start');
    }
    for (let i = 0; i < 4; i++) clock.advance(100);
    assert.deepEqual([(await apple.next()).data, (await apple.next()).data], ['{"symbol":"AAPL"}', '{"symbol":"AAPL"}']);
    assert.deepEqual([(await microsoft.next()).data, (await microsoft.next()).data], ['{"symbol":"MSFT"}', '{"symbol":"MSFT"}']);
    apple.close();
    microsoft.close();
  });

  it('sse.format ndjson: one JSON line per message and a blank line as heartbeat (HTTP streaming APIs)', async () => {
    const clock = new ManualClock();
    const { http } = await startServer(feedWith({ sse: { format: 'ndjson', heartbeat: 50 } as never, streams: [{ name: 'ticker', interval: 100, data: { n: '{{counter}}' } }] }), { clock });
    const response = await fetch(http('/events'));
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    clock.advance(50);
    clock.advance(50);
    while (!text.includes('{"n":1}\n')) text += new TextDecoder().decode((await reader.read()).value);
    assert.ok(text.startsWith('\n'), 'the heartbeat at 50 ms is a blank line');
    assert.deepEqual(text.split('\n').filter((l) => l !== ''), ['{"n":1}'], 'nothing but JSON lines and blank ones: no retry, no ids');
    await reader.cancel();
  });

  it('a configuration that cannot work over SSE is refused with its paths', () => {
    const result = checkConfig({ endpoints: [{ path: '/e', protocol: 'sse', rules: [{ when: { a: 1 }, then: [{ drop: true }] }], perMessageDeflate: true, streams: [] }] });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems, [
      'endpoints[0].rules: Server-Sent Events clients send nothing and get no greeting: remove it, or use protocol: websocket',
      "endpoints[0].perMessageDeflate: permessage-deflate is WebSocket's: use HTTP compression for Server-Sent Events",
    ]);
  });
});
