/**
 * The soak's short variant (the full one is `npm run soak`: 10 minutes, 1,000 clients): 200 clients with churn
 * and four streams for 20 seconds. It fails on a lost or duplicated tick for a client that stayed, heap or
 * Buffer memory that keeps growing, or descriptors and handles not back to the baseline once the clients are gone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('soak (short)', () => {
  it('200 clients with churn for 20 s: nothing lost, nothing leaked', { timeout: 120_000 }, (t) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/soak/run.ts', '--seconds', '20', '--clients', '200'], { cwd: ROOT, encoding: 'utf8', timeout: 100_000 });
    t.diagnostic(run.stdout);
    // The failed checks come first: CI shows only the start of a long message.
    let summary: { counts?: { checked: number }; checks?: Record<string, boolean> } = {};
    try {
      summary = JSON.parse(run.stdout) as typeof summary;
    } catch {
      // A crash prints no summary; the assertion below shows its stderr.
    }
    const failed = Object.entries(summary.checks ?? {}).filter(([, ok]) => !ok).map(([name]) => name);
    assert.equal(run.status, 0, `failed: ${failed.join(', ') || '(no summary)'}\n${run.stderr}\n${run.stdout}`);
    const checked = summary.counts?.checked ?? 0;
    assert.ok(checked > 1000, `${checked} ticks checked`);
  });
});
