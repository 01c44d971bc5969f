/**
 * examples/sse-resume in Debian's Chromium (issue 31, item 6): browser EventSources on a feed whose
 * connections are cut every 10 events reconnect by themselves with Last-Event-ID, and mockwave sends what
 * each missed: 40 events in a row with no id skipped or repeated, over at least four connections each. The page checks
 * the ids; the test reads its verdict, and the server's count of the cuts it injected. A screenshot goes to
 * test-results/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { launchServer, type RunningServer } from '../helpers/server.ts';
import { launchChromium, needsChromium, RESULTS } from '../helpers/system-clients.ts';

describe('examples/sse-resume in Chromium', { skip: needsChromium }, () => {
  let browser: Browser;
  let running: RunningServer;

  before(async () => {
    const { config, baseDir } = loadConfig({ cwd: ROOT, env: {}, configFile: 'examples/sse-resume/mockwave.yaml' });
    running = await launchServer({ ...config, host: '127.0.0.1', port: 0, log: { level: 'silent' } }, { baseDir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await running?.server.stop();
  });

  it('two EventSources cut every 10 events resume each time without losing or repeating one', async () => {
    // Two pages: a feed ticks only while someone listens, so while one page is away the other keeps it
    // going, and the one away has events to catch up on when it comes back.
    const pages = [await browser.newPage(), await browser.newPage()];
    const errors: string[] = [];
    for (const page of pages) {
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(running.http('/prices-page'));
    }
    for (const page of pages) await page.waitForFunction("document.querySelectorAll('#events li').length >= 40", undefined, { timeout: 30_000 });
    await pages[0]?.screenshot({ path: join(RESULTS, 'sse-resume-example.png') });
    let opensInAll = 0;
    for (const page of pages) {
      const ids = (await page.evaluate("[...document.querySelectorAll('#events li')].map((item) => item.value)")) as number[];
      const first = ids[0] as number;
      assert.deepEqual(ids.slice(0, 40), Array.from({ length: 40 }, (_, i) => first + i), 'ids in a row');
      assert.equal(await page.textContent('#gaps'), 'gaps: none');
      const opens = Number((await page.textContent('#opens'))?.replace('connections: ', ''));
      assert.ok(opens >= 4, `${opens} connections`);
      opensInAll += opens;
    }
    const faults = (await (await fetch(running.http('/admin/faults'))).json()) as { data: { endpoints: { injected: { disconnect: number } }[] } };
    assert.ok((faults.data.endpoints[0]?.injected.disconnect ?? 0) >= opensInAll - 2, 'each reconnect followed an injected cut');
    assert.deepEqual(errors, []);
  });
});
