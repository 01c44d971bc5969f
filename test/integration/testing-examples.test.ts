/**
 * The three example tests of examples/testing/ (docs/journal.md), run as their users run them: node:test
 * with the library, Python's unittest with urllib, and a Playwright page in Chromium, the last two against
 * `mockwave examples/testing/mockwave.yaml`. Each drives a client, verifies what it sent and sees a 417 (or
 * an AssertionError) with the near misses for what it did not; here each must pass, all of its tests.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT, runCli, runMockwave, type RunningCli } from '../helpers/cli.ts';
import { needsChromium, needsPython, PYTHON } from '../helpers/system-clients.ts';

const EXAMPLES = join(ROOT, 'examples/testing');
const needsBuild = existsSync(join(ROOT, 'dist/index.js')) ? false : 'the library example imports the build: run npm run build (npm test does)';

/**
 * Runs a test command to its end; its output, failing with it when the command fails. `node --test` is run
 * with the TAP reporter: Node 24's default is another, and the counts are read from TAP's lines.
 */
async function passes(run: RunningCli, what: string): Promise<string> {
  const { code } = await run.exited;
  const output = `${run.output()}${run.errors()}`;
  assert.equal(code, 0, `${what} failed:\n${output}`);
  return output;
}

describe('the example tests of examples/testing/', () => {
  it('node:test with the library: verify, the near-miss AssertionError, waitFor', { skip: needsBuild }, async () => {
    const output = await passes(runCli(process.execPath, ['--test', '--test-reporter=tap', join(EXAMPLES, 'shop.test.mjs')]), 'shop.test.mjs');
    assert.match(output, /# pass 3\n# fail 0/);
  });

  describe('against the example server', () => {
    let base = '';
    // Started in the suite itself: the server is stopped when the suite ends, not when a hook does.
    const server = runMockwave([join(EXAMPLES, 'mockwave.yaml'), '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn']);
    before(async () => {
      base = `http://127.0.0.1:${(await server.waitFor(/listening on http:\/\/[^:]+:(\d+)/, 30_000))[1]}`;
    });

    it('Python unittest with urllib', { skip: needsPython('json', 'python3') }, async () => {
      const output = await passes(runCli(PYTHON, ['-m', 'unittest', '-v', 'examples/testing/test_shop.py'], { env: { MOCKWAVE_URL: base, PYTHONDONTWRITEBYTECODE: '1' } }), 'test_shop.py');
      assert.match(output, /Ran 3 tests/);
      assert.match(output, /\nOK\n/);
    });

    it('Playwright in Chromium', { skip: needsChromium }, async () => {
      const output = await passes(runCli(process.execPath, ['--test', '--test-reporter=tap', join(EXAMPLES, 'browser.test.mjs')], { env: { MOCKWAVE_URL: base } }), 'browser.test.mjs');
      assert.match(output, /# pass 1\n# fail 0/);
    });
  });
});
