/**
 * The soak: one mockwave server (in this process, so its heap, handles and file descriptors can be read)
 * with several streams, and clients in another process: stayers that check a sequence stream and churners
 * that connect and vanish all the time.
 *
 *   npm run soak                                   10 minutes, 1,000 clients (800 stay, 200 churn)
 *   npm run soak -- --seconds 20 --clients 200     the short variant CI runs (test/perf/soak.test.ts)
 *
 * Checks, and exits 1 when one fails: the JS heap and the memory held outside it by Buffers (both after a
 * full GC) at the end no more than 10 % above the reading a quarter of the way in (or 8 MB, whichever is
 * larger: small runs are dominated by noise); RSS the same, but only in runs of five minutes or more (in a
 * 20-second run on a busy machine the allocator's arenas are still settling, and RSS moved 14 MB with the
 * heap flat); open file descriptors and active handles back to the pre-client baseline once the clients are
 * gone; no stayer lost, no tick skipped or repeated. Writes bench/results/soak.json after a full-length run.
 */
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMockServer } from '../../src/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values } = parseArgs({ options: { seconds: { type: 'string' }, minutes: { type: 'string' }, clients: { type: 'string', default: '1000' } } });
const seconds = values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes ?? '10') * 60;
const clients = Number(values.clients);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Reading {
  rssMB: number;
  heapMB: number;
  externalMB: number;
  handles: number;
  fds: number;
}

function read(): Reading {
  gc();
  gc();
  const memory = process.memoryUsage();
  return {
    rssMB: Math.round((memory.rss / 2 ** 20) * 10) / 10,
    heapMB: Math.round((memory.heapUsed / 2 ** 20) * 10) / 10,
    externalMB: Math.round((memory.external / 2 ** 20) * 10) / 10,
    handles: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length,
    fds: readdirSync('/proc/self/fd').length,
  };
}

async function main(): Promise<number> {
  const server = createMockServer({
    host: '127.0.0.1',
    port: 0,
    log: { level: 'error' },
    websocket: { heartbeatInterval: 5000 },
    endpoints: [
      {
        path: '/ws',
        dialect: 'guide',
        streams: [
          { name: 'seq', interval: 100, data: { n: '{{counter}}' } },
          { name: 'ticker', interval: 250, data: { symbol: "{{pick 'AAPL' 'MSFT'}}", price: '{{walk 100 0.5}}', at: '{{now}}' } },
          { name: 'news', interval: 1000, data: { id: '{{uuid}}', headline: "{{faker 'lorem.sentence'}}" } },
          { name: 'big', interval: 5000, data: { blob: 'x'.repeat(10_000) } },
        ],
      },
    ],
  });
  const info = await server.start();
  await sleep(500);
  const baseline = read();
  const stayers = Math.round(clients * 0.8);
  const child = spawn(process.execPath, [new URL('clients.mjs', import.meta.url).pathname, JSON.stringify({ url: `ws://127.0.0.1:${info.port}/ws`, stayers, churners: clients - stayers, churnPerSecond: Math.max(10, Math.round(clients / 10)) })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let last: Record<string, number> = {};
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      last = JSON.parse(line) as Record<string, number>;
      if ((last as { event?: string }).event === 'ready') resolve();
    });
  });
  await ready;
  log(`soak: ${clients} clients on ${info.port} for ${seconds} s`);
  await sleep((seconds * 1000) / 4);
  const early = read();
  for (let left = (seconds * 3000) / 4; left > 0; left -= 10_000) {
    await sleep(Math.min(10_000, left));
    log(`  ${JSON.stringify({ clients: server.stats().connectedClients, ...read() })}`);
  }
  const late = read();
  const finished = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin.end('stop\n');
  await finished;
  const counts = last;
  for (let i = 0; i < 100 && server.stats().connectedClients > 0; i++) await sleep(100);
  // Sockets and the clients' pipes are closed a loop turn or two after their connections end, later on a
  // busy machine: give them up to ten seconds to go, then read.
  let after = read();
  for (let i = 0; i < 50 && (after.fds > baseline.fds || after.handles > baseline.handles); i++) {
    await sleep(200);
    after = read();
  }
  await server.stop();

  // Growth is what a leak looks like; memory handed back to the system is not a failure.
  const within = (a: number, b: number, floor: number): boolean => b - a <= Math.max(a * 0.1, floor);
  const checks = {
    rssStable: seconds < 300 || within(early.rssMB, late.rssMB, 8),
    heapStable: within(early.heapMB, late.heapMB, 8),
    externalStable: within(early.externalMB, late.externalMB, 8),
    fdsBack: after.fds <= baseline.fds,
    handlesBack: after.handles <= baseline.handles,
    noStayerLost: counts['stayersLost'] === 0 && counts['stayers'] === stayers,
    noGap: counts['gaps'] === 0 && counts['repeats'] === 0 && (counts['checked'] ?? 0) > 0,
  };
  const summary = { date: new Date().toISOString(), seconds, clients, stayers, node: process.version, baseline, early, late, after, counts, checks };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (seconds >= 600) writeFileSync(new URL('../results/soak.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
  const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
  if (failed.length > 0) log(`soak FAILED: ${failed.join(', ')}`);
  if (seconds < 300) log('soak: RSS reported, not checked (runs under five minutes)');
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(String(error instanceof Error ? error.stack : error));
    process.exit(2);
  },
);
