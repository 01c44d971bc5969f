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
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';


let browser: Browser;
let server: RunningServer;
let page: Page;
let client: WsTestClient;
let clientId: string;

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
            { name: 'news', interval: 1000, data: { headline: "{{pick 'up' 'down'}}" } },
            { name: 'fast', interval: 10, data: { n: '{{counter}}' } },
          ],
        },
      ],
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  after(async () => {
    await client?.close();
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

  it('a ws client appears when it connects, and its messages show in its log', async () => {
    client = await wsConnect(server.ws());
    clientId = (await client.nextOfType<{ clientId: string }>('connected')).clientId;
    client.send({ type: 'subscribe', event: 'ticker' });
    await page.getByRole('button', { name: /^Clients/ }).click();
    await page.getByTestId('client-row').filter({ hasText: clientId }).click();
    await page.getByTestId('client-title').filter({ hasText: clientId }).waitFor();
    // Messages pass from now on: the ticker's events arrive in the log.
    await page.getByTestId('message-log').getByText('"name": "ticker"').first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(RESULTS, 'dashboard-clients.png') });
  });

  it('a message composed on the page reaches the client', async () => {
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByTestId('compose-target').selectOption(`client:${clientId}`);
    await page.getByTestId('compose-text').fill('{"type": "event", "name": "from-dashboard", "data": {"hello": ');
    await page.getByTestId('compose-check').filter({ hasText: 'not JSON' }).waitFor();
    await page.getByTestId('compose-text').fill('{"type": "event", "name": "from-dashboard", "data": {"hello": "client"}}');
    await page.getByTestId('compose-check').filter({ hasText: 'valid JSON' }).waitFor();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('compose-status').filter({ hasText: 'delivered to 1 client' }).waitFor();
    const received = await client.nextOfType<{ name: string; data: unknown }>('event', 5000);
    let message = received;
    for (let i = 0; i < 50 && message.name !== 'from-dashboard'; i++) message = await client.nextOfType('event', 5000);
    assert.deepEqual(message.data, { hello: 'client' });
    await page.screenshot({ path: join(RESULTS, 'dashboard-compose.png') });
  });

  it('pauses a stream and ticks it by hand', async () => {
    await page.getByRole('button', { name: 'Streams' }).click();
    const row = page.getByTestId('stream-news');
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByText('paused').waitFor();
    await row.getByRole('button', { name: 'Tick now' }).click();
    await page.getByTestId('streams-status').filter({ hasText: 'news: ticked' }).waitFor();
    const news = server.server.stats().endpoints?.[0]?.streams.find((s) => s.name === 'news');
    assert.ok(news !== undefined);
    await page.screenshot({ path: join(RESULTS, 'dashboard-streams.png') });
    await row.getByRole('button', { name: 'Resume' }).click();
  });

  it('stays usable with 5,000 clients connected and a 100 messages/s stream being watched', { timeout: 90_000 }, async () => {
    const watched = await wsConnect(server.ws());
    const watchedId = (await watched.nextOfType<{ clientId: string }>('connected')).clientId;
    watched.send({ type: 'subscribe', event: 'fast' });
    // 5,000 idle connections from a load client process (bench/load/client.mjs), so this process stays light.
    const crowd = new LoadClient({ mode: 'hold', url: server.ws(), clients: 5000, concurrency: 500 });
    try {
      await crowd.next('ready', 60_000);
      await page.getByTestId('total-clients').filter({ hasText: /^5001 clients$|^5002 clients$/ }).waitFor({ timeout: 10_000 });
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
      await watched.close();
    }
  });

  it('disconnects the client with the chosen close code', async () => {
    await page.getByRole('button', { name: /^Clients/ }).click();
    await page.getByPlaceholder(/filter \d+ clients/).fill(clientId);
    await page.getByTestId('client-row').filter({ hasText: clientId }).click();
    await page.getByTestId('close-code').selectOption('4000');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    assert.equal((await client.closed).code, 4000);
    await page.getByText(`${clientId} has disconnected.`).waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(RESULTS, 'dashboard-disconnected.png') });
  });
});
