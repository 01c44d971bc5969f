import type { Rows } from './rows.ts';

/** Pause and clear, and what is not shown (paused, skipped, older than the history), as developer tools have them. */
export function Controls({ rows, setPaused, clear, what }: { rows: Rows<unknown>; setPaused: (paused: boolean) => void; clear: () => void; what: string }) {
  const notes = [
    rows.earlier > 0 ? `${rows.earlier} older not shown` : '',
    rows.skipped > 0 ? `${rows.skipped} skipped while the page was behind` : '',
    rows.missed > 0 ? `${rows.missed} arrived while paused, not shown` : '',
  ].filter((n) => n !== '');
  return (
    <span class="controls">
      <button data-testid={`${what}-pause`} onClick={() => setPaused(!rows.paused)}>{rows.paused ? 'Resume' : 'Pause'}</button>{' '}
      <button data-testid={`${what}-clear`} onClick={clear}>Clear</button>{' '}
      <span class="meta" data-testid={`${what}-count`}>{rows.rows.length} shown{notes.length > 0 ? `; ${notes.join('; ')}` : ''}</span>
    </span>
  );
}
