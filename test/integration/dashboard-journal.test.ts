/**
 * The dashboard's client log and request list read from the journal (issue 29, item 5): a log opened late
 * begins with what happened before (the connection's `open`, its `subscribe`, the `connected` and
 * `subscribed` frames) and goes on without gap or duplicate; with the journal off it works from now on and
 * says why; the request list has HTTP requests, Server-Sent Events connects and WebSocket upgrades (from the
 * journal, or the HTTP side's recent list while it is off); and no secret is ever shown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogBatch, LoggedMessage, LoggedRequest, LogHistory } from '../../src/admin/snapshot.ts';
import type { JournalPage } from '../../src/server/journal-admin.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { upstream } from '../helpers/upstream.ts';

interface Feed {
  /** The next event of this name (earlier events of other names are kept), within `timeoutMs`. */
  next<T>(event: string, timeoutMs?: number): Promise<T>;
  /** Every byte read so far, as text (to look for secrets). */
  text(): string;
  close(): void;
}

/** Opens a server-sent event stream; resolves once it has begun, with its events as an awaitable queue. */
async function openFeed(url: string): Promise<Feed> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  assert.equal(response.status, 200, `${url} answered ${response.status}: ${response.status === 200 ? '' : await response.text()}`);
  const events: { event: string; data: string }[] = [];
  const waiters = new Set<() => void>();
  let raw = '';
  let buffer = '';
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data });
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    async next<T>(event: string, timeoutMs = 5000): Promise<T> {
      const take = (): T | undefined => {
        const index = events.findIndex((e) => e.event === event);
        return index < 0 ? undefined : (JSON.parse(events.splice(index, 1)[0]?.data ?? '') as T);
      };
      const found = take();
      if (found !== undefined) return found;
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          const later = take();
          if (later === undefined) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(later);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`No "${event}" event within ${timeoutMs} ms from ${url}`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    text: () => raw,
    close: () => controller.abort(),
  };
}

/** Rows of `messages` batches until `enough` holds of all rows read (bounded by the feed's timeout). */
async function rowsUntil<T>(feed: Feed, enough: (rows: readonly T[]) => boolean): Promise<T[]> {
  const rows: T[] = [];
  while (!enough(rows)) {
    const batch = await feed.next<LogBatch<T>>('messages');
    assert.equal(batch.skipped, 0, 'nothing skipped');
    rows.push(...batch.messages);
  }
  return rows;
}

const endpoints = [
  { path: '/ws', dialect: 'guide' as const, streams: [{ name: 'ticker', interval: 20, data: { n: '{{counter}}' } }] },
  { path: '/events', protocol: 'sse' as const, sse: { heartbeat: 0 }, streams: [{ name: 'feed', data: { n: 1 } }] },
];
const http = { routes: [{ name: 'orders', method: 'GET' as const, path: '/api/orders', then: [{ respond: { body: [{ id: 1 }] } }] }] };

