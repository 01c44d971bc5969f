/**
 * The dashboard end to end, in Debian's Chromium (playwright-core, never a downloaded browser): it loads,
 * a `ws` client appears when it connects, its messages show in its log, a message composed on the page
 * reaches it, a stream is paused and ticked from the page, and the client is disconnected with a chosen
 * code. Screenshots of each screen go to test-results/. Needs a built dashboard (npm run build).
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
      const { connectedClients, sseClients } = server.server.stats();
      const total = connectedClients + sseClients;
      await tab.goto(server.http('/'));
      await tab.getByTestId('total-clients').filter({ hasText: new RegExp(`^${total} clients$`) }).waitFor({ timeout: 5000 });
      assert.equal(await tab.getByTestId('client-kinds').textContent(), `${connectedClients} WebSocket · ${sseClients} SSE`);
      assert.equal(await tab.getByRole('button', { name: /^Clients/ }).textContent(), `Clients (${total})`, 'the tab counts what the header counts');
      await tab.getByRole('button', { name: /^Clients/ }).click();
      assert.equal(await tab.getByTestId('client-row').count(), total, 'and lists as many');
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

  it('a ws client appears when it connects, and its messages show in its log', async () => {
    const { client, id } = await connectedClient();
    client.send({ type: 'subscribe', event: 'ticker' });
    await openClient(id);
    // Messages pass from now on: the ticker's events arrive in the log.
    await page.getByTestId('message-log').getByText('"name": "ticker"').first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(RESULTS, 'dashboard-clients.png') });
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
      await page.getByTestId('message-log').getByText('"name": "fast"').first().waitFor({ timeout: 10_000 });
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 5000, `finding and opening one client among 5,000 took ${elapsed} ms`);
      // The log stays bounded however long the 100/s stream runs.
      assert.ok((await page.getByTestId('message-log').locator('li').count()) <= 1000);
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

  it('the HTTP view lists the routes with their hits and the requests as they are answered', async () => {
    assert.equal((await fetch(server.http('/api/orders'))).status, 200);
    assert.equal((await fetch(server.http('/api/nothing'))).status, 404);
    await page.getByRole('button', { name: 'HTTP' }).click();
    await page.getByTestId('http-hits-orders').filter({ hasText: '1' }).waitFor({ timeout: 5000 });
    const requests = page.getByTestId('http-requests');
    await requests.getByText('/api/nothing').waitFor({ timeout: 5000 });
    await requests.locator('tr', { hasText: '/api/orders' }).getByText('200').waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(RESULTS, 'dashboard-http.png') });
  });

  it('each HTTP route and each rule is shown in one line', async () => {
    await page.getByRole('button', { name: 'HTTP' }).click();
    await page.getByTestId('http-explain-orders').filter({ hasText: 'GET /api/orders -> respond 200 (json body)' }).waitFor({ timeout: 5000 });
    await page.getByTestId('http-explain-new price').filter({ hasText: 'POST /api/prices -> publish prices {"symbol":"ACME","price":43.5}, respond 204 (no body)' }).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Overview' }).click();
    await page.getByTestId('rule-explain-hello').filter({ hasText: 'when {"type":"hello"} then reply {"type":"hi"}, delay 10-20 ms, publish news' }).waitFor({ timeout: 5000 });
  });
});
