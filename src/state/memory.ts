/**
 * The in-memory state store: one document per scope. `global` is always there; client, caller and test
 * scopes are made by their first change and kept least recently used first, so the bounds (how many such
 * scopes, how many bytes in all) forget the one untouched longest, counted as evicted. One scope may not grow
 * past `maxScopeBytes`: a change that would is refused whole. Sizes are counted as JSON per top-level key
 * when that key is written, so a change costs the size of what it touched, not of the whole document.
 */
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import { applyChange } from './paths.ts';
import { GLOBAL_SCOPE, type Document, type ScopeFigures, type StateChange, type StateEvent, type StateFigures, type StateStore } from './store.ts';

export interface StateBounds {
  /** Client, caller and test scopes held at most (the global one is not counted). */
  readonly maxScopes: number;
  /** Bytes (as JSON) one scope may hold. */
  readonly maxScopeBytes: number;
  /** Bytes all scopes may hold together; past it, the least recently used scopes other than `global` go. */
  readonly maxBytes: number;
}

export const DEFAULT_STATE_BOUNDS: StateBounds = Object.freeze({ maxScopes: 10_000, maxScopeBytes: 1024 * 1024, maxBytes: 64 * 1024 * 1024 });

const EMPTY: Document = Object.freeze({});

interface Held {
  doc: Document;
  /** Top-level key -> its size as JSON (key and value). */
  readonly sizes: Map<string, number>;
  bytes: number;
}

function sizeOf(doc: Document, key: string): number {
  if (!Object.hasOwn(doc, key)) return 0;
  let text: string | undefined;
  try {
    text = JSON.stringify(doc[key]);
  } catch (error) {
    throw new MockwaveError('MW_STATE_REFUSED', `State key ${JSON.stringify(key)}: not JSON (${errorMessage(error)})`);
  }
  return key.length + 3 + (text?.length ?? 0);
}

export class MemoryStateStore implements StateStore {
  readonly #bounds: StateBounds;
  readonly #global: Held = { doc: EMPTY, sizes: new Map(), bytes: 0 };
  /** Every scope but `global`, least recently used first. */
  readonly #scopes = new Map<string, Held>();
  readonly #listeners = new Set<(event: StateEvent) => void>();
  #bytes = 0;
  #transitions = 0;
  #evicted = 0;

  constructor(bounds: Partial<StateBounds> = {}) {
    this.#bounds = { ...DEFAULT_STATE_BOUNDS, ...bounds };
  }

  get(scope: string): Document | undefined {
    const held = this.#held(scope);
    return held === undefined || held.sizes.size === 0 ? undefined : held.doc;
  }

  view(scopes: readonly string[]): Document {
    let view: Document | undefined;
    let shared = true;
    for (const scope of scopes) {
      const doc = this.get(scope);
      if (doc === undefined) continue;
      if (view === undefined) view = doc;
      else if (shared) {
        view = { ...view, ...doc };
        shared = false;
      } else Object.assign(view, doc);
    }
    return view ?? EMPTY;
  }

  change(scope: string, change: StateChange, source: string, within?: string): void {
    const held = this.#held(scope) ?? { doc: EMPTY, sizes: new Map(), bytes: 0 };
    const { doc, touched } = applyChange(held.doc, change);
    this.#commit(scope, held, doc, touched);
    this.#emit({ scope, kind: 'change', change, source, within });
  }

  replace(scope: string, document: Document, source: string): void {
    const held = this.#held(scope) ?? { doc: EMPTY, sizes: new Map(), bytes: 0 };
    const doc = { ...document };
    this.#commit(scope, held, doc, new Set([...held.sizes.keys(), ...Object.keys(doc)]));
    this.#emit({ scope, kind: 'replace', source });
  }

  reset(scope: string | undefined, source: string): void {
    if (scope === undefined) {
      this.#scopes.clear();
      Object.assign(this.#global, { doc: EMPTY, bytes: 0 });
      this.#global.sizes.clear();
      this.#bytes = 0;
    } else this.#drop(scope);
    this.#transitions += 1;
    this.#emit({ scope: scope ?? '*', kind: 'reset', source });
  }

  list(): ScopeFigures[] {
    const figures = (scope: string, held: Held): ScopeFigures => ({ scope, keys: held.sizes.size, bytes: held.bytes });
    return [figures(GLOBAL_SCOPE, this.#global), ...[...this.#scopes].map(([scope, held]) => figures(scope, held))];
  }

  figures(): StateFigures {
    return { scopes: this.#scopes.size, bytes: this.#bytes, transitions: this.#transitions, evicted: this.#evicted };
  }

  onChange(listener: (event: StateEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** A scope's holding, marked as used most recently. */
  #held(scope: string): Held | undefined {
    if (scope === GLOBAL_SCOPE) return this.#global;
    const held = this.#scopes.get(scope);
    if (held !== undefined) {
      this.#scopes.delete(scope);
      this.#scopes.set(scope, held);
    }
    return held;
  }

  /** Makes `doc` the scope's document if it stays within the scope's bound (else throws, nothing changed). */
  #commit(scope: string, held: Held, doc: Document, touched: ReadonlySet<string>): void {
    const sizes = new Map<string, number>();
    let bytes = held.bytes;
    for (const key of touched) {
      const size = sizeOf(doc, key);
      sizes.set(key, size);
      bytes += size - (held.sizes.get(key) ?? 0);
    }
    if (bytes > this.#bounds.maxScopeBytes) throw new MockwaveError('MW_STATE_REFUSED', `State scope ${scope} would hold ${bytes} bytes, over stateStore.maxScopeBytes (${this.#bounds.maxScopeBytes}): the change is not applied`);
    for (const [key, size] of sizes) {
      if (size === 0) held.sizes.delete(key);
      else held.sizes.set(key, size);
    }
    this.#bytes += bytes - held.bytes;
    held.bytes = bytes;
    held.doc = doc;
    this.#transitions += 1;
    if (scope === GLOBAL_SCOPE) return;
    if (held.sizes.size === 0) this.#drop(scope);
    else {
      this.#scopes.delete(scope);
      this.#scopes.set(scope, held);
      this.#evictOver(scope);
    }
  }

  /** Forgets the least recently used scopes (never `keep`, the one just written) until within the bounds. */
  #evictOver(keep: string): void {
    for (const [scope] of this.#scopes) {
      if (this.#scopes.size <= this.#bounds.maxScopes && this.#bytes <= this.#bounds.maxBytes) return;
      if (scope === keep) continue;
      this.#drop(scope);
      this.#evicted += 1;
      this.#emit({ scope, kind: 'evict', source: 'state' });
    }
  }

  #drop(scope: string): void {
    if (scope === GLOBAL_SCOPE) {
      this.#bytes -= this.#global.bytes;
      Object.assign(this.#global, { doc: EMPTY, bytes: 0 });
      this.#global.sizes.clear();
      return;
    }
    const held = this.#scopes.get(scope);
    if (held === undefined) return;
    this.#scopes.delete(scope);
    this.#bytes -= held.bytes;
  }

  #emit(event: StateEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
