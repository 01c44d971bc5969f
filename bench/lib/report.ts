/**
 * Turns measured rows into the printed table, the Markdown for the README, and JSON. Ratios are always
 * mockwave / other, measured in the same run; a target says which way is good. Beside the servers, a row's
 * calibration (the same load against a server doing no work) and each server's share of it: a row where every
 * server is within 10 % of its calibration is marked client-bound, since it shows the load client's limit.
 */
/**
 * `guard`: the CI guard's own floor for this target (else GUARD_FLOOR or GUARD_CEILING); 'none': a full run's
 * target only, not guarded in the quick run's one-second windows.
 */
export type Target = { readonly vs: Versus; readonly ratio: number; readonly guard?: number | 'none' } | { readonly absolute: number };
/**
 * What a ratio compares: mockwave with a bare peer or Mockoon (mockwave / other), or mockwave with the journal
 * on with mockwave as it starts (`journalOn`: journal on / mockwave, the share the journal leaves).
 */
type Versus = 'bare' | 'mockoon' | 'journalOn';

export interface Row {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly targets: readonly Target[];
  readonly values: Partial<Record<Peer, number | undefined>>;
  /** The same load against bench/peers/calibrate.mjs; undefined where the figure is not a rate or a latency. */
  readonly calibration?: number | undefined;
  /** Load client processes the row was driven with (probed against the calibration). */
  readonly loadProcesses?: number | undefined;
}

type Peer = 'bare' | 'mockwave' | 'mockoon' | 'journalOn';
/** The servers whose share of the calibration is shown (and decides whether a row is client-bound). */
const PEERS: readonly Peer[] = ['bare', 'mockwave', 'mockoon'];

/**
 * The CI guard (--quick, test/perf/bench-guard.test.ts): mockwave must reach this share of bare's throughput
 * on every row with a target against bare. Loose, so that only a gross regression fails CI.
 */
export const GUARD_FLOOR = 0.5;
/**
 * The templated HTTP route's floor (issue 28): its gap to bare node:http was closed from some 0.4 x to 0.82 x,
 * and must not come back unnoticed.
 */
export const HTTP_GUARD_FLOOR = 0.7;
/** The same for figures where lower is better (latency, memory, start-up): at most this many times bare's. */
export const GUARD_CEILING = 2.5;
const GUARD = { higher: GUARD_FLOOR, lower: GUARD_CEILING } as const;
/** A server within this share of its calibration is measuring the load client rather than itself. */
const CLIENT_BOUND_WITHIN = 0.1;

function ratio(row: Row, vs: Versus): number | undefined {
  const [mine, theirs] = vs === 'journalOn' ? [row.values.journalOn, row.values.mockwave] : [row.values.mockwave, row.values[vs]];
  if (mine === undefined || theirs === undefined || theirs === 0) return undefined;
  return mine / theirs;
}

function check(row: Row, target: Target, quick: boolean): { text: string; ok: boolean | undefined } {
  const op = row.better === 'higher' ? '>=' : '<=';
  if ('absolute' in target) {
    // An absolute target (15,000 held, the POST matching's share) is a full run's report, never a CI guard.
    if (quick) return { text: '', ok: undefined };
    const mine = row.values.mockwave;
    return { text: `${op} ${target.absolute}`, ok: mine === undefined ? undefined : row.better === 'higher' ? mine >= target.absolute : mine <= target.absolute };
  }
  const guard = target.guard;
  if (quick && (target.vs !== 'bare' || guard === 'none')) return { text: '', ok: undefined };
  const wanted = quick && guard !== 'none' ? (guard ?? GUARD[row.better]) : target.ratio;
  const r = ratio(row, target.vs);
  const ok = r === undefined ? undefined : row.better === 'higher' ? r >= wanted : r <= wanted;
  return { text: `${op} ${wanted} x ${target.vs}`, ok };
}

