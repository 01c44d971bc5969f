/**
 * The dashboard end to end, in Debian's Chromium (playwright-core, never a downloaded browser): it loads,
 * a `ws` client appears when it connects, its log (read from the journal) begins at its first message, one
 * row per frame with its body on click, pause and clear; a message composed on the page reaches it, a stream
 * is paused and ticked from the page, the client is disconnected with a chosen code, and the request list
 * shows HTTP requests, the SSE connect and WebSocket upgrades with their headers on click, secrets masked.
 * Without the journal, the log says why it starts now. Screenshots of each screen go to test-results/. Needs
 * a built dashboard (npm run build).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LoadClient } from '../../bench/lib/processes.ts';
import { ROOT } from '../helpers/cli.ts';
import { launchChromium, needsChromium, RESULTS } from '../helpers/system-clients.ts';
import { launchServer, type RunningServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';


let browser: Browser;
let server: RunningServer;
let page: Page;
const clients: WsTestClient[] = [];

/** A client of its own for each test, so no test depends on another having run first. */
async function connectedClient(): Promise<{ client: WsTestClient; id: string }> {
  const client = await wsConnect(server.ws());
  clients.push(client);
  return { client, id: (await client.nextOfType<{ clientId: string }>('connected')).clientId };
}

async function openClient(id: string): Promise<void> {
  await page.getByRole('button', { name: /^Clients/ }).click();
  await page.getByPlaceholder(/filter \d+ clients/).fill(id);
  await page.getByTestId('client-row').filter({ hasText: id }).click();
  await page.getByTestId('client-title').filter({ hasText: id }).waitFor();
}

