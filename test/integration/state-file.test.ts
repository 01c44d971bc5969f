/**
 * The state kept in a file across restarts (`stateStore.file`): saved after changes, written whole and
 * renamed into place, loaded by the next server; connections' own state not kept; a file that cannot be used
 * refuses to make the server, with a message that names it; a configuration reload keeps the state unless
 * told to reset it. Servers on port 0, files in a temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMockServer, type MockwaveConfigInput } from '../../src/index.ts';
import { MockwaveError } from '../../src/errors/catalog.ts';
import { loadConfig } from '../../src/index.ts';
import { launchServer, startServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const config = (file: string): MockwaveConfigInput => ({ stateStore: { file } });

describe('state kept in a file', () => {
  it('is saved after changes and loaded by the next server; a connection\'s own state is not kept', async () => {
    const dir = tempDir('state-file');
    const first = await launchServer(config('state.json'), { baseDir: dir });
    first.server.state.change('global', { set: { 'cart.items': 2 } }, 'test');
    for (let i = 0; i < 50; i++) first.server.state.change('scope:demo', { increment: { visits: 1 } }, 'test');
    first.server.state.change('client:c1', { set: { mine: true } }, 'test');
    first.server.state.change('caller:ann', { set: { theme: 'dark' } }, 'test');
    await first.server.stop();
    const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { scopes: Record<string, unknown> };
    assert.deepEqual(saved.scopes, { global: { cart: { items: 2 } }, 'scope:demo': { visits: 50 }, 'caller:ann': { theme: 'dark' } });
    assert.deepEqual(readdirSync(dir), ['state.json'], 'no temporary file left');

    const second = await launchServer(config('state.json'), { baseDir: dir });
    try {
      assert.deepEqual(second.server.state.get('global'), { cart: { items: 2 } });
      assert.deepEqual(second.server.state.get('scope:demo'), { visits: 50 });
      assert.equal(second.server.state.get('client:c1'), undefined);
      const answer = (await (await fetch(second.http('/admin/state/caller:ann'))).json()) as { data: unknown };
      assert.deepEqual(answer.data, { scope: 'caller:ann', state: { theme: 'dark' } });
      second.server.state.reset(undefined, 'test');
    } finally {
      await second.server.stop();
    }
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')), { scopes: { global: {} } }, 'a reset is saved too');
  });

  it('starts empty without the file, and writes it at the first change', async () => {
    const dir = tempDir('state-file');
    const running = await launchServer(config('nested-name.json'), { baseDir: dir });
    try {
      assert.equal(existsSync(join(dir, 'nested-name.json')), false);
      assert.deepEqual(running.server.state.list().map((s) => s.scope), ['global']);
      running.server.state.change('global', { set: { a: 1 } }, 'test');
    } finally {
      await running.server.stop();
    }
    assert.equal(existsSync(join(dir, 'nested-name.json')), true);
  });

  it('refuses to make a server from a file it cannot use, naming the file and why', () => {
    const dir = tempDir('state-file');
    const cases: [string, RegExp][] = [
      ['{ not json', /state\.json is not a state file: .*JSON/],
      ['[1]', /expected \{ "scopes": \{ "<scope>": \{ \.\.\. \} \} \}/],
      ['{"scopes": {"client:1": {}}}', /"client:1" is not a scope kept in the file/],
      ['{"scopes": {"global": [1]}}', /scope global: expected an object/],
      ['{"scopes": {"scope:": {}}}', /"scope:" is not a scope kept in the file/],
    ];
    const big = JSON.stringify({ scopes: { global: { text: 'x'.repeat(3000) } } });
    cases.push([big, /scope global: .*over stateStore\.maxScopeBytes \(2048\)/]);
    for (const [text, message] of cases) {
      writeFileSync(join(dir, 'state.json'), text);
      assert.throws(
        () => createMockServer({ port: 0, log: { level: 'silent' }, stateStore: { file: 'state.json', maxScopeBytes: 2048 } }, { baseDir: dir }),
        (error: unknown) => error instanceof MockwaveError && error.code === 'MW_CONFIG_INVALID' && message.test(error.message),
        text,
      );
    }
  });

  it('a reload keeps the state; POST /admin/config/reload?state=reset forgets it, once the new configuration is in', async () => {
    const dir = tempDir('mockwave-state-reload-');
    const file = join(dir, 'mock.yaml');
    const routes = (body: string) => `http:\n  routes:\n    - { method: POST, path: /api/visit, then: [{ setState: { increment: { visits: 1 } } }, { respond: { body: ${body} } }] }\n`;
    writeFileSync(file, routes('one'));
    const reread = () => ({ ...loadConfig({ cwd: dir, env: {}, configFile: file }).config, host: '127.0.0.1', port: 0, log: { level: 'silent' as const, format: 'text' as const, traffic: false } });
    const { http, server } = await startServer(reread(), { reload: reread });
    const reload = async (query = '') => (await fetch(http(`/admin/config/reload${query}`), { method: 'POST' })).status;
    await fetch(http('/api/visit'), { method: 'POST' });
    assert.equal(await reload(), 200);
    assert.deepEqual(server.state.get('global'), { visits: 1 }, 'kept by default');
    assert.equal(await reload('?state=forget'), 400);
    // Valid as a file, refused when applied: a publish to a stream no endpoint has.
    writeFileSync(file, 'http: { routes: [{ path: /x, then: [{ publish: nope }, { respond: {} }] }] }\n');
    assert.equal(await reload('?state=reset'), 400, 'a configuration that cannot be applied is refused');
    assert.deepEqual(server.state.get('global'), { visits: 1 }, 'and a refused reload resets nothing');
    writeFileSync(file, routes('two'));
    assert.equal(await reload('?state=reset'), 200);
    assert.equal(server.state.get('global'), undefined);
    assert.equal(await (await fetch(http('/api/visit'), { method: 'POST' })).text(), 'two');
  });
});
