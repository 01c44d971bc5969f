/** The library's handle on a server (createMockServer) and what start() says: the API tests and tools use. */
import type { WebSocketStats } from '../admin/router.ts';
import type { MockwaveConfig } from '../config/schema.ts';
import type { EntryMatcherConfig, JournalEntryView, JournalQueryInput, VerifyOutcome } from '../journal/index.ts';
import type { Logger } from '../log/logger.ts';
import type { StateStore } from '../state/index.ts';
import type { ClientInfo } from './client-admin.ts';
import type { JournalPage } from './journal-admin.ts';
import type { VerifyOptions, WaitOptions } from './journal-library.ts';
import type { EndpointInfo } from './registry.ts';

export interface StartInfo {
  /** Base HTTP URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly endpoints: readonly EndpointInfo[];
  /** The dashboard's address, when it is served. */
  readonly dashboard: string | undefined;
  /** False when `websocket.enabled` is off: every upgrade is refused. */
  readonly websocket: boolean;
  /** The proxy's routes, when it is on: where a client connects, and the upstream (secrets masked). */
  readonly proxy: readonly { readonly route: string; readonly url: string; readonly upstream: string }[] | undefined;
  /** The HTTP routes at start, each in one line (`list orders: GET /api/orders -> respond 200 (json body)`, the name when it has one), and the real API that gets the rest (secrets masked). */
  readonly http: { readonly routes: readonly string[]; readonly fallback: string | undefined };
}

export interface MockServer {
  /** The configuration in force: the one given, or the last one a reload applied. */
  readonly config: MockwaveConfig;
  readonly logger: Logger;
  /** Listens and starts every stream; resolves with the bound URLs. */
  start(): Promise<StartInfo>;
  /** Closes every client with 1001, stops every timer and the HTTP server. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends a stream's message now (its own payload, or `data`) to its subscribers; returns how many got it. */
  publish(stream: string, data?: unknown, options?: { readonly endpoint?: string }): number;
  clients(): ClientInfo[];
  stats(): WebSocketStats;
  /**
   * What the journal kept (docs/journal.md): the entries a query asks for, oldest first, secrets masked, with
   * `next` to page by. Throws `MW_JOURNAL_OFF` when `journal.enabled` is false.
   */
  journal(query?: JournalQueryInput): JournalPage;
  /** Forgets the journal's entries: all, or those of one scope. */
  clearJournal(options?: { readonly scope?: string }): { readonly removed: number };
  /**
   * Saves a journal slice (all, one scope's, since a sequence number) into `dir` as recordings: a session file
   * per WebSocket client and `http.jsonl` for the HTTP exchanges, which `mockwave recording to-config <dir>`
   * turns into a configuration. Resolves with the files written.
   */
  saveJournal(dir: string, options?: { readonly scope?: string; readonly since?: number }): Promise<string[]>;
  /**
   * Checks the journal: how many entries `match` matches (at least one, or `count` / `atLeast` / `atMost`),
   * or, given a list, that they occur in that order. Throws an AssertionError naming the closest entries and
   * what differs in each when it does not hold.
   */
  verify(match: EntryMatcherConfig | readonly EntryMatcherConfig[], options?: VerifyOptions): VerifyOutcome;
  /** Resolves with the first entry (after `since`) that matches; rejects after `timeout` ms with the near misses. */
  waitFor(match: EntryMatcherConfig, options?: WaitOptions): Promise<JournalEntryView>;
  /** Resolves with the id of the next client to connect (to `endpoint`, of `scope`). */
  waitForClient(options?: { readonly endpoint?: string; readonly scope?: string; readonly since?: number; readonly timeout?: number }): Promise<string>;
  /**
   * The state rules, routes and templates read and `setState` writes (docs/state.md): read a scope, change
   * it, replace or reset it, list the scopes, count the changes.
   */
  readonly state: StateStore;
  /**
   * Forgets what tests changed: the journal and the state (all, or one scope's) and, without a scope, the
   * routes' sequence positions.
   */
  reset(options?: { readonly scope?: string }): void;
}
