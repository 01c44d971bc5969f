/**
 * Each guard of eslint.config.js fails on a deliberately wrong example: the files of test/fixtures/lint/src/,
 * linted as src/ is (the normal lint skips them). Each file's first comment names the rules it must break
 * ("Expects: a, b" or "Expects: nothing"); the test expects exactly those, so a guard that stops firing, or one
 * that fires on fine code, fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = 'test/fixtures/lint/src';

/** The rules a fixture says it breaks. */
function expected(file: string): string[] {
  const said = /Expects: ([^.]+)\./.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  return said === 'nothing' ? [] : said.split(',').map((rule) => rule.trim());
}

describe('lint guards fail on deliberately wrong code', async () => {
  // `ignore: false`: the fixtures are in the configuration's ignores, so that `npm run lint` passes.
  const results = await new ESLint({ cwd: ROOT, ignore: false }).lintFiles([`${FIXTURES}/**/*.ts`]);

  it('lints every fixture, the wrong ones and the fine ones', () => {
    assert.ok(results.length >= 12, `${results.length} fixtures linted`);
    for (const result of results) assert.equal(result.messages.filter((m) => m.fatal === true).length, 0, `${result.filePath} could not be parsed`);
  });

  for (const result of results) {
    const name = relative(`${ROOT}${FIXTURES}`, result.filePath);
    it(`${name}: ${expected(result.filePath).join(', ') || 'no error'}`, () => {
      const found = [...new Set(result.messages.map((m) => m.ruleId ?? 'unknown'))].sort();
      assert.deepEqual(found, expected(result.filePath).sort(), result.messages.map((m) => `${m.line}: ${m.message}`).join('\n'));
    });
  }
});
