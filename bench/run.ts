/**
 * The benchmark suite: mockwave beside a bare `ws` server and Mockoon CLI, in one run, on 127.0.0.1.
 *
 *   npm run bench                  every scenario at full size, Mockoon installed on demand (a few minutes)
 *   npm run bench -- --quick       small sizes, no Mockoon, loose guards: the CI regression check
 *   npm run bench -- --only fan    scenarios whose id contains "fan" (several words: --only ping,http)
 *   npm run bench -- --no-mockoon  skip Mockoon
 *   npm run bench -- --no-calibration   skip the calibration runs (bench/peers/calibrate.mjs)
 *   npm run bench -- --skip held-15k,storm   leave out these scenarios (ids as written)
 *   npm run bench -- --rounds 4    this many alternating rounds per scenario (default: 2; quick: 1), for
 *                                  ratios between close figures (the journal's cost) on a noisy machine
 *
 * Prints a table of figures and ratios; the full run writes bench/results/latest.{json,md}. Exits 1 when a
 * guard fails (in --quick) — never on a full run's target, which is a report, not a test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureMockoon, MOCKOON_VERSION } from './lib/mockoon.ts';
import { stopChildrenOnSignals } from './lib/processes.ts';
import { render, type Row } from './lib/report.ts';
import type { Context, Figures } from './lib/scenarios.ts';
import type { ServerName } from './lib/servers.ts';
import { suite, type Scenario } from './lib/suite.ts';
import { findWrk, WRK_MISSING } from './lib/wrk.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    skip: { type: 'string' },
    'no-mockoon': { type: 'boolean', default: false },
    'no-calibration': { type: 'boolean', default: false },
    rounds: { type: 'string' },
  },
});
const quick = values.quick;
// CI's quick run guards mockwave against bare; the calibration (twice the load) is for reading a full run.
const calibrating = !quick && !values['no-calibration'];
const size = <T>(full: T, small: T): T => (quick ? small : full);

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** A flag's comma-separated words (`--only ping,http`). */
const listOf = (text: string | undefined): string[] | undefined => text?.split(',').filter((word) => word !== '');

/** Figures a calibration run gives for a row: rates and latencies, not the calibration server's memory. */
const CALIBRATED_METRICS = new Set(['perSecond', 'perSecondPlain', 'p50', 'p99', 'ofDemand']);

/** Runs one server once; a failure in a full run leaves that figure out (the quick run is CI's: it throws). */
async function runOnce(scenario: Scenario, server: ServerName, ctx: Context, processes: number, note: string): Promise<Figures | undefined> {
  log(`${scenario.id}: ${server}${note}...`);
  try {
    return await scenario.run(server, ctx, processes);
  } catch (error) {
    // A full run on a busy machine goes on without the one figure (the table shows it missing).
    if (quick) throw error;
    log(`${scenario.id}: ${server} failed, left out of the table: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/**
 * The calibration of round 1, with the load-process count: raised one at a time while the calibration's rate
 * still rises by 5 % (a client process that is the bottleneck gains from a second; a server that is does not).
 */
async function probe(scenario: Scenario, ctx: Context): Promise<{ processes: number; figures: Figures[] }> {
  const load = scenario.load ?? { from: 1, upTo: 1 };
  const figures: Figures[] = [];
  let processes = load.from;
  let best = 0;
  for (let n = load.from; n <= load.upTo; n++) {
    const result = await runOnce(scenario, 'calibration', ctx, n, load.upTo > load.from ? ` (${n} load processes)` : '');
    if (result === undefined) break;
    figures.push(result);
    const figure = result['perSecond'] ?? 0;
    if (n > load.from && figure < best * 1.05) break;
    if (figure > best) [best, processes] = [figure, n];
  }
  return { processes, figures };
}

/** Every round of one scenario: each server's figures, the calibration's, and the load-process count used. */
async function measure(scenario: Scenario, ctx: Context, mockoonBin: string | undefined): Promise<{ runs: Partial<Record<ServerName, Figures[]>>; processes: number }> {
  const runs: Partial<Record<ServerName, Figures[]>> = {};
  let processes = scenario.load?.from ?? 1;
  const rounds = values.rounds === undefined ? (scenario.rounds ?? 1) : Math.max(1, Number.parseInt(values.rounds, 10) || 1);
  for (let round = 0; round < rounds; round++) {
    const note = rounds === 1 ? '' : ` (round ${round + 1})`;
    if (calibrating && scenario.calibrate === true) {
      if (round === 0) {
        const probed = await probe(scenario, ctx);
        processes = probed.processes;
        runs.calibration = probed.figures;
      } else {
        const result = await runOnce(scenario, 'calibration', ctx, processes, note);
        if (result !== undefined) (runs.calibration ??= []).push(result);
      }
    }
    for (const server of scenario.servers) {
      if (server === 'mockoon' && mockoonBin === undefined) continue;
      const result = await runOnce(scenario, server, ctx, processes, note);
      if (result !== undefined) (runs[server] ??= []).push(result);
    }
  }
  return { runs, processes };
}

/** The table's rows of one scenario: each figure's best over the rounds. */
function rowsOf(scenario: Scenario, runs: Partial<Record<ServerName, Figures[]>>, processes: number): Row[] {
  return scenario.rows.map((row) => {
    const best = (figures: Figures[] | undefined): number | undefined => {
      const found = (figures ?? []).map((f) => f[row.metric]).filter((v): v is number => v !== undefined);
      return found.length === 0 ? undefined : row.better === 'higher' ? Math.max(...found) : Math.min(...found);
    };
    const values = { bare: best(runs.bare), mockwave: best(runs.mockwave), mockoon: best(runs.mockoon), journalOn: best(runs['journal-on']) };
    const calibration = CALIBRATED_METRICS.has(row.metric) ? best(runs.calibration) : undefined;
    return { id: scenario.id, label: scenario.label, unit: row.unit, better: row.better, targets: row.targets ?? [], values, calibration, loadProcesses: scenario.load === undefined ? undefined : processes };
  });
}

async function main(): Promise<number> {
  stopChildrenOnSignals();
  const words = listOf(values.only);
  const skipped = listOf(values.skip) ?? [];
  const chosen = suite(quick).filter((s) => (words === undefined || words.some((word) => s.id.includes(word))) && !skipped.includes(s.id));
  const wrk = findWrk();
  if (wrk === undefined && chosen.some((s) => s.wrk === true)) {
    log(WRK_MISSING);
    return 2;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'mockwave-bench-'));
  const mockoonBin = quick || values['no-mockoon'] ? undefined : ensureMockoon(log);
  const ctx: Context = { tmp, mockoonBin, warmupMs: size(1000, 300), seconds: size(5, 1), wrk };
  const rows: Row[] = [];
  try {
    for (const scenario of chosen) {
      const { runs, processes } = await measure(scenario, ctx, mockoonBin);
      rows.push(...rowsOf(scenario, runs, processes));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
  const report = render(rows, { quick, machine, mockoon: mockoonBin === undefined ? undefined : MOCKOON_VERSION, date: new Date().toISOString() });
  process.stdout.write(`${report.text}\n`);
  if (!quick && values.only === undefined && values.skip === undefined) {
    writeFileSync(new URL('results/latest.json', import.meta.url), `${JSON.stringify(report.json, null, 2)}\n`);
    writeFileSync(new URL('results/latest.md', import.meta.url), report.markdown);
    log('wrote bench/results/latest.json and bench/results/latest.md');
  }
  return quick && report.guardFailures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(String(error instanceof Error ? error.stack : error));
    process.exit(2);
  },
);
