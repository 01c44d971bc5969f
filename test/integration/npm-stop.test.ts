/**
 * Stopping npm stops the server, for every documented entry point (`npm run ws:dev`, `npm run ws:start`,
 * `npm start`, `npx mockwave`): each is started through npm as a user starts it, the npm process is sent
 * SIGINT, SIGTERM or SIGHUP, and the port must stop listening, after a clean stop (the server's "Stopped"), within
 * a bounded time. npm passes SIGINT and SIGTERM to the shell it runs the script in, and SIGHUP to no one: the
 * scripts `exec` their command so npm's signal reaches it, and mockwave stops when npm is gone
 * (src/cli/stop-requests.ts).
 *
 * `npx mockwave` runs the package's bin through a shell npm builds itself (no `exec`), and that shell (dash)
 * catches a SIGINT sent to npm alone and waits: neither npm nor mockwave stops. A terminal's Ctrl-C sends SIGINT
 * to every process of the foreground group, and that is the case tested for npx.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** The first line of both banners: mockwave's, and the Cerberus server's. */
const LISTENING = /(?:listening on http|started on ws):\/\/[^:\s]+:(\d+)/;
/** Starting npm, tsx and the server on two busy cores takes seconds; stopping takes one check (1 s) and a close. */
const START_MS = 60_000;
const STOP_MS = 10_000;

interface EntryPoint {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: () => string;
  /** The signals sent to npm alone; the others go to npm's whole process group, as a terminal sends them. */
  readonly toNpm: readonly NodeJS.Signals[];
}

// `npx mockwave` as in a project that installed mockwave: its bin in node_modules/.bin (the built CLI).
const project = tempDir('npx');
before(() => {
  mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{ "name": "uses-mockwave", "private": true }\n');
  symlinkSync(join(ROOT, 'dist', 'mockwave.js'), join(project, 'node_modules', '.bin', 'mockwave'));
});

const FLAGS = ['--port', '0', '--host', '127.0.0.1'];
const ALL: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const ENTRY_POINTS: readonly EntryPoint[] = [
  { name: 'npm run ws:dev', command: 'npm', args: ['run', 'ws:dev', '--', ...FLAGS], cwd: () => ROOT, toNpm: ALL },
  { name: 'npm run ws:start', command: 'npm', args: ['run', 'ws:start', '--', ...FLAGS], cwd: () => ROOT, toNpm: ALL },
  { name: 'npm start', command: 'npm', args: ['start', '--', ...FLAGS], cwd: () => ROOT, toNpm: ALL },
  { name: 'npx mockwave', command: 'npx', args: ['mockwave', ...FLAGS], cwd: () => project, toNpm: ['SIGTERM', 'SIGHUP'] },
];

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts the entry point in its own process group (so the test can signal the group, and clean up after). */
function start(entry: EntryPoint): { npm: ChildProcess; output: () => string; port: Promise<number> } {
  // A clean environment: no npm_* variables of the npm that may be running this test.
  const npm = spawn(entry.command, [...entry.args], { cwd: entry.cwd(), detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' } });
  let out = '';
  npm.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry.name} did not listen within ${START_MS} ms:\n${out}`)), START_MS);
    npm.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = LISTENING.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return { npm, output: () => out, port };
}

/** Kills what is left of the group (nothing, when the test passed). */
function cleanUp(npm: ChildProcess): void {
  try {
    if (npm.pid !== undefined) process.kill(-npm.pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
}

describe('stopping npm stops the server', { skip: existsSync(join(ROOT, 'dist', 'mockwave.js')) ? false : 'dist/ is missing: npm run build (npm test does it first)' }, () => {
  for (const entry of ENTRY_POINTS) {
    for (const signal of ALL) {
      const toNpm = entry.toNpm.includes(signal);
      it(`${entry.name}: ${signal} to ${toNpm ? 'the npm process' : "npm's process group (a terminal's Ctrl-C)"}`, async () => {
        const { npm, output, port: listeningOn } = start(entry);
        after(() => cleanUp(npm));
        const port = await listeningOn;
        assert.ok(await listening(port));
        process.kill(toNpm ? (npm.pid as number) : -(npm.pid as number), signal);

        const deadline = Date.now() + STOP_MS;
        while (await listening(port)) {
          assert.ok(Date.now() < deadline, `${entry.name} still listens on ${port} ${STOP_MS} ms after ${signal}:\n${output()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        // A clean stop, not a kill: the server said so (its output outlives npm: the pipe is inherited).
        const stopped = Date.now() + STOP_MS;
        while (!/\bStopped\b/.test(output()) && Date.now() < stopped) await new Promise((resolve) => setTimeout(resolve, 50));
        assert.match(output(), /\bStopped\b/, output());
      });
    }
  }
});
