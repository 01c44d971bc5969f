/**
 * The package as a user gets it: `npm pack`, then the tarball installed into an empty project. Installing runs
 * no script of ours and prints no warning about mockwave (the build runs before packing, `prepack`, not on
 * install, `prepare`); `npx mockwave --help` works there, and the examples the README points to are in the
 * package. And in this clone, npm has no install script left to ask about (`npm ci` warns of none).
 *
 * The tarball is packed with --ignore-scripts from the dist/ that `npm test` built first: packing with its
 * `prepack` would rebuild dist/ under the other tests running beside this one. The dependencies come from the
 * npm cache, else the registry; without either, the install test is skipped locally (and fails in CI).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Packing, installing from the registry and starting npx on two busy cores: each step is bounded by this. */
const STEP_MS = 180_000;
/** Errors that say the registry cannot be reached (not that the package is wrong). */
const OFFLINE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTCACHED|ENETUNREACH)\b/;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  /** stdout and stderr as they came. */
  readonly output: string;
}

/** Runs a command to its end with a clean environment (no npm_* variables of an npm running this test). */
function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' } });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${STEP_MS} ms:\n${output}`));
    }, STEP_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, output });
    });
  });
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; files: string[] };
const built = existsSync(join(ROOT, 'dist', 'mockwave.js'));

describe('the package', () => {
  it('builds before packing, and installing it runs no script of ours', () => {
    assert.equal(pkg.scripts['prepack'], 'npm run build');
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(pkg.scripts[script], undefined, `a "${script}" script runs when the package is installed`);
  });

  it('npm has no install script of this clone left to ask about (npm ci warns of none)', async (t) => {
    const listed = await run('npm', ['install-scripts', 'ls'], ROOT);
    if (/Unknown command/i.test(listed.output)) return t.skip(`this npm has no install-script approval (npm 11.19+): ${listed.output.split('\n')[0]}`);
    assert.equal(listed.code, 0, listed.output);
    assert.match(listed.output, /No packages with unreviewed install scripts/);
  });

  describe('installed from its tarball into an empty project', { skip: built || process.env['CI'] ? false : 'dist/ is missing: npm run build (npm test does it first)' }, () => {
    const dir = tempDir('package');
    const project = join(dir, 'project');
    let installed: Run = { code: null, stdout: '', output: '' };
    let files: string[] = [];

    before(async () => {
      const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
      assert.equal(packed.code, 0, packed.output);
      const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
      assert.ok(info !== undefined, packed.output);
      files = info.files.map((f) => f.path);
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), '{ "name": "uses-mockwave", "private": true }\n');
      installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename)], project);
    });

    it('ships the CLI, the schema and the examples the README runs', () => {
      for (const file of ['dist/mockwave.js', 'schema/mockwave.schema.json', 'examples/http/mockwave.yaml', 'examples/http/index.html', 'examples/trading.yaml']) assert.ok(files.includes(file), `${file} is not in the package`);
      assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('src/')), 'tests or sources are in the package');
    });

    it('installs with no warning about mockwave or a prepare script', (t) => {
      if (installed.code !== 0 && OFFLINE.test(installed.output) && !process.env['CI']) return t.skip(`the npm registry cannot be reached: ${OFFLINE.exec(installed.output)?.[0]}`);
      assert.equal(installed.code, 0, installed.output);
      const warnings = installed.output.split('\n').filter((line) => /warn/i.test(line));
      assert.deepEqual(warnings.filter((line) => /mockwave|prepare/i.test(line)), [], installed.output);
    });

    it('npx mockwave --help works there, and serves the shipped example', async (t) => {
      if (installed.code !== 0) return t.skip('not installed (see the test above)');
      const help = await run('npx', ['mockwave', '--help'], project);
      assert.equal(help.code, 0, help.output);
      assert.match(help.output, /Usage: mockwave/);

      const server = spawn('npx', ['mockwave', 'node_modules/mockwave/examples/http/mockwave.yaml', '--port', '0', '--host', '127.0.0.1'], { cwd: project, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' } });
      after(() => {
        try {
          process.kill(-(server.pid as number), 'SIGKILL');
        } catch {
          // stopped
        }
      });
      let out = '';
      server.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npx mockwave did not listen within ${STEP_MS} ms:\n${out}`)), STEP_MS);
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
          if (match === null) return;
          clearTimeout(timer);
          resolve(Number(match[1]));
        });
      });
      const page = await fetch(`http://127.0.0.1:${port}/app`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      // A terminal's Ctrl-C (SIGINT to the whole group) stops it cleanly.
      const exited = new Promise((resolve) => server.once('close', resolve));
      process.kill(-(server.pid as number), 'SIGINT');
      await exited;
      assert.match(out, /\bStopped\b/, out);
    });
  });
});