describe('the dashboard (Chromium)', { skip: needsChromium }, () => {
  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist/dashboard/index.html')), 'the dashboard is not built: npm run build');
    server = await launchServer({
      journal: { enabled: true },
      endpoints: [
        {
          path: '/ws',
          dialect: 'guide',
          streams: [
            { name: 'ticker', interval: 200, data: { symbol: 'MOCK', price: '{{walk 100 1}}' } },
            { name: 'news', interval: 100, data: { n: '{{counter}}' } },
            { name: 'fast', interval: 10, data: { n: '{{counter}}' } },
            { name: 'prices', generator: 'ticker', options: { symbol: 'ACME', price: 42 } },
          ],
          rules: [{ name: 'hello', when: { type: 'hello' }, then: [{ reply: { type: 'hi' } }, { delay: '10-20' }, { publish: 'news' }] }],
        },
        { path: '/events', protocol: 'sse', sse: { heartbeat: 0 }, streams: [{ name: 'feed', data: { n: 1 } }] },
      ],
      http: {
        routes: [
          { name: 'orders', method: 'GET', path: '/api/orders', then: [{ respond: { body: [] } }] },
          { name: 'new price', method: 'POST', path: '/api/prices', then: [{ publish: { stream: 'prices', data: { symbol: 'ACME', price: 43.5 } } }, { respond: { status: 204 } }] },
        ],
      },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.http('/'));
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await browser?.close();
    await server?.server.stop();
  });

  it('loads at / and shows the endpoints, streams and a live chart', async () => {
    await page.goto(server.http('/'));
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await page.getByText('ticker', { exact: true }).first().waitFor();
    await page.locator('.live').waitFor();
    // The API still answers JSON at / to anything that does not ask for HTML.
    const api = await fetch(server.http('/'));
    assert.equal((await api.json() as { data: { name: string } }).data.name, 'mockwave');
    await page.screenshot({ path: join(RESULTS, 'dashboard-overview.png') });
  });

  it('no error in the console (the icon is in the page), and the header and the Clients tab count the same clients, Server-Sent Events included', async () => {
    const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const asked: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    tab.on('pageerror', (error) => errors.push(error.message));
    tab.on('request', (request) => asked.push(new URL(request.url()).pathname));
    await connectedClient();
    const sse = new AbortController();
    assert.equal((await fetch(server.http('/events'), { signal: sse.signal })).status, 200);
    try {
      await waitUntil(() => server.server.stats().sseClients === 1, 5000, 'the SSE client to be counted');
      await tab.goto(server.http('/'));
      // The header against the server's count as it is when the header is read: a client of an earlier test
      // still closing changes both, and a page slow to render on a loaded machine gets 15 s, not 5.
      const header = tab.getByTestId('total-clients');
      let counts = server.server.stats();
      let shown: string | null = null;
      for (let tries = 0; tries < 150; tries++) {
        counts = server.server.stats();
        shown = await header.textContent({ timeout: 15_000 });
        if (shown === `${counts.connectedClients + counts.sseClients} clients`) break;
        await tab.waitForTimeout(100);
      }
      const { connectedClients, sseClients } = counts;
      const total = connectedClients + sseClients;
      assert.equal(shown, `${total} clients`, 'the header counts what the server counts');
      assert.equal(await tab.getByTestId('client-kinds').textContent(), `${connectedClients} WebSocket · ${sseClients} SSE`);
      assert.equal(await tab.getByRole('button', { name: /^Clients/ }).textContent(), `Clients (${total})`, 'the tab counts what the header counts');
      await tab.getByRole('button', { name: /^Clients/ }).click();
      // The list and the tab's count come from the same snapshot; a later snapshot (a client of an earlier
      // test ending) may change both, so the two are compared as the page shows them, for up to 15 s.
      const listed = await tab
        .waitForFunction(`(() => {
          const label = [...document.querySelectorAll('nav button')].find((b) => b.textContent.startsWith('Clients'));
          const count = Number(/\\((\\d+)\\)/.exec(label?.textContent ?? '')?.[1]);
          const rows = document.querySelectorAll('[data-testid=client-row]').length;
          return rows === count && rows > 0 ? rows : false;
        })()`, undefined, { timeout: 15_000 })
        .then((handle) => handle.jsonValue(), () => 'the rows never matched the tab');
      assert.equal(typeof listed, 'number', 'the Clients tab lists as many rows as it counts');
      // A browser asks for /favicon.ico (a 404, an error in its console) only when the page declares no icon;
      // headless Chromium asks for none, so the test checks the declared icon is there and loads.
      const icon = String(
        await tab.evaluate(`new Promise((resolve) => {
          const href = document.querySelector('link[rel=icon]')?.href;
          if (href === undefined) return resolve('no icon declared');
          const image = new Image();
          image.onload = () => resolve(href.slice(0, href.indexOf(',')) + ' ' + image.naturalWidth + 'x' + image.naturalHeight);
          image.onerror = () => resolve('the icon does not load: ' + href);
          image.src = href;
        })`),
      );
      assert.match(icon, /^data:image\/svg\+xml \d+x\d+$/);
      await tab.screenshot({ path: join(RESULTS, 'dashboard-counts.png') });
      assert.ok(!asked.includes('/favicon.ico'), `requests: ${asked.join(' ')}`);
      assert.deepEqual(errors, []);
    } finally {
      sse.abort();
      await tab.close();
    }
  });

  it('a stream fed by a generator names it with its options; a publish from an HTTP route counts as a tick and is its last payload', async () => {
    await page.getByRole('button', { name: 'Streams' }).click();
    const source = page.getByTestId('stream-source-prices');
    await source.filter({ hasText: 'generator ticker with {"symbol":"ACME","price":42}' }).waitFor({ timeout: 5000 });
    assert.equal((await fetch(server.http('/api/prices'), { method: 'POST' })).status, 204);
    await source.filter({ hasText: 'last sent: {"symbol":"ACME","price":43.5}' }).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Overview' }).click();
    const row = page.locator('tr', { has: page.getByRole('cell', { name: 'prices', exact: true }) });
    await row.getByText('{"symbol":"ACME","price":43.5}').waitFor({ timeout: 5000 });
    assert.equal(await row.locator('td').nth(4).textContent(), '1', 'ticks');
    await page.screenshot({ path: join(RESULTS, 'dashboard-generator-stream.png') });
  });

  it('a ws client appears when it connects; its log begins at its first message, one row per frame, the body on click, pause and clear', async () => {
    const { client, id } = await connectedClient();
    client.send({ type: 'subscribe', event: 'ticker' });
    await client.nextOfType('subscribed');
    await openClient(id);
    const log = page.getByTestId('message-log');
    // From the journal: what happened before the log was opened, oldest first.
    const rows = log.getByTestId('message-row');
    await rows.first().filter({ hasText: 'connected' }).waitFor({ timeout: 5000 });
    await log.getByTestId('message-row').filter({ hasText: '"type":"connected"' }).first().waitFor({ timeout: 5000 });
    await log.getByTestId('message-row').filter({ hasText: 'subscribed to ticker' }).waitFor({ timeout: 5000 });
    const tick = log.getByTestId('message-row').filter({ hasText: '"name":"ticker"' }).first();
    await tick.waitFor({ timeout: 5000 });
    assert.match((await tick.textContent()) ?? '', /^↓\d\d:\d\d:\d\d\.\d{3}\d+\{/, 'arrow, time, length, preview');
    await tick.click();
    assert.match((await page.getByTestId('message-body').textContent()) ?? '', /\n {2}"name": "ticker"/, 'pretty-printed');
    await page.screenshot({ path: join(RESULTS, 'dashboard-clients.png') });
    // The log fills the window's height.
    const box = await page.locator('.log .virtual').boundingBox();
    assert.ok(box !== null && box.height > 300, `the log is ${box?.height} px high in a 900 px window`);
    await page.getByTestId('log-pause').click();
    await page.getByTestId('log-count').filter({ hasText: /arrived while paused/ }).waitFor({ timeout: 5000 });
    const shown = await page.getByTestId('log-count').textContent();
    await page.getByTestId('log-count').filter({ hasText: /[2-9]\d* arrived while paused|\d{2,} arrived while paused/ }).waitFor({ timeout: 5000 });
    assert.equal(((await page.getByTestId('log-count').textContent()) ?? '').split(' shown')[0], (shown ?? '').split(' shown')[0], 'nothing added while paused');
    await page.getByTestId('log-pause').click();
    await page.getByTestId('log-clear').click();
    await page.getByTestId('log-count').filter({ hasText: /^\d+ shown$/ }).waitFor({ timeout: 5000 });
    await log.getByTestId('message-row').filter({ hasText: '"name":"ticker"' }).first().waitFor({ timeout: 5000 });
    assert.equal(await log.getByTestId('message-row').filter({ hasText: 'subscribed to ticker' }).count(), 0, 'cleared rows stay gone');
  });

  it('a message composed on the page reaches the client', async () => {
    const { client, id } = await connectedClient();
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByTestId('compose-target').selectOption(`client:${id}`);
    await page.getByTestId('compose-text').fill('{"type": "event", "name": "from-dashboard", "data": {"hello": ');
    await page.getByTestId('compose-check').filter({ hasText: 'not JSON' }).waitFor();
    await page.getByTestId('compose-text').fill('{"type": "event", "name": "from-dashboard", "data": {"hello": "client"}}');
    await page.getByTestId('compose-check').filter({ hasText: 'valid JSON' }).waitFor();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('compose-status').filter({ hasText: 'delivered to 1 client' }).waitFor();
    // The client subscribed to nothing, so the composed message is the only event it can get.
    const message = await client.nextOfType<{ name: string; data: unknown }>('event', 5000);
    assert.equal(message.name, 'from-dashboard');
    assert.deepEqual(message.data, { hello: 'client' });
    await page.screenshot({ path: join(RESULTS, 'dashboard-compose.png') });
  });

  it('pauses a stream (no tick while paused), ticks it by hand (exactly one), and resumes it', async () => {
    const { client } = await connectedClient();
    client.send({ type: 'subscribe', event: 'news' });
    await client.nextOfType('subscribed');
    await client.nextOfType('event');
    await page.getByRole('button', { name: 'Streams' }).click();
    const row = page.getByTestId('stream-news');
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByText('paused').waitFor();
    // Ticks sent before the pause took effect, then none for five intervals.
    await client.drain(150, 100);
    await client.expectSilence(500);
    await row.getByRole('button', { name: 'Tick now' }).click();
    await page.getByTestId('streams-status').filter({ hasText: 'news: ticked' }).waitFor();
    const ticked = await client.nextOfType<{ data: { n: number } }>('event', 3000);
    await client.expectSilence(300);
    await page.screenshot({ path: join(RESULTS, 'dashboard-streams.png') });
    await row.getByRole('button', { name: 'Resume' }).click();
    const next = await client.nextOfType<{ data: { n: number } }>('event', 3000);
    const after = await client.nextOfType<{ data: { n: number } }>('event', 3000);
    assert.deepEqual([next.data.n, after.data.n], [ticked.data.n + 1, ticked.data.n + 2], 'ticks resume, in order');
  });

  it('stays usable with 5,000 clients connected and a 100 messages/s stream being watched', { timeout: 90_000 }, async () => {
    const { client: watched, id: watchedId } = await connectedClient();
    watched.send({ type: 'subscribe', event: 'fast' });
    // 5,000 idle connections from a load client process (bench/load/client.mjs), so this process stays light.
    const crowd = new LoadClient({ mode: 'hold', url: server.ws(), clients: 5000, concurrency: 500 });
    try {
      await crowd.next('ready', 60_000);
      const { connectedClients, sseClients } = server.server.stats();
      const before = connectedClients + sseClients - 5000;
      await page.getByTestId('total-clients').filter({ hasText: new RegExp(`^${5000 + before} clients$`) }).waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: /^Clients/ }).click();
      const started = Date.now();
      await page.getByPlaceholder(/filter \d+ clients/).fill(watchedId);
      await page.getByTestId('client-row').filter({ hasText: watchedId }).click();
      await page.getByTestId('message-log').getByText('"name":"fast"').first().waitFor({ timeout: 10_000 });
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 5000, `finding and opening one client among 5,000 took ${elapsed} ms`);
      // The log stays bounded however long the 100/s stream runs, and only the rows in view are drawn.
      assert.ok((await page.getByTestId('message-row').count()) <= 100);
      await page.screenshot({ path: join(RESULTS, 'dashboard-5000-clients.png') });
    } finally {
      crowd.kill();
    }
  });

  it('disconnects a client with the chosen close code', async () => {
    const { client, id } = await connectedClient();
    await openClient(id);
    await page.getByTestId('close-code').selectOption('4000');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    const closed = await client.closed();
    assert.equal(closed.code, 4000);
    await page.getByText(`${id} has disconnected.`).waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(RESULTS, 'dashboard-disconnected.png') });
  });

  it('the request list has HTTP requests, the SSE connect and WebSocket upgrades, one row each, headers and bodies on click, secrets masked', async () => {
    assert.equal((await fetch(server.http('/api/orders?token=query-secret&page=2'), { headers: { authorization: 'Bearer header-secret' } })).status, 200);
    assert.equal((await fetch(server.http('/api/nothing'))).status, 404);
    const sse = new AbortController();
    assert.equal((await fetch(server.http('/events'), { signal: sse.signal })).status, 200);
    await connectedClient();
    await page.getByRole('button', { name: 'HTTP' }).click();
    await page.getByTestId('http-hits-orders').filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 5000 });
    const requests = page.getByTestId('http-requests');
    await page.getByTestId('request-type').selectOption('');
    const order = requests.getByTestId('request-row').filter({ hasText: '/api/orders?token=***&page=2' });
    await order.filter({ hasText: /GET.*200fetchorders/ }).waitFor({ timeout: 5000 });
    await requests.getByTestId('request-row').filter({ hasText: /\/api\/nothing404fetchno route/ }).last().waitFor({ timeout: 5000 });
    await requests.getByTestId('request-row').filter({ hasText: /GET\/events200eventsource/ }).last().waitFor({ timeout: 5000 });
    await requests.getByTestId('request-row').filter({ hasText: /GET\/ws101websocket/ }).last().waitFor({ timeout: 5000 });
    await order.last().click();
    const detail = page.getByTestId('request-detail');
    await detail.getByText('Request headers').waitFor({ timeout: 5000 });
    const text = (await detail.textContent()) ?? '';
    assert.match(text, /authorization\*\*\*/);
    assert.doesNotMatch(text, /header-secret|query-secret/);
    assert.doesNotMatch(await page.content(), /header-secret|query-secret/);
    // An upgrade's row shows the head of the request it came in with.
    await requests.getByTestId('request-row').filter({ hasText: /GET\/ws101websocket/ }).last().click();
    await detail.getByText('sec-websocket-version').waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(RESULTS, 'dashboard-http.png') });
    // The SSE connect's row gets its duration once the stream ends.
    sse.abort();
    await page.getByTestId('request-type').selectOption('sse');
    await requests.getByTestId('request-row').last().filter({ hasText: /\d+ ms$/ }).waitFor({ timeout: 5000 });
    await page.getByTestId('request-type').selectOption('');
  });

  it('each HTTP route and each rule is shown in one line', async () => {
    await page.getByRole('button', { name: 'HTTP' }).click();
    await page.getByTestId('http-explain-orders').filter({ hasText: 'GET /api/orders -> respond 200 (json body)' }).waitFor({ timeout: 5000 });
    await page.getByTestId('http-explain-new price').filter({ hasText: 'POST /api/prices -> publish prices {"symbol":"ACME","price":43.5}, respond 204 (no body)' }).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Overview' }).click();
    await page.getByTestId('rule-explain-hello').filter({ hasText: 'when {"type":"hello"} then reply {"type":"hi"}, delay 10-20 ms, publish news' }).waitFor({ timeout: 5000 });
  });

  it('without the journal, the log starts now and says history needs --journal; the request list has the upgrades too', async () => {
    const off = await launchServer({ endpoints: [{ path: '/ws', dialect: 'guide' }] });
    const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const client = await wsConnect(off.ws());
    try {
      const { clientId } = await client.nextOfType<{ clientId: string }>('connected');
      await tab.goto(off.http('/'));
      await tab.getByRole('button', { name: /^Clients/ }).click();
      await tab.getByTestId('client-row').filter({ hasText: clientId }).click();
      await tab.getByTestId('log-note').filter({ hasText: '--journal' }).waitFor({ timeout: 5000 });
      client.send({ type: 'ping' });
      await tab.getByTestId('message-row').filter({ hasText: /^↑.*"type":"ping"/ }).waitFor({ timeout: 5000 });
      await tab.getByRole('button', { name: 'HTTP' }).click();
      await tab.getByTestId('requests-note').filter({ hasText: '--journal' }).waitFor({ timeout: 5000 });
      await tab.getByTestId('request-row').filter({ hasText: /GET\/ws101websocket/ }).waitFor({ timeout: 5000 });
    } finally {
      await client.close();
      await tab.close();
      await off.server.stop();
    }
  });
});
