/**
 * Which processes the CLI stops with (src/cli/stop-requests.ts), on a made-up process table and a manual clock.
 * The same through real npm processes: test/integration/npm-stop.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onStopRequest, processesToWatch, STARTER_CHECK_MS } from '../../src/cli/stop-requests.ts';
import type { ProcessInfo, ProcessTable } from '../../src/cli/process-table.ts';
import { ManualClock } from '../../src/util/clock.ts';

/** A process table of pid -> info; a pid missing from `running` has exited. */
function table(processes: Record<number, ProcessInfo>): ProcessTable & { running: Set<number> } {
  const running = new Set(Object.keys(processes).map(Number));
  return { running, read: (pid) => (running.has(pid) ? processes[pid] : undefined), alive: (pid) => running.has(pid) };
}

// npm -> sh -> tsx -> mockwave, as `npm run ws:dev` made them before its script said `exec`.
const WS_DEV = {
  30: { ppid: 20, command: 'node /repo/node_modules/.bin/tsx server/websocket-server.ts --port 0' },
  20: { ppid: 10, command: 'sh -c tsx server/websocket-server.ts --port 0' },
  10: { ppid: 1, command: 'npm run ws:dev --port 0' },
};

describe('processesToWatch', () => {
  it('watches every process up to the nearest npm, by its title or by its script', () => {
    assert.deepEqual(processesToWatch(30, table(WS_DEV)), [
      { pid: 30, name: 'node' },
      { pid: 20, name: 'sh' },
      { pid: 10, name: 'npm' },
    ]);
    const npx = table({ 20: { ppid: 10, command: '/bin/sh -c mockwave' }, 10: { ppid: 1, command: '/usr/bin/node /usr/lib/node_modules/npm/bin/npx-cli.js mockwave' } });
    assert.deepEqual(processesToWatch(20, npx), [
      { pid: 20, name: 'sh' },
      { pid: 10, name: 'npx' },
    ]);
  });

  it('watches the parent alone when no npm is that close (a test, a process manager, a shell)', () => {
    const deep = table({ 40: { ppid: 30, command: 'node --test' }, ...WS_DEV });
    assert.deepEqual(processesToWatch(40, deep), [{ pid: 40, name: 'node' }]);
    assert.deepEqual(processesToWatch(5, table({ 5: { ppid: 1, command: '-bash' } })), [{ pid: 5, name: '-bash' }]);
    assert.deepEqual(processesToWatch(5, table({})), [{ pid: 5, name: 'the parent process' }]);
    // A path that only contains "npm" (npx's cache) is not npm.
    const cache = table({ 5: { ppid: 1, command: 'node /home/u/.npm/_npx/1/node_modules/.bin/mockwave' } });
    assert.deepEqual(processesToWatch(5, cache), [{ pid: 5, name: 'node' }]);
  });
});

describe('onStopRequest', () => {
  it('asks to stop when npm is gone though the shell and tsx live on, naming it; not before', () => {
    const clock = new ManualClock();
    const processes = table(WS_DEV);
    const reasons: string[] = [];
    const dispose = onStopRequest((reason) => reasons.push(reason), { clock, table: processes, ppid: () => 30 });
    clock.advance(STARTER_CHECK_MS * 5);
    assert.deepEqual(reasons, []);
    processes.running.delete(10);
    clock.advance(STARTER_CHECK_MS);
    assert.deepEqual(reasons, ['npm (pid 10) exited']);
    clock.advance(STARTER_CHECK_MS * 5);
    assert.equal(reasons.length, 1, 'asked once');
    dispose();
  });

  it('asks to stop when its parent changes (re-parented), and a disposed watch asks nothing', () => {
    const clock = new ManualClock();
    let ppid = 30;
    const reasons: string[] = [];
    const dispose = onStopRequest((reason) => reasons.push(reason), { clock, table: table(WS_DEV), ppid: () => ppid });
    ppid = 1;
    clock.advance(STARTER_CHECK_MS);
    assert.deepEqual(reasons, ['node (pid 30) exited']);
    dispose();

    const quiet: string[] = [];
    const disposed = onStopRequest((reason) => quiet.push(reason), { clock, table: table(WS_DEV), ppid: () => 30 });
    disposed();
    assert.equal(clock.pending, 0);
  });

  it('SIGINT, SIGTERM and SIGHUP each ask to stop, by name, until disposed', () => {
    const clock = new ManualClock();
    const reasons: string[] = [];
    const dispose = onStopRequest((reason) => reasons.push(reason), { clock, table: table({}), ppid: () => 5 });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.emit(signal, signal);
    assert.deepEqual(reasons, ['SIGINT', 'SIGTERM', 'SIGHUP']);
    dispose();
    assert.equal(process.listenerCount('SIGHUP'), 0);
  });
});
