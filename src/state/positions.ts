/**
 * A `sequence` step's position per caller, by route (`http:<route>`): a counter, not state a configuration
 * reads or writes (that is the state store, store.ts), so it is kept apart and never shown as state. Each
 * route holds at most `maxKeys` callers (callers told apart by a header or a cookie are the clients' to
 * choose): past that, the one least recently used is forgotten.
 */
export class Positions {
  readonly #scopes = new Map<string, Map<string, unknown>>();
  readonly #maxKeys: number;

  constructor(options: { readonly maxKeys?: number } = {}) {
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  get(scope: string, key: string): unknown {
    const values = this.#scopes.get(scope);
    const value = values?.get(key);
    if (values !== undefined && value !== undefined) {
      // Most recently used last: the first key is the one to forget.
      values.delete(key);
      values.set(key, value);
    }
    return value;
  }

  set(scope: string, key: string, value: unknown): void {
    let values = this.#scopes.get(scope);
    if (values === undefined) {
      values = new Map();
      this.#scopes.set(scope, values);
    }
    values.delete(key);
    if (values.size >= this.#maxKeys) values.delete(values.keys().next().value as string);
    values.set(key, value);
  }

  /** The number of times `next` was asked for this key before (0 the first time), counting this one. */
  next(scope: string, key: string): number {
    const seen = this.get(scope, key);
    const count = typeof seen === 'number' ? seen : 0;
    this.set(scope, key, count + 1);
    return count;
  }

  /** Forgets one scope, or every scope. */
  reset(scope?: string): void {
    if (scope === undefined) this.#scopes.clear();
    else this.#scopes.delete(scope);
  }

  /** Scope -> keys held: for the admin API. */
  sizes(): Record<string, number> {
    return Object.fromEntries([...this.#scopes].map(([scope, values]) => [scope, values.size]));
  }
}
