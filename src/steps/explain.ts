/**
 * The words of one-line descriptions of rules and routes (mockttp's `explain()` is the model): how a value
 * and a time read in a step's phrase.
 */

/** The longest a value is shown in a phrase; longer ones end with "…". */
const SHOWN = 60;

/** A value as it reads in a phrase: a string quoted, anything else as JSON, cut at `max` characters. */
export function brief(value: unknown, max = SHOWN): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `100 ms`, `100-200 ms` */
export function msText(value: number | string): string {
  return `${typeof value === 'number' ? value : value.replace(/\s+/g, '')} ms`;
}
