/**
 * At most one log line per key (a client, a reason and address) per interval, counting the lines left out,
 * so a flood of the same event cannot flood the log. With `maxKeys` (a Map of strings) the oldest keys are
 * forgotten past that many; with object keys a WeakMap forgets them with their object.
 */
interface Entry {
  at: number;
  skipped: number;
}

export class LineLimiter<K> {
  readonly #everyMs: number;
  readonly #entries: Map<K, Entry> | WeakMap<K & object, Entry>;
  readonly #maxKeys: number;

  constructor(everyMs: number, options: { readonly weak?: boolean; readonly maxKeys?: number } = {}) {
    this.#everyMs = everyMs;
    this.#entries = options.weak === true ? new WeakMap() : new Map();
    this.#maxKeys = options.maxKeys ?? Infinity;
  }

  /** Undefined when this line is to be left out; else how many were left out since the key's last line. */
  pass(key: K, now: number): number | undefined {
    const entries = this.#entries as Map<K, Entry>;
    const last = entries.get(key);
    if (last !== undefined && now - last.at < this.#everyMs) {
      last.skipped += 1;
      return undefined;
    }
    if (entries instanceof Map) {
      entries.delete(key);
      if (entries.size >= this.#maxKeys) entries.delete(entries.keys().next().value as K);
    }
    entries.set(key, { at: now, skipped: 0 });
    return last?.skipped ?? 0;
  }
}
