/**
 * Two test files run in parallel (`node --test --test-concurrency=2`, two processes) against one server,
 * each naming its own scope: each sees only its own traffic through the admin API (test/fixtures/
 * parallel-scopes/; each file waits for the other's client, so they overlap), and the server saw both.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';

const FILES = join(ROOT, 'test/fixtures/parallel-scopes');
const echo = { path: '/ws', dialect: 'raw' as const, rules: [{ when: { type: 'order' }, then: [{ reply: { type: 'accepted', id: '{{message.id}}' } }] }] };

describe('scopes for test files that share a server', () => {
  it('two test files in parallel, each in its own scope, see only their own traffic', { timeout: 90_000 }, async () => {
    const { http, server } = await startServer({ journal: { enabled: true }, endpoints: [echo] });
    const run = runCli(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=30000', '--test-reporter=tap', join(FILES, 'a.test.mjs'), join(FILES, 'b.test.mjs')], { env: { MOCKWAVE_URL: http('').replace(/\/$/, '') } });
    const { code } = await run.exited;
    const output = `${run.output()}${run.errors()}`;
    assert.equal(code, 0, output);
    assert.match(output, /# pass 2\n# fail 0/);
    server.verify({ direction: 'in', message: { type: 'order' } }, { count: 8 });
  });
});
