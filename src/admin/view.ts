/**
 * What the admin API sees of the server: an interface the composition root provides (src/server/admin-view.ts),
 * so the admin layer never reaches into server internals.
 */
import type { IncomingMessage } from 'node:http';
import type { Refusal } from '../errors/refusal.ts';
import type { CorsGrant } from '../security/cors.ts';
import type { FaultsView } from '../faults/index.ts';
import type { StateStore } from '../state/index.ts';
import type { LiveSource } from './live.ts';
import type { ClientInfo, ServerDescription, StreamInfo, WebSocketStats } from './snapshot.ts';

export interface AdminView extends LiveSource {
  /** The state rules, routes and templates read (`/admin/state`). */
  readonly state: StateStore;
  /** Whether `/` serves the dashboard to browsers. */
  readonly dashboard: boolean;
  /** Live views (snapshot feeds and client message logs) open at once. */
  readonly maxLiveConnections: number;
  stats(): WebSocketStats;
  /** What the server serves: version, endpoints and their streams. */
  describe(): ServerDescription;
  clients(): readonly ClientInfo[];
  /** Sends a stream's message now (its own payload, or `data`); returns how many clients got it. */
  publish(stream: string, data: unknown, endpoint: string | undefined): number;
  /** Sends one raw message to a client, or to every client of an endpoint; returns how many got it. */
  sendTo(target: { clientId: string } | { endpoint: string }, message: unknown): number;
  /** Streams with their endpoint, schedule, subscribers and definition. */
  streams(): readonly StreamInfo[];
  /** One stream by name (on `endpoint` when given); throws when unknown or on several endpoints. */
  stream(name: string, endpoint: string | undefined): StreamInfo;
  /** Creates (or, with replace, changes) a stream from a definition validated like the config file. */
  putStream(definition: unknown, endpoint: string | undefined, mode: 'create' | 'replace', name?: string): unknown;
  removeStream(name: string, endpoint: string | undefined): void;
  /** Why data does not match the schema of a stream made from one (jsonSchema), or undefined. */
  schemaProblem(name: string, endpoint: string | undefined, data: unknown): string | undefined;
  /** Pauses or resumes a stream's schedule, ticks it now, or renders a payload without sending it. */
  controlStream(name: string, endpoint: string | undefined, action: 'pause' | 'resume' | 'tick' | 'render'): unknown;
  /** Re-reads and applies the configuration; throws MW_CONFIG_INVALID (nothing changed) when it is invalid. */
  /** Re-reads the configuration; `resetState`: the state is then forgotten too (by default a reload keeps it). */
  reload(resetState: boolean): unknown;
  /** HTTP routes: their figures, the last requests, and their definitions. */
  httpRoutes(): unknown;
  /** Adds (create) or changes (replace) an HTTP route from a definition validated as in a config file. */
  putHttpRoute(definition: unknown, mode: 'create' | 'replace', name?: string): unknown;
  removeHttpRoute(name: string): void;
  /**
   * The journal's entries a query asks for (its fields as the query string gives them: checked here, 400 when
   * wrong), masked, with the figures to page by; throws MW_JOURNAL_OFF when it is off.
   */
  journal(query: Readonly<Record<string, string>>): unknown;
  /** Forgets the journal's entries, all or one scope's. */
  clearJournal(scope: string | undefined): unknown;
  /**
   * A journal slice as one recording file (`protocol`, `client`, `scope`, `since`, `limit` as the query
   * string gives them: checked here, 400 when wrong): its name and its lines, made as they are written.
   */
  exportJournal(query: Readonly<Record<string, string>>): { readonly name: string; readonly lines: Iterable<string> };
  /** The entries a matcher matches (`{ match, scope?, client?, since?, limit? }`, checked here: 400 when wrong). */
  findInJournal(body: unknown): unknown;
  /** A verification (`{ match, count | atLeast | atMost }` or `{ order }`): what held, and why not when it did not. */
  verifyJournal(body: unknown): { readonly ok: boolean; readonly message: string } & Record<string, unknown>;
  /** Waits for a matching entry (`{ match, timeout }`); `gone` hands over a cancel for when the caller leaves. */
  waitInJournal(body: unknown, gone: (cancel: () => void) => void): Promise<{ readonly ok: boolean; readonly message: string } & Record<string, unknown>>;
  /** Every endpoint's fault profile (null while off) and the faults it injected. */
  faults(): readonly FaultsView[];
  /** A fault profile on (or changed) on an endpoint (the only one when `path` is undefined), checked as in a config file. */
  putFaults(path: string | undefined, body: unknown): FaultsView;
  /** The endpoint's fault profile off; what it held back leaves at once. */
  removeFaults(path: string | undefined): FaultsView;
  close(clientId: string, code: number, reason: string): void;
  terminate(clientId: string): void;
  /** Prometheus text of every metric. */
  metrics(): Promise<{ contentType: string; text: string }>;
  now(): number;
  requestId(): string;
  /** Undefined when the request may use the admin API, else why not (401 or 403: src/security/access.ts). */
  refuse(request: IncomingMessage): Refusal | undefined;
  /** Applied to every request before any route: Host, Origin and body type checks (403 or 415). */
  guard(request: IncomingMessage): Refusal | undefined;
  /** The CORS answer to this request's origin (src/security/cors.ts: the admin API's, listed origins only);
   * the router answers a preflight with the methods of the routes of its path. */
  cors(request: IncomingMessage): CorsGrant;
}
