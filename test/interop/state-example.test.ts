/**
 * examples/state end to end in Debian's Chromium (issue 30's worked example): a subscribe before login is
 * refused with the dialect's error; a login over HTTP lets the socket subscribe; an item added over REST is in
 * the caller's cart, on its WebSocket and in its Server-Sent Events notifications, and in nobody else's; the
 * admin API shows each caller's state; a logout closes the caller's socket with 4001. Two browser contexts
 * are two callers (each its own cookie jar). Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { launchServer, type RunningServer } from '../helpers/server.ts';
import { launchChromium, needsChromium, RESULTS } from '../helpers/system-clients.ts';

describe('examples/state in Chromium', { skip: needsChromium }, () => {
  let browser: Browser;
  let running: RunningServer;

  before(async () => {
    const { config, baseDir } = loadConfig({ cwd: ROOT, env: {}, configFile: 'examples/state/mockwave.yaml' });
    running = await launchServer({ ...config, host: '127.0.0.1', port: 0, log: { level: 'silent' } }, { baseDir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await running?.server.stop();
  });

  /** A fresh browser (its own cookies: its own caller) on the shop, with its errors collected. */
  async function shopper(): Promise<{ page: Page; errors: string[] }> {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(running.http('/shop'));
    await page.getByRole('status').filter({ hasText: 'not logged in' }).waitFor({ timeout: 10_000 });
    return { page, errors };
  }

  const item = (page: Page, list: string, text: string) => page.locator(`#${list} li`, { hasText: text }).waitFor({ timeout: 10_000 });

  it('login, a cart shared by REST, WebSocket and SSE for its caller only, and a logout that closes the socket with 4001', async () => {
    const ada = await shopper();
    const bob = await shopper();
    await item(ada.page, 'live', 'refused: log in first');
    await item(ada.page, 'cart', '401: log in first');

    await ada.page.click('text=Log in');
    await ada.page.getByRole('status').filter({ hasText: 'logged in as ada' }).waitFor({ timeout: 10_000 });
    await item(ada.page, 'live', 'subscribed to cart');
    await ada.page.fill('input[aria-label=item]', 'tea');
    await ada.page.fill('input[aria-label=quantity]', '3');
    await ada.page.click('text=Add to cart');
    await item(ada.page, 'cart', '#1 tea × 3');
    await item(ada.page, 'live', 'created #1 tea');
    await item(ada.page, 'notices', 'your cart: tea created');
    await ada.page.screenshot({ path: join(RESULTS, 'state-example.png') });

    await bob.page.fill('input[aria-label="user name"]', 'bob');
    await bob.page.click('text=Log in');
    await item(bob.page, 'live', 'subscribed to cart');
    await bob.page.fill('input[aria-label=item]', 'milk');
    await bob.page.click('text=Add to cart');
    await item(bob.page, 'cart', '#1 milk × 2');
    await item(bob.page, 'notices', 'your cart: milk created');
    assert.deepEqual(await bob.page.locator('#cart li').allTextContents(), ['#1 milk × 2'], 'bob has his own cart');
    assert.equal(await bob.page.locator('#live li', { hasText: 'tea' }).count(), 0, 'and is not told of ada\'s');
    assert.equal(await ada.page.locator('#notices li', { hasText: 'milk' }).count(), 0, 'nor ada of his');

    // The admin API shows each caller's state: the login and the cart.
    const admin = (await (await fetch(running.http('/admin/state'))).json()) as { data: { scopes: { scope: string }[] } };
    const callers = admin.data.scopes.map((s) => s.scope).filter((s) => s.startsWith('caller:'));
    assert.equal(callers.length, 2);
    const states = await Promise.all(callers.map(async (scope) => ((await (await fetch(running.http(`/admin/state/${encodeURIComponent(scope)}`))).json()) as { data: { state: { user: string; cart: { name: string }[] } } }).data.state));
    assert.deepEqual(states.map((s) => `${s.user}: ${s.cart.map((i) => i.name).join(',')}`).sort(), ['ada: tea', 'bob: milk']);

    await ada.page.click('text=Log out');
    await ada.page.locator('#socket', { hasText: 'closed: 4001 logged out' }).waitFor({ timeout: 10_000 });
    await item(ada.page, 'cart', '401: log in first');
    assert.equal(await bob.page.textContent('#socket'), 'connected', 'bob\'s socket stays open');
    await bob.page.screenshot({ path: join(RESULTS, 'state-example-second-caller.png') });
    assert.deepEqual([...ada.errors, ...bob.errors], []);
  });
});
