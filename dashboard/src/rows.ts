import { useCallback, useState } from 'preact/hooks';

/** A row with a key of its own (rows of the log and the list may repeat their content). */
export interface Keyed<T> {
  readonly key: number;
  readonly row: T;
}

export interface Rows<T> {
  readonly rows: readonly Keyed<T>[];
  readonly paused: boolean;
  /** Rows that arrived while paused, not shown. */
  readonly missed: number;
  /** Rows the server left out while the page was behind (it says how many). */
  readonly skipped: number;
  /** Rows older than the history the server sent (its bound). */
  readonly earlier: number;
}

let keys = 0;

/**
 * A bounded list of rows as a developer tools panel keeps it: oldest first, the newest `limit` kept; paused,
 * nothing is added and what arrives is counted; cleared, it starts again empty. `merge` may fold a row into
 * one already shown (the end of a connection onto its upgrade) instead of adding it.
 */
export function useRows<T>(limit: number, merge?: (rows: readonly Keyed<T>[], row: T) => Keyed<T>[] | undefined) {
  const [state, setState] = useState<Rows<T>>({ rows: [], paused: false, missed: 0, skipped: 0, earlier: 0 });
  const add = useCallback((incoming: readonly T[], skipped = 0) => setState((s) => {
    if (s.paused) return { ...s, missed: s.missed + incoming.length + skipped };
    let rows = s.rows;
    for (const row of incoming) rows = merge?.(rows, row) ?? [...rows, { key: keys++, row }];
    return { ...s, rows: rows.length > limit ? rows.slice(-limit) : rows, skipped: s.skipped + skipped };
  }), [limit, merge]);
  const reset = useCallback((incoming: readonly T[], earlier = 0) => {
    setState({ rows: [], paused: false, missed: 0, skipped: 0, earlier });
    add(incoming);
  }, [add]);
  return {
    ...state,
    add,
    reset,
    setPaused: (paused: boolean) => setState((s) => ({ ...s, paused })),
    clear: () => setState((s) => ({ ...s, rows: [], missed: 0, skipped: 0, earlier: 0 })),
  };
}

export const clock = (at: number): string => new Date(at).toISOString().slice(11, 23);

export function bytes(size: number | undefined): string {
  if (size === undefined) return '—';
  return size < 1024 ? `${size} B` : size < 1048576 ? `${(size / 1024).toFixed(1)} kB` : `${(size / 1048576).toFixed(1)} MB`;
}

/** JSON pretty-printed, other text as it is. */
export function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
