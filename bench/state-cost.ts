/**
 * What state costs (issue 30), measured end to end on the built CLI, only on 127.0.0.1, stopping by itself:
 *
 * 1. A rule reply gated by state against the same reply ungated: the templated-reply row's server (a rule
 *    matching `{ type: order }` and answering from a template), once plain and once with a `state:`
 *    condition that holds; 50 closed-loop clients, the two alternating for `--rounds` rounds, each figure's
 *    best kept (as `npm run bench` does).
 * 2. 100,000 distinct HTTP callers (`stateStore.caller: cookie:sid`), each a POST whose `setState` writes its
 *    own caller's scope, then 100,000 more: the server's RSS at the start and after each batch, and the
 *    store's figures (scopes held, evicted), against the default bound of 10,000 scopes.
 *
 *   npm run build && npm run bench:state -- --rounds 3 --seconds 5 --callers 100000
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startServer, stopChildrenOnSignals } from './lib/processes.ts';
import { requestReply, type Context } from './lib/scenarios.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' }, callers: { type: 'string', default: '100000' } } });
const MiB = 1024 * 1024;

async function gatedReply(ctx: Context, rounds: number): Promise<{ plain: number; gated: number; plainP99: number; gatedP99: number }> {
  let plain = 0;
  let gated = 0;
  let plainP99 = Infinity;
  let gatedP99 = Infinity;
  const processes = Math.min(2, Math.max(1, availableParallelism() - 1));
  for (let round = 0; round < rounds; round++) {
    // Alternating, so a slower minute of the machine weighs on both alike.
    for (const isGated of round % 2 === 0 ? [false, true] : [true, false]) {
      const figures = await requestReply('mockwave', ctx, 50, 'templated-reply', processes, isGated);
      if (figures === undefined) throw new Error('mockwave did not run');
      const rate = figures['perSecond'] ?? 0;
      const p99 = figures['p99'] ?? Infinity;
      if (isGated) [gated, gatedP99] = [Math.max(gated, rate), Math.min(gatedP99, p99)];
      else [plain, plainP99] = [Math.max(plain, rate), Math.min(plainP99, p99)];
      console.log(`  round ${round + 1} ${isGated ? 'gated  ' : 'ungated'}: ${rate} replies/s, p99 ${p99} ms`);
    }
  }
  return { plain, gated, plainP99, gatedP99 };
}

/** POSTs from `callers` distinct cookies, 32 at a time over keep-alive connections. */
async function manyCallers(tmp: string, callers: number): Promise<void> {
  const file = join(tmp, 'callers.json');
  writeFileSync(file, JSON.stringify({
    stateStore: { caller: 'cookie:sid' },
    http: { routes: [{ method: 'POST', path: '/api/visit', then: [{ setState: { scope: 'client', set: { user: 'someone with a name', cart: [{ sku: 'tea', qty: 2 }] }, increment: { visits: 1 } } }, { respond: { status: 204 } }] }] },
  }));
  const port = await freePort();
  const server = await startServer(process.execPath, [new URL('../dist/mockwave.js', import.meta.url).pathname, file, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'error'], port);
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const post = (i: number): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/visit', method: 'POST', agent, headers: { cookie: `sid=caller-${i}-${'x'.repeat(40)}`, 'content-length': 0 } }, (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
        });
        req.once('error', reject);
        req.end();
      });
    const figures = async () => ((await (await fetch(`http://127.0.0.1:${port}/admin/state`)).json()) as { data: { figures: { scopes: number; bytes: number; evicted: number; transitions: number } } }).data.figures;
    console.log(`\n${callers} distinct callers, then ${callers} more (the second batch shows whether memory keeps growing):`);
    console.log(`  RSS at start ${(server.rss() / MiB).toFixed(1)} MiB`);
    let next = 0;
    let failed = 0;
    for (const batch of [1, 2]) {
      const started = Date.now();
      const worker = async (): Promise<void> => {
        while (next < callers * batch) {
          const status = await post(next++);
          if (status !== 204) failed += 1;
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      const held = await figures();
      console.log(`  after ${next} callers (${((Date.now() - started) / 1000).toFixed(1)} s, ${failed} failed): RSS ${(server.rss() / MiB).toFixed(1)} MiB; state ${held.scopes} scopes held (bound 10000), ${(held.bytes / MiB).toFixed(2)} MiB, ${held.evicted} evicted, ${held.transitions} transitions`);
    }
    agent.destroy();
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  stopChildrenOnSignals();
  const tmp = mkdtempSync(join(tmpdir(), 'mockwave-state-bench-'));
  try {
    const ctx: Context = { tmp, mockoonBin: undefined, warmupMs: 1500, seconds: Number(values.seconds) };
    console.log('rule reply, gated by state or not (50 clients, closed loop):');
    const r = await gatedReply(ctx, Number(values.rounds));
    console.log(`  best: ungated ${r.plain} replies/s (p99 ${r.plainP99} ms), gated ${r.gated} replies/s (p99 ${r.gatedP99} ms): gated / ungated ${(r.gated / r.plain).toFixed(3)} x`);
    await manyCallers(tmp, Number(values.callers));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