const num = (n: number | undefined): string => (n === undefined ? '-' : n >= 1000 ? Math.round(n).toLocaleString('en') : String(Math.round(n * 1000) / 1000));
const times = (n: number | undefined): string => (n === undefined ? '-' : `${n.toFixed(2)} x`);

/** A server's figure as a share of the row's calibration. */
function share(row: Row, peer: Peer): number | undefined {
  const value = row.values[peer];
  return value === undefined || row.calibration === undefined || row.calibration === 0 ? undefined : value / row.calibration;
}

/** Every server measured is within 10 % of the calibration (for latency: at most 10 % above it). */
export function clientBound(row: Row): boolean {
  const shares = PEERS.map((peer) => share(row, peer)).filter((s): s is number => s !== undefined);
  if (shares.length === 0) return false;
  return shares.every((s) => (row.better === 'higher' ? s >= 1 - CLIENT_BOUND_WITHIN : s <= 1 + CLIENT_BOUND_WITHIN));
}

/** One line naming the load processes each row was driven with (only rows that probe for them). */
function loadLine(rows: readonly Row[]): string {
  const seen = new Map<string, number>();
  for (const row of rows) if (row.loadProcesses !== undefined) seen.set(row.id, row.loadProcesses);
  if (seen.size === 0) return '';
  return `Load client processes per row (raised while the calibration still rose; without calibration, the first count): ${[...seen].map(([id, n]) => `${id} ${n}`).join(', ')}.`;
}

export function render(rows: readonly Row[], meta: { quick: boolean; machine: string; mockoon: string | undefined; date: string }): { text: string; markdown: string; json: unknown; guardFailures: string[] } {
  const mockoon = meta.mockoon === undefined ? 'Mockoon' : `Mockoon ${meta.mockoon}`;
  const head = ['work', 'figure', 'calibration', 'bare', 'mockwave', mockoon, 'bare / cal.', 'mockwave / cal.', 'Mockoon / cal.', 'mockwave / bare', 'mockwave / Mockoon', 'journal on / mockwave', meta.quick ? 'guard' : 'target', '', 'bound'];
  const guardFailures: string[] = [];
  const body = rows.map((row) => {
    const checks = row.targets.map((t) => check(row, t, meta.quick)).filter((c) => c.text !== '');
    const ok = checks.length === 0 ? '' : checks.some((c) => c.ok === false) ? 'MISSED' : checks.every((c) => c.ok === true) ? 'met' : '?';
    if (meta.quick && ok === 'MISSED') guardFailures.push(`${row.id} ${row.unit}`);
    const figures = PEERS.map((peer) => num(row.values[peer]));
    const shares = PEERS.map((peer) => times(share(row, peer)));
    const bound = clientBound(row) ? 'client' : '';
    return [row.label, row.unit, num(row.calibration), ...figures, ...shares, times(ratio(row, 'bare')), times(ratio(row, 'mockoon')), times(ratio(row, 'journalOn')), checks.map((c) => c.text).join(', '), ok, bound];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const text = [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), '', loadLine(rows), `${meta.machine}; ${meta.date}`].join('\n');
  const markdown = [
    `Measured ${meta.date.slice(0, 10)} on ${meta.machine}; server and load clients are separate processes on 127.0.0.1.`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
    '',
    loadLine(rows),
    '',
  ].join('\n');
  const json = {
    date: meta.date,
    machine: meta.machine,
    quick: meta.quick,
    mockoon: meta.mockoon ?? null,
    rows: rows.map((r) => ({
      ...r,
      calibration: r.calibration ?? null,
      loadProcesses: r.loadProcesses ?? null,
      ratioBare: ratio(r, 'bare') ?? null,
      ratioMockoon: ratio(r, 'mockoon') ?? null,
      ratioJournalOn: ratio(r, 'journalOn') ?? null,
      ofCalibration: Object.fromEntries(PEERS.map((peer) => [peer, share(r, peer) ?? null])),
      clientBound: clientBound(r),
    })),
  };
  return { text, markdown, json, guardFailures };
}
