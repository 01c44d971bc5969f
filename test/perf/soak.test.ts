/**
 * The soak's short variant (the full one is `npm run soak`: 10 minutes, 1,000 clients): 200 clients with churn
 * and four streams for 20 seconds. It fails on a lost or duplicated tick for a client that stayed, memory
 * that keeps growing, or descriptors and handles not back to the baseline once the clients are gone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('soak (short)', () => {
  it('200 clients with churn for 20 s: nothing lost, nothing leaked', { timeout: 120_000 }, (t) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/soak/run.ts', '--seconds', '20', '--clients', '200'], { cwd: ROOT, encoding: 'utf8', timeout: 100_000 });
    t.diagnostic(run.stdout);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const summary = JSON.parse(run.stdout) as { counts: { checked: number } };
    assert.ok(summary.counts.checked > 1000, `${summary.counts.checked} ticks checked`);
  });
});
