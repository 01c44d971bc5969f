/**
 * The dashboard's State tab in Debian's Chromium (issue 30, item 5): it lists the scopes with their figures,
 * shows a scope's document and follows changes made elsewhere, saves an edit (and refuses one that is not
 * JSON without sending it), and forgets a scope. Needs a built dashboard (npm run build).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../helpers/cli.ts';
import { launchServer, type RunningServer } from '../helpers/server.ts';
import { launchChromium, needsChromium, RESULTS } from '../helpers/system-clients.ts';
import { waitUntil } from '../helpers/wait.ts';

describe('the dashboard\'s State tab (Chromium)', { skip: needsChromium }, () => {
  let browser: Browser;
  let running: RunningServer;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist/dashboard/index.html')), 'the dashboard is not built: npm run build');
    running = await launchServer({
      stateStore: { caller: 'header:x-user' },
      http: { routes: [{ method: 'POST', path: '/api/visit', then: [{ setState: { scope: 'client' as const, increment: { visits: 1 } } }, { setState: { scope: 'global' as const, increment: { total: 1 } } }, { respond: { status: 204 } }] }] },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(running.http('/'));
    await page.getByRole('button', { name: 'State' }).click();
  });
  after(async () => {
    await browser?.close();
    await running?.server.stop();
  });

  const documentShows = (text: string) => page.waitForFunction(`document.querySelector('[data-testid=state-document]')?.value.includes(${JSON.stringify(text)})`, undefined, { timeout: 10_000 });

  it('shows the scopes and a document that follows changes made elsewhere; saves an edit; refuses text that is not JSON; forgets a scope', async () => {
    await fetch(running.http('/api/visit'), { method: 'POST', headers: { 'x-user': 'ada' } });
    await documentShows('"total": 1');
    await page.getByTestId('state-scope').filter({ hasText: 'caller:ada' }).waitFor({ timeout: 10_000 });
    await fetch(running.http('/api/visit'), { method: 'POST', headers: { 'x-user': 'ada' } });
    await documentShows('"total": 2');
    assert.match(await page.getByTestId('state-figures').textContent() ?? '', /^1 scope besides global, \d+ bytes, 4 transitions, 0 evicted$/);

    await page.getByTestId('state-document').fill('{ "open": true, "total": 10 }');
    await page.getByTestId('state-title').filter({ hasText: 'global (edited, not saved)' }).waitFor();
    await fetch(running.http('/api/visit'), { method: 'POST', headers: { 'x-user': 'ada' } });
    // Once the page has read the change (its figures count it), the edit must still be there.
    await page.getByTestId('state-figures').filter({ hasText: '6 transitions' }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(50);
    assert.equal(await page.getByTestId('state-document').inputValue(), '{ "open": true, "total": 10 }', 'an edit is not overwritten by a change elsewhere');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('state-status').filter({ hasText: 'saved global' }).waitFor();
    assert.deepEqual(running.server.state.get('global'), { open: true, total: 10 });

    await page.getByTestId('state-document').fill('{ not json');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('state-status').filter({ hasText: 'not saved: the document is not JSON' }).waitFor();
    assert.deepEqual(running.server.state.get('global'), { open: true, total: 10 }, 'nothing was sent');
    await page.getByRole('button', { name: 'Discard edits' }).click();
    await documentShows('"open": true');

    await page.getByTestId('state-scope').filter({ hasText: 'caller:ada' }).click();
    await documentShows('"visits": 3');
    await page.screenshot({ path: join(RESULTS, 'dashboard-state.png') });
    await page.getByRole('button', { name: 'Forget this scope' }).click();
    await waitUntil(() => running.server.state.get('caller:ada') === undefined, 5000, 'the caller\'s scope to be forgotten');
    await page.getByTestId('state-status').filter({ hasText: 'forgot caller:ada' }).waitFor();
  });
});
