/**
 * Turns measured rows into the printed table, the Markdown for the README, and JSON. Ratios are always
 * mockwave / other, measured in the same run; a target says which way is good.
 */
export type Target = { readonly vs: 'bare' | 'mockoon'; readonly ratio: number } | { readonly absolute: number };

export interface Row {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly targets: readonly Target[];
  readonly values: Partial<Record<'bare' | 'mockwave' | 'mockoon', number | undefined>>;
}

/** In --quick, a target becomes a guard this loose: only a gross regression fails CI. */
const GUARD = { higher: 0.5, lower: 2.5 } as const;

function ratio(row: Row, vs: 'bare' | 'mockoon'): number | undefined {
  const mine = row.values.mockwave;
  const theirs = row.values[vs];
  if (mine === undefined || theirs === undefined || theirs === 0) return undefined;
  return mine / theirs;
}

function check(row: Row, target: Target, quick: boolean): { text: string; ok: boolean | undefined } {
  const op = row.better === 'higher' ? '>=' : '<=';
  if ('absolute' in target) {
    const mine = row.values.mockwave;
    return { text: `${op} ${target.absolute}`, ok: mine === undefined ? undefined : row.better === 'higher' ? mine >= target.absolute : mine <= target.absolute };
  }
  const wanted = quick ? GUARD[row.better] : target.ratio;
  if (quick && target.vs !== 'bare') return { text: '', ok: undefined };
  const r = ratio(row, target.vs);
  const ok = r === undefined ? undefined : row.better === 'higher' ? r >= wanted : r <= wanted;
  return { text: `${op} ${wanted} x ${target.vs}`, ok };
}

const num = (n: number | undefined): string => (n === undefined ? '-' : n >= 1000 ? Math.round(n).toLocaleString('en') : String(Math.round(n * 1000) / 1000));
const times = (n: number | undefined): string => (n === undefined ? '-' : `${n.toFixed(2)} x`);

export function render(rows: readonly Row[], meta: { quick: boolean; machine: string; mockoon: string | undefined; date: string }): { text: string; markdown: string; json: unknown; guardFailures: string[] } {
  const head = ['work', 'figure', 'bare ws', 'mockwave', meta.mockoon === undefined ? 'Mockoon' : `Mockoon ${meta.mockoon}`, 'mockwave / bare', 'mockwave / Mockoon', meta.quick ? 'guard' : 'target', ''];
  const guardFailures: string[] = [];
  const body = rows.map((row) => {
    const checks = row.targets.map((t) => check(row, t, meta.quick)).filter((c) => c.text !== '');
    const ok = checks.length === 0 ? '' : checks.some((c) => c.ok === false) ? 'MISSED' : checks.every((c) => c.ok === true) ? 'met' : '?';
    if (meta.quick && ok === 'MISSED') guardFailures.push(`${row.id} ${row.unit}`);
    return [row.label, row.unit, num(row.values.bare), num(row.values.mockwave), num(row.values.mockoon), times(ratio(row, 'bare')), times(ratio(row, 'mockoon')), checks.map((c) => c.text).join(', '), ok];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const text = [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), '', `${meta.machine}; ${meta.date}`].join('\n');
  const markdown = [
    `Measured ${meta.date.slice(0, 10)} on ${meta.machine}; server and load clients are separate processes on 127.0.0.1.`,
    '',
    `| ${head.slice(0, -1).join(' | ')} | |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
  const json = { date: meta.date, machine: meta.machine, quick: meta.quick, mockoon: meta.mockoon ?? null, rows: rows.map((r) => ({ ...r, ratioBare: ratio(r, 'bare') ?? null, ratioMockoon: ratio(r, 'mockoon') ?? null })) };
  return { text, markdown, json, guardFailures };
}
