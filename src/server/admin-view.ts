/**
 * The server as the admin layer sees it (AdminView): the admin API, the dashboard and /metrics reach the
 * server only through this object, never its internals.
 */
import type { StateStore } from '../state/index.ts';
import type { JournalAdmin } from './journal-admin.ts';
import { findSchema, verifySchema, waitSchema } from '../journal/index.ts';
import type { IncomingMessage } from 'node:http';
import type { Metrics } from '../admin/metrics.ts';
import type { AdminView } from '../admin/router.ts';
import type { ServerDescription, WebSocketStats } from '../admin/snapshot.ts';
import type { MockwaveConfig } from '../config/schema.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { accessPolicy, accessRefusal } from '../security/access.ts';
import { guardAdminRequest } from '../security/admin-guard.ts';
import { corsGrant } from '../security/cors.ts';
import type { ClientAdmin } from './client-admin.ts';
import type { LiveJournal } from '../admin/live.ts';
import type { Redactor } from '../security/redact.ts';
import type { FaultAdmin } from './fault-admin.ts';
import type { StreamAdmin } from './stream-admin.ts';
import type { HttpAdmin } from './http-side.ts';
import { exportQuerySchema } from './journal-export.ts';

export interface AdminViewParts {
  readonly config: MockwaveConfig;
  readonly streams: StreamAdmin;
  readonly faults: FaultAdmin;
  readonly clients: ClientAdmin;
  readonly http: HttpAdmin;
  readonly metrics: Metrics;
  readonly journal: JournalAdmin;
  /** The journal as the live views read it; undefined while it is off. */
  readonly liveJournal: LiveJournal | undefined;
  readonly redact: Redactor;
  readonly state: StateStore;
  stats(): WebSocketStats;
  describe(): ServerDescription;
  publish(stream: string, data: unknown, endpoint: string | undefined): number;
  /** Re-reads and applies the configuration; undefined when the server was not started from files. */
  readonly reload: ((resetState: boolean) => unknown) | undefined;
  now(): number;
  requestId(): string;
}

export function createAdminView(parts: AdminViewParts): AdminView {
  const { config, streams, clients } = parts;
  const access = accessPolicy('admin', config);
  return {
    ...streams,
    ...clients,
    ...parts.http,
    ...parts.faults,
    dashboard: config.dashboard.enabled,
    maxLiveConnections: config.dashboard.maxLiveConnections,
    stats: parts.stats,
    describe: parts.describe,
    publish: parts.publish,
    reload: (resetState) => {
      if (parts.reload === undefined) throw new MockwaveError('MW_RELOAD_UNAVAILABLE', 'This server was not started from configuration files: nothing to re-read');
      return parts.reload(resetState);
    },
    journal: (query) => parts.journal.journal(parts.journal.query(query, 'GET /admin/journal')),
    clearJournal: (scope) => parts.journal.clearJournal(scope),
    exportJournal: (query) => parts.journal.exportFile(parts.journal.parse(exportQuerySchema, query, 'GET /admin/journal/export')),
    findInJournal: (body) => parts.journal.find(parts.journal.parse(findSchema, body, 'POST /admin/journal/find')),
    verifyJournal: (body) => ({ ...parts.journal.verify(parts.journal.parse(verifySchema, body, 'POST /admin/verify')) }),
    waitInJournal: async (body, gone) => ({ ...(await parts.journal.wait(parts.journal.parse(waitSchema, body, 'POST /admin/wait'), gone)) }),
    snapshot: () => ({ at: parts.now(), server: parts.describe(), stats: parts.stats(), clients: clients.clients(), streams: streams.streams(), journal: parts.liveJournal !== undefined }),
    redact: parts.redact,
    state: parts.state,
    liveJournal: parts.liveJournal,
    now: parts.now,
    requestId: parts.requestId,
    metrics: () => parts.metrics.scrape(),
    guard: (request: IncomingMessage) => guardAdminRequest(request, { host: config.host, origins: config.cors.origins }),
    refuse: (request: IncomingMessage) => accessRefusal(request, access, 0),
    cors: (request: IncomingMessage) => corsGrant(request.headers.origin, config.cors, 'admin'),
  };
}
