/**
 * What every attack shares: a fresh server process per attack (this checkout's build or `--bin`), its RSS,
 * bytes read and CPU time from /proc, and two bystanders measuring what the attack costs everyone else: a
 * WebSocket client pinging every 20 ms and an HTTP client asking for a route every 20 ms.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort, startServer, type ServerProcess } from '../lib/processes.ts';

export const MB = 1024 * 1024;
export const ROOT = new URL('../../', import.meta.url).pathname;

let bin = join(ROOT, 'dist/mockwave.js');
/** The build every attack launches (`--bin`); this checkout's `dist/mockwave.js` unless told. */
export function useBuild(file: string): void {
  bin = file;
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly answered: number;
  /** Requests that failed (connection refused or reset): the server had gone or shut the door. */
  readonly failed?: number;
}

export interface Result {
  readonly id: string;
  readonly label: string;
  readonly idleRssMB?: number;
  readonly peakRssMB?: number;
  readonly growthMB?: number;
  /** The WebSocket bystander's ping round trips. */
  readonly bystanderMs?: Latency;
  /** The HTTP bystander's GET round trips. */
  readonly httpBystanderMs?: Latency;
  /** ms from the attack's first byte to the server's refusal (its status line, or its refusal at load). */
  readonly refusalMs?: number;
  /** Whether the server process was still running when the attack ended. */
  readonly alive?: boolean;
  readonly outcome: string;
  /** When it ran and the machine's 1-minute load average then: figures from a loaded machine are rough. */
  readonly at?: string;
  readonly loadAvg?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

/** Temporary folders made for configurations and recordings, removed when the run ends. */
const made: string[] = [];
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mockwave-attack-'));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export type Launched = { server: ServerProcess; port: number } | { failed: string; afterMs: number };

/**
 * Starts the build on 127.0.0.1 with `config` written as config.json into `dir` (a fresh temporary folder
 * unless given: a test of `respond.file` needs its files beside the configuration). A server that refuses
 * its configuration is reported with the lines that say why and how long it took to refuse.
 */
export async function launch(config: unknown | undefined, dir?: string): Promise<Launched> {
  const port = await freePort();
  const args = [bin, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'error'];
  if (config !== undefined) {
    const file = join(dir ?? tempDir(), 'config.json');
    writeFileSync(file, JSON.stringify(config));
    args.push(file);
  }
  const started = performance.now();
  try {
    return { server: await startServer(process.execPath, args, port), port };
  } catch (error) {
    const message = (error as Error).message;
    const why = message.split('\n').filter((l) => /MW_|refused|catastrophic|Invalid|outside/.test(l)).join(' ').replace(/\s+/g, ' ').trim();
    return { failed: (why || message).slice(0, 300), afterMs: performance.now() - started };
  }
}

/** Samples RSS every 50 ms until stopped; returns the highest. */
export function watchRss(server: ServerProcess): () => number {
  let peak = server.rss();
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, server.rss());
    } catch {
      // the process has gone
    }
  }, 50);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** Bytes the process has read (all reads: sockets and files) and CPU seconds it has used, from /proc. */
export function ioAndCpu(pid: number): { readBytes: number; cpuSeconds: number } | undefined {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { readBytes: Number(/rchar:\s+(\d+)/.exec(io)?.[1] ?? NaN), cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

/** The line of a dead server's stderr that says why it died (an uncaught error's first line). */
export function deathReason(server: ServerProcess): string {
  const lines = server.stderr().split('\n').map((l) => l.trim());
  return lines.find((l) => /^\w*Error\b|^Error:|Uncaught|FATAL|heap out of memory/i.test(l))?.slice(0, 160) ?? 'no reason on stderr';
}

export async function openWs(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options);
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return ws;
}

function summary(times: number[], failed?: number): Latency {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN, 1);
  return { p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? NaN, 1), answered: times.length, ...(failed === undefined ? {} : { failed }) };
}

/** A client that pings every 20 ms and keeps the round trips (one still unanswered at the end counts as its wait so far). */
export async function bystander(url: string): Promise<() => Latency> {
  const ws = await openWs(url);
  const times: number[] = [];
  let sentAt: number | undefined;
  let failed = 0;
  // A ping the server can no longer answer (it closed the socket, or died) failed: it is no round trip.
  ws.once('close', () => {
    if (sentAt !== undefined) failed++;
    sentAt = undefined;
  });
  ws.on('message', (data) => {
    if (sentAt !== undefined && String(data).includes('"pong"')) {
      times.push(performance.now() - sentAt);
      sentAt = undefined;
    }
  });
  const timer = setInterval(() => {
    if (sentAt === undefined && ws.readyState === WebSocket.OPEN) {
      sentAt = performance.now();
      ws.send('{"type":"ping"}');
    }
  }, 20);
  return () => {
    clearInterval(timer);
    if (sentAt !== undefined) times.push(performance.now() - sentAt);
    ws.terminate();
    return summary(times, failed > 0 ? failed : undefined);
  };
}

/**
 * A client that GETs `path` every 20 ms over one kept-alive connection, one request at a time, and keeps the
 * round trips; one still unanswered at the end counts as its wait so far. A request that fails is counted
 * apart (and, unless its connection was refused, its wait kept too); the next one is tried 20 ms later.
 */
export function httpBystander(port: number, path: string): () => Latency {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let failed = 0;
  let sentAt: number | undefined;
  const ask = (): void => {
    const at = performance.now();
    sentAt = at;
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.once('end', () => {
        if (sentAt === at) times.push(performance.now() - at);
        sentAt = undefined;
      });
    });
    req.once('error', (error: NodeJS.ErrnoException) => {
      if (sentAt !== at) return;
      failed++;
      // A request the server took and then dropped (its connection reset) waited that long for nothing.
      if (error.code !== 'ECONNREFUSED') times.push(performance.now() - at);
      sentAt = undefined;
    });
    req.end();
  };
  const timer = setInterval(() => {
    if (sentAt === undefined) ask();
  }, 20);
  return () => {
    clearInterval(timer);
    if (sentAt !== undefined) times.push(performance.now() - sentAt);
    sentAt = undefined;
    agent.destroy();
    return summary(times, failed);
  };
}
