/**
 * State as rules, routes, streams and templates see it: one JSON document per scope, read through layers
 * and changed by small operations. An interface, so a store shared by several instances can stand beside
 * the in-memory one (memory.ts) later; everything above this layer sees only the interface.
 *
 * Scopes, by name:
 * - `global`: one document every connection and request sees;
 * - `scope:<name>`: a test's scope (the journal's: the `x-mockwave-scope` header, cookie or `?scope=`);
 * - `client:<id>`: one WebSocket or SSE connection, dropped when it leaves;
 * - `caller:<key>`: an HTTP caller told apart by a header or a cookie.
 * What a run reads is `global`, overlaid key by key by its test scope, overlaid by its client or caller.
 */

/** A change, as a `setState` step and `PATCH /admin/state` write it: each field maps dotted paths to values. */
export interface StateChange {
  /** Each path to this value (made, with the objects on its way, when missing). */
  readonly set?: Readonly<Record<string, unknown>> | undefined;
  /** Each path's object gains these fields (a path that holds no object becomes this object). */
  readonly merge?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;
  /** Each path's number plus this (a missing one counts as 0). */
  readonly increment?: Readonly<Record<string, number>> | undefined;
  /** Each path's array with this value at its end (a missing one starts empty). */
  readonly append?: Readonly<Record<string, unknown>> | undefined;
  /** These paths removed. */
  readonly delete?: readonly string[] | undefined;
}

/** One change made: what the admin API, the journal and `/metrics` are told. */
export interface StateEvent {
  readonly scope: string;
  /** `change`, `replace` (a whole document), `reset` (a scope or, with scope `*`, all), `evict` (over the bounds). */
  readonly kind: 'change' | 'replace' | 'reset' | 'evict';
  readonly change?: StateChange | undefined;
  /** Who made it: `rule:<name>`, `route:<name>`, `admin`, … (src/util/source.ts). */
  readonly source: string;
  /** The test scope of the run that made it (`x-mockwave-scope`), when it named one: the journal files the change there. */
  readonly within?: string | undefined;
}

/** One scope as the admin API lists it. */
export interface ScopeFigures {
  readonly scope: string;
  readonly keys: number;
  /** Its size as JSON, counted per top-level key when written. */
  readonly bytes: number;
}

export interface StateFigures {
  readonly scopes: number;
  readonly bytes: number;
  /** Changes made (each `setState`, admin write or reset counts one). */
  readonly transitions: number;
  /** Client, caller and test scopes forgotten to stay within the bounds. */
  readonly evicted: number;
}

export type Document = Readonly<Record<string, unknown>>;

export interface StateStore {
  /** One scope's document; undefined when it holds nothing. Never written to: changes replace the objects on their path. */
  get(scope: string): Document | undefined;
  /** What a run in these scopes reads, most general first (`['global', 'scope:a', 'client:3']`). */
  view(scopes: readonly string[]): Document;
  /**
   * Applies a change; throws a MockwaveError (400) when a path is not allowed or the scope would grow past its
   * bound. `within`: the test scope of the run that made it, told to listeners.
   */
  change(scope: string, change: StateChange, source: string, within?: string): void;
  /** Replaces a scope's whole document. */
  replace(scope: string, document: Document, source: string): void;
  /** Forgets one scope, or every scope. */
  reset(scope: string | undefined, source: string): void;
  list(): ScopeFigures[];
  figures(): StateFigures;
  /** Called after each change; returns the function that stops it. */
  onChange(listener: (event: StateEvent) => void): () => void;
}

/** The name of a client's scope, of a test's (a caller's, `caller:<key>`, is made by nothing yet). */
export const clientScope = (id: string): string => `client:${id}`;
export const testScope = (name: string): string => `scope:${name}`;

/** The layer of one kind among a run's state scopes (`layerOf(scopes, 'caller')` is its `caller:…`), if it has one. */
export function layerOf(scopes: readonly string[], kind: 'client' | 'caller' | 'scope'): string | undefined {
  const prefix = `${kind}:`;
  return scopes.find((layer) => layer.startsWith(prefix));
}
export const GLOBAL_SCOPE = 'global';

/** Whether a scope's name is one of the four kinds (`global`, `client:<id>`, `caller:<key>`, `scope:<name>`). */
export function isScopeName(scope: string): boolean {
  return scope === GLOBAL_SCOPE || /^(client|caller|scope):./.test(scope);
}
