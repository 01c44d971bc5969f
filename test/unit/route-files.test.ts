/**
 * Where a route's `file` may be read from (http/files.ts), on a real folder with real links: what is refused
 * when the route is compiled, with which words, and what is refused again when the file is opened.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileProblem, openFile, resolveFile, type FileScope } from '../../src/http/files.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const root = tempDir('route-files');
const dir = join(root, 'site');
const outside = join(root, 'secret.txt');
mkdirSync(join(dir, 'sub'), { recursive: true });
mkdirSync(join(dir, '.envs'));
writeFileSync(join(dir, 'ok.json'), '{"ok":true}');
writeFileSync(join(dir, 'sub', 'x.txt'), 'x');
writeFileSync(join(dir, '.env.local'), 'SECRET=1');
writeFileSync(join(dir, '.envs', 'a.txt'), 'a');
writeFileSync(join(dir, '..secret'), 'dots');
writeFileSync(outside, 'outside');
symlinkSync(outside, join(dir, 'link-out'));
symlinkSync(join(dir, '.env.local'), join(dir, 'link-env'));
symlinkSync(join(dir, 'ok.json'), join(dir, 'link-in'));

const config: FileScope = { dir, label: 'the configuration\'s folder', hideEnv: false };
const admin: FileScope = { dir, label: 'http.adminFilesDir', hideEnv: true };

describe('a route\'s file as the route is compiled', () => {
  it('a file in the folder, or one not there yet, may be served; a name starting with two dots is not outside', () => {
    assert.equal(fileProblem('ok.json', config), undefined);
    assert.equal(fileProblem('sub/x.txt', config), undefined);
    assert.equal(fileProblem('later.json', config), undefined, 'checked again at each request');
    assert.equal(fileProblem('..secret', config), undefined);
    assert.equal(fileProblem('link-in', config), undefined, 'a link to a file inside');
  });

  it('outside the folder, by path or through a link, is refused naming the folder', () => {
    assert.equal(fileProblem('../secret.txt', config), `../secret.txt is outside the configuration's folder (${dir})`);
    assert.equal(fileProblem('..', config), `.. is outside the configuration's folder (${dir})`);
    assert.equal(fileProblem(outside, config), `${outside} is outside the configuration's folder (${dir})`);
    assert.equal(fileProblem('link-out', config), `link-out is a link to a file outside the configuration's folder (${dir})`);
  });

  it('a .env file, or one in a .env folder, is refused only where `hideEnv` says so, in any case', () => {
    assert.equal(fileProblem('.env.local', config), undefined);
    assert.equal(fileProblem('.env.local', admin), '.env.local is a .env file, which is never sent from http.adminFilesDir');
    assert.equal(fileProblem('.ENV', admin), '.ENV is a .env file, which is never sent from http.adminFilesDir');
    assert.equal(fileProblem('.envs/a.txt', admin), '.envs/a.txt is a .env file, which is never sent from http.adminFilesDir');
    assert.equal(fileProblem('link-env', admin), 'link-env is a link to a .env file, which is never sent from http.adminFilesDir');
    assert.equal(fileProblem('ok.json', admin), undefined);
  });

  it('no folder: no file at all; a refused file is a configuration error naming the route', () => {
    assert.equal(fileProblem('ok.json', { dir: undefined, label: 'http.adminFilesDir', hideEnv: true }), 'no file may be sent while http.adminFilesDir is unset');
    assert.throws(() => resolveFile('../secret.txt', config, 'http.routes[2]'), (error: Error & { code?: string }) => error.code === 'MW_CONFIG_INVALID' && error.message === `http.routes[2].respond.file: ../secret.txt is outside the configuration's folder (${dir})`);
    assert.deepEqual(resolveFile('sub/x.txt', config, 'r'), { path: join(dir, 'sub', 'x.txt'), scope: config });
  });
});

describe('a route\'s file as it is opened', () => {
  it('a file still inside is opened; one replaced by a link to outside since is refused', async () => {
    const handle = await openFile(resolveFile('ok.json', config, 'r'));
    assert.equal((await handle.readFile()).toString(), '{"ok":true}');
    await handle.close();
    const swapped = join(dir, 'swapped.json');
    writeFileSync(swapped, 'first');
    const file = resolveFile('swapped.json', config, 'r');
    rmSync(swapped);
    symlinkSync(outside, swapped);
    await assert.rejects(openFile(file), (error: Error & { code?: string }) => error.code === 'MW_HTTP_ROUTE_FAILED' && error.message === `${swapped} is now a link to a file outside the configuration's folder (${dir})`);
  });
});

describe('a folder reached through a link', () => {
  it('a file in a folder named by a link to it is inside', () => {
    const linkedDir = join(root, 'site-link');
    symlinkSync(dir, linkedDir);
    assert.equal(fileProblem('ok.json', { dir: linkedDir, label: 'the configuration\'s folder', hideEnv: false }), undefined);
  });
});