describe('the dashboard reads the journal', () => {
  it("a client's log opened late begins at its first message (open, subscribe, connected, subscribed), then tails without gap or duplicate", async () => {
    const { ws, http: url } = await startServer({ journal: { enabled: true }, endpoints });
    const client = await wsConnect(ws());
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    client.send({ type: 'subscribe', event: 'ticker' });
    await client.nextOfType('subscribed');
    await client.nextOfType('event');
    const log = await openFeed(url(`/admin/live/clients/${clientId}`));
    const history = await log.next<LogHistory>('history');
    assert.equal(history.journal, true);
    assert.equal(history.earlier, 0);
    const first = history.messages.slice(0, 2).map((m) => m.kind);
    assert.deepEqual(first, ['open', 'message'], 'the connection opened, then the greeting');
    assert.equal(JSON.parse(history.messages[1]?.text ?? '{}').type, 'connected');
    assert.ok(history.messages.some((m) => m.kind === 'subscribe' && m.note === 'subscribed to ticker'), 'the subscription, before the page connected');
    assert.ok(history.messages.some((m) => m.direction === 'out' && JSON.parse(m.text ?? '{}').type === 'subscribed'));
    // Traffic after the page connected: pings answered, and the ticker's broadcasts the client gets.
    for (let i = 0; i < 5; i += 1) client.send({ type: 'ping', i });
    const last = history.messages.at(-1)?.seq ?? 0;
    const tail = await rowsUntil<LoggedMessage>(log, (rows) => rows.filter((m) => m.direction === 'out' && m.text?.includes('"pong"') === true).length >= 5 && rows.filter((m) => m.kind === 'broadcast').length >= 3);
    log.close();
    const seen = [...history.messages, ...tail].map((m) => m.seq ?? 0);
    assert.ok(tail.every((m) => (m.seq ?? 0) > last), 'the tail starts after the history');
    const journal = (await (await fetch(url(`/admin/journal?client=${clientId}&limit=10000`))).json()) as { data: JournalPage };
    const expected = journal.data.entries.map((e) => e.seq).filter((seq) => seq <= (seen.at(-1) ?? 0));
    assert.deepEqual(seen, expected, "the log's rows are the journal's entries of the client, each once, in order");
    await client.close();
  });

  it("a proxied client's log is the journal's too: its open, the proxy's greeting and what the upstream sent", async () => {
    const up = await upstream();
    const { ws, http: url } = await startServer({ journal: { enabled: true }, endpoints, proxy: { enabled: true, routes: [{ name: 'echo', url: up.url }] } });
    const client = await wsConnect(ws('/ws/proxy/echo'));
    const { clientId } = await client.nextOfType<{ clientId: string }>('proxy_connected');
    client.send('before the page');
    assert.equal((await client.nextRaw()).text, 'before the page');
    const log = await openFeed(url(`/admin/live/clients/${clientId}`));
    const history = await log.next<LogHistory>('history');
    assert.equal(history.journal, true, 'a proxied client is journaled');
    assert.deepEqual(history.messages.map((m) => `${m.kind} ${m.direction ?? ''}`.trim()), ['open', 'message out', 'message in', 'message out']);
    log.close();
    await client.close();
  });

  it("a history holds the client's last 1,000 entries and says how many came before", async () => {
    const { ws, http: url } = await startServer({ journal: { enabled: true }, endpoints });
    const client = await wsConnect(ws());
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    for (let i = 0; i < 600; i += 1) client.send({ type: 'ping', i });
    await client.drain(100, 700);
    const log = await openFeed(url(`/admin/live/clients/${clientId}`));
    const history = await log.next<LogHistory>('history');
    log.close();
    // open, connected, 600 pings and 600 pongs.
    assert.equal(history.messages.length, 1000);
    assert.equal(history.earlier, 202);
    // The newest kept: the last ping and its pong; the oldest (the open, the greeting, 100 pings) left out.
    assert.equal(JSON.parse(history.messages.at(-2)?.text ?? '{}').i, 599);
    assert.equal(JSON.parse(history.messages.at(-1)?.text ?? '{}').type, 'pong');
    assert.equal(JSON.parse(history.messages[0]?.text ?? '{}').i, 100);
    await client.close();
  });

  it("a log's tail has the broadcasts the client gets even when its subscribe entry has left the ring", async () => {
    const { ws, http: url, server } = await startServer({ journal: { enabled: true, maxEntries: 20 }, endpoints });
    const client = await wsConnect(ws());
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    client.send({ type: 'subscribe', event: 'ticker' });
    await client.nextOfType('subscribed');
    await waitUntil(() => server.journal({ client: clientId, kind: 'subscribe' }).entries.length === 0, 5000, 'the subscribe entry dropped');
    const log = await openFeed(url(`/admin/live/clients/${clientId}`));
    await log.next<LogHistory>('history');
    const tail = await rowsUntil<LoggedMessage>(log, (rows) => rows.some((m) => m.kind === 'broadcast'));
    log.close();
    assert.ok(tail.some((m) => m.kind === 'broadcast' && m.note?.startsWith('broadcast on ticker') === true));
    await client.close();
  });

  it('with the journal off, the log is a tap from now on and says history needs --journal; the request list is refused', async () => {
    const { ws, http: url } = await startServer({ endpoints });
    const client = await wsConnect(ws());
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    const log = await openFeed(url(`/admin/live/clients/${clientId}`));
    const history = await log.next<LogHistory>('history');
    assert.deepEqual([history.journal, history.messages.length], [false, 0]);
    assert.match(history.note ?? '', /--journal/);
    client.send({ type: 'ping' });
    const rows = await rowsUntil<LoggedMessage>(log, (found) => found.length >= 2);
    assert.deepEqual(rows.slice(0, 2).map((m) => [m.direction, JSON.parse(m.text ?? '{}').type]), [['in', 'ping'], ['out', 'pong']]);
    log.close();
    const requests = await fetch(url('/admin/live/requests'));
    assert.equal(requests.status, 409);
    assert.equal(((await requests.json()) as { error: { code: string } }).error.code, 'MW_JOURNAL_OFF');
    await client.close();
  });

  it('the request list from the journal: an HTTP request, an SSE connect, a WebSocket upgrade and a refused one, history then tail', async () => {
    const { ws, http: url, server } = await startServer({ journal: { enabled: true }, endpoints, http });
    assert.equal((await fetch(url('/api/orders'))).status, 200);
    const sse = new AbortController();
    assert.equal((await fetch(url('/events'), { signal: sse.signal })).status, 200);
    const client = await wsConnect(ws());
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    await assert.rejects(wsConnect(ws('/nowhere')), /refused: 404/);
    const list = await openFeed(url('/admin/live/requests'));
    const history = await list.next<{ messages: LoggedRequest[]; earlier: number }>('history');
    const rows = history.messages.map((r) => [r.kind, r.protocol, r.method, r.path, r.status]);
    assert.deepEqual(rows, [
      ['request', 'http', 'GET', '/api/orders', 200],
      ['open', 'sse', 'GET', '/events', 200],
      ['open', 'websocket', 'GET', '/ws', 101],
      ['refuse', 'websocket', 'GET', '/nowhere', 404],
    ]);
    const order = history.messages[0];
    assert.equal(order?.route, 'orders');
    assert.equal(order?.size, Buffer.byteLength('[{"id":1}]'));
    assert.equal(history.messages[2]?.client, clientId);
    // A connection that ended before the list was opened has its end on its row, not a row of its own.
    const gone = await wsConnect(ws());
    await gone.nextOfType('connected');
    await gone.close();
    await waitUntil(() => server.journal({ kind: 'close' }).entries.length === 1, 5000, 'the close journaled');
    const again = await openFeed(url('/admin/live/requests'));
    const later = await again.next<{ messages: LoggedRequest[] }>('history');
    again.close();
    assert.deepEqual(later.messages.map((r) => [r.kind, r.status, r.closed?.code]).slice(4), [['open', 101, 1005]]);
    // What happens after the page connected comes in batches: a request, the end of the SSE connection.
    assert.equal((await fetch(url('/api/nothing'))).status, 404);
    sse.abort();
    // Until the SSE connection's end: the WebSocket's open and close may come in a batch of their own before it.
    const tail = await rowsUntil<LoggedRequest>(list, (found) => found.some((r) => r.kind === 'close' && r.protocol === 'sse'));
    list.close();
    const tailRows = tail.map((r) => [r.kind, r.protocol, r.path, r.status]);
    assert.deepEqual(tailRows.slice(0, 2), [['open', 'websocket', '/ws', 101], ['close', 'websocket', '/ws', 1005]], 'the connection opened and closed while the list was open');
    assert.deepEqual(tailRows.slice(2, 4), [['request', 'http', '/api/nothing', 404], ['close', 'sse', '/events', 1000]]);
    await client.close();
  });

  it('while the journal is off, the recent list has the SSE connect and the WebSocket upgrades beside the HTTP requests', async () => {
    const { ws, http: url, server } = await startServer({ endpoints, http });
    assert.equal((await fetch(url('/api/orders'))).status, 200);
    const sse = new AbortController();
    assert.equal((await fetch(url('/events?token=nope'), { signal: sse.signal })).status, 200);
    const client = await wsConnect(ws('/ws?token=secret-token'));
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    await assert.rejects(wsConnect(ws('/nowhere')), /refused: 404/);
    await waitUntil(() => server.stats().http.recent.length === 4, 5000, 'four rows');
    const recent = server.stats().http.recent;
    assert.deepEqual(recent.map((r) => [r.protocol ?? 'http', r.method, r.path, r.status]), [
      ['websocket', 'GET', '/nowhere', 404],
      ['websocket', 'GET', '/ws', 101],
      ['sse', 'GET', '/events', 200],
      ['http', 'GET', '/api/orders', 200],
    ]);
    assert.equal(recent[1]?.client, clientId);
    assert.deepEqual(recent.map((r) => r.n), [4, 3, 2, 1], 'numbered, newest first');
    assert.doesNotMatch(JSON.stringify(recent), /secret-token|nope/);
    sse.abort();
    await client.close();
  });

  it('never shows a secret: a query token, an Authorization header, a password in a frame, in the log, the list and the detail', async () => {
    const { ws, http: url } = await startServer({ journal: { enabled: true }, endpoints, http });
    const order = await fetch(url('/api/orders?token=query-secret&page=2'), { headers: { authorization: 'Bearer header-secret' } });
    assert.equal(order.status, 200);
    const client = await wsConnect(ws('/ws?token=ws-secret'));
    const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
    client.send({ type: 'login', password: 'frame-secret' });
    await client.nextOfType('error');
    const list = await openFeed(url('/admin/live/requests'));
    const history = await list.next<{ messages: LoggedRequest[] }>('history');
    assert.equal(history.messages[0]?.path, '/api/orders?token=***&page=2');
    const log = await openFeed(url(`/admin/live/clients/${clientId}`));
    const logged = await log.next<LogHistory>('history');
    assert.ok(logged.messages.some((m) => m.text === '{"type":"login","password":"***"}'), JSON.stringify(logged.messages));
    // A row's detail is the journal's own entry, read by its sequence number.
    const seq = history.messages[0]?.seq ?? 0;
    const detail = await (await fetch(url(`/admin/journal?since=${seq - 1}&limit=1`))).text();
    assert.match(detail, /"authorization":"\*\*\*"/);
    // Without the journal, the tap masks the same way.
    const off = await startServer({ endpoints });
    const other = await wsConnect(off.ws());
    const { clientId: otherId } = await other.nextOfType<{ clientId: string }>('connected');
    const tap = await openFeed(off.http(`/admin/live/clients/${otherId}`));
    await tap.next<LogHistory>('history');
    other.send({ type: 'login', password: 'frame-secret' });
    const tapped = await rowsUntil<LoggedMessage>(tap, (rows) => rows.length >= 1);
    assert.equal(tapped[0]?.text, '{"type":"login","password":"***"}');
    for (const text of [list.text(), log.text(), detail, tap.text()]) assert.doesNotMatch(text, /query-secret|header-secret|ws-secret|frame-secret/);
    list.close();
    log.close();
    tap.close();
    await Promise.all([client.close(), other.close()]);
  });
});
