/**
 * Child processes for a bench run: a server under test and load clients, all on 127.0.0.1, all killed when
 * the run ends (even on Ctrl-C), with RSS read from /proc so every server is measured the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createServer, connect } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * With taskset and at least two cores, the load clients are kept off core 0, which leaves it to the server
 * under test: on a 2-core machine three busy processes would otherwise be scheduled against each other.
 * The server itself is not pinned, so V8's helper threads (GC) can run beside it as they do in real use.
 */
export const PINNED = existsSync('/usr/bin/taskset') && availableParallelism() >= 2;
const CLIENT_CPUS = `1-${availableParallelism() - 1}`;

function pinned(cpus: string, command: string, args: readonly string[]): [string, string[]] {
  return PINNED ? ['/usr/bin/taskset', ['-c', cpus, command, ...args]] : [command, [...args]];
}

/** A load generator's command line (wrk, a load client), kept off the server's core like every load client. */
export const clientCommand = (command: string, args: readonly string[]): [string, string[]] => pinned(CLIENT_CPUS, command, args);

const children = new Set<ChildProcess>();
let exitHook = false;

/** Every child started here is killed when this process exits: nothing outlives a bench run or a test. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
}

/** For the bench program (not for tests that borrow LoadClient): Ctrl-C kills the children, then exits. */
export function stopChildrenOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of children) child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  /** ms from spawn to the first accepted TCP connection. */
  readonly startMs: number;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  /** False once the process has exited (crashed, or stopped). */
  alive(): boolean;
  /** What it wrote to stderr (its first and last 10 KB): the reason when it died. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts a server and waits until its port accepts a connection (polled every 2 ms, up to 30 s): the same
 * start-to-listening measure for every server, whatever it prints.
 */
export async function startServer(command: string, args: readonly string[], port: number, cwd?: string): Promise<ServerProcess> {
  const started = process.hrtime.bigint();
  // taskset execs the command, so the child's pid is the server's own (its RSS is what /proc shows).
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 10_000) stderr += chunk.toString();
    else tail = (tail + chunk.toString()).slice(-10_000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
    children.delete(child);
  });
  for (let i = 0; i < 15_000; i++) {
    if (exited) throw new Error(`${command} ${args.join(' ')} exited before listening:\n${stderr}`);
    if (await canConnect(port)) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (i === 14_999) throw new Error(`${command} did not listen on ${port} within 30 s`);
  }
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  const pid = child.pid as number;
  return {
    pid,
    port,
    startMs,
    rss: () => rssOf(pid),
    alive: () => !exited,
    stderr: () => stderr + tail,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** A load client process (bench/load/client.mjs) driven by lines on stdin, answering with JSON lines. */
export class LoadClient {
  readonly #child: ChildProcess;
  readonly #events: Record<string, unknown>[] = [];
  readonly #waiters: (() => void)[] = [];
  #stderr = '';

  constructor(job: Record<string, unknown>) {
    const script = new URL('../load/client.mjs', import.meta.url).pathname;
    this.#child = spawn(...clientCommand(process.execPath, [script, JSON.stringify(job)]), { stdio: ['pipe', 'pipe', 'pipe'] });
    track(this.#child);
    this.#child.once('exit', () => {
      children.delete(this.#child);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < 10_000) this.#stderr += chunk.toString();
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      this.#events.push(JSON.parse(line) as Record<string, unknown>);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  send(command: 'start' | 'measure' | 'stop' | 'exit'): void {
    this.#child.stdin?.write(`${command}\n`);
  }

  /** The next event of this kind (ready, result), within `timeoutMs`. */
  async next(event: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.#events.findIndex((e) => e['event'] === event || e['event'] === 'error');
      if (index >= 0) {
        const [found] = this.#events.splice(index, 1) as [Record<string, unknown>];
        if (found['event'] === 'error') throw new Error(`load client failed: ${String(found['message'])}`);
        return found;
      }
      if (this.#child.exitCode !== null) throw new Error(`load client exited (${this.#child.exitCode}) without "${event}":\n${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`load client sent no "${event}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}
