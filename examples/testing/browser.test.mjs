// A browser test with Playwright (playwright-core, driving an installed Chromium) and node:test: a page
// served by mockwave logs in and orders; the test asks mockwave's admin API what the page sent.
//
//   npx mockwave examples/testing/mockwave.yaml            # in one terminal
//   node --test examples/testing/browser.test.mjs          # in another
//
// MOCKWAVE_URL points elsewhere (default http://localhost:3000); CHROMIUM names the browser (default
// /usr/bin/chromium, Debian's). With @playwright/test the same calls go in its `test()` blocks.
/* global fetch, document -- Node's own fetch (Node 18+); `document` inside page.waitForFunction, run in the page */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';

const BASE = process.env.MOCKWAVE_URL ?? 'http://localhost:3000';
let browser;

before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
});
after(() => browser?.close());

/** POSTs a question to the admin API: the status and the answer. */
async function ask(path, body) {
  const response = await fetch(`${BASE}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, answer: await response.json() };
}

describe('the shop page', () => {
  it('logs in, connects, and sends the order when the button is clicked', async () => {
    const scope = `page-${Date.now()}`;
    const page = await browser.newPage();
    await page.goto(`${BASE}/shop?scope=${scope}`);
    // The page connected: its WebSocket client is in the journal, in this test's scope.
    const opened = await ask('/admin/wait', { scope, match: { kind: 'open', endpoint: '/ws' }, timeout: 5000 });
    assert.equal(opened.status, 200, JSON.stringify(opened.answer));
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'connected');
    await page.click('#order');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'order accepted');

    const sent = await ask('/admin/verify', { scope, order: [{ method: 'POST', path: '/api/login', body: { user: 'ada' } }, { direction: 'in', message: { type: 'order', symbol: 'ABC', qty: 2 } }] });
    assert.equal(sent.status, 200, JSON.stringify(sent.answer));

    // What the page did not send: 417, with the page's own order as the closest entry, its qty the difference.
    const notSent = await ask('/admin/verify', { scope, match: { direction: 'in', message: { type: 'order', qty: 3 } } });
    assert.equal(notSent.status, 417);
    assert.deepEqual(notSent.answer.closest[0].mismatches.map((m) => [m.field, m.actual.qty]), [['message', 2]]);
    await page.close();
  });
});
