/**
 * What the parts of one endpoint share (its admission, its command handler, its fan-out): built once by the
 * `Endpoint`, which holds them together, and read by each part. Nothing here is per client.
 */
import type { EndpointConfig } from '../config/schema.ts';
import type { WireDialect } from '../dialects/index.ts';
import type { Hub, HubFactory } from '../hub/hub.ts';
import type { EndpointFaults, HeldBudget } from '../faults/index.ts';
import type { Faultable } from '../hub/peer.ts';
import type { RateLimit } from '../security/rate-limit.ts';
import type { ClientScope } from './client-scope.ts';
import type { Journal } from '../journal/index.ts';
import type { StateStore } from '../state/store.ts';
import type { CallerOf } from '../state/caller.ts';
import type { EndpointRules } from './endpoint-rules.ts';
import type { EndpointJournal } from './journaled.ts';
import type { EndpointStreams, StreamSetContext } from './endpoint-streams.ts';
import type { PeerTimers } from './peer-timers.ts';
import type { Replies } from './replies.ts';
import type { Scripts } from './scripts.ts';

export interface EndpointContext extends StreamSetContext {
  /** Log every client message and broadcast at info level (cerberus users expect these lines). */
  readonly logTraffic: boolean;
  readonly totalClients: () => number;
  readonly rateLimit: RateLimit | undefined;
  readonly maxSubscriptions: number;
  /** Bytes one client may have queued (`websocket.maxBufferedBytes`): what a fault line may hold back for it too. */
  readonly maxBufferedBytes: number;
  /** What fault lines of every endpoint may hold back at once (`websocket.maxQueuedBytes`). */
  readonly faultBudget: HeldBudget;
  /** Makes the endpoint's hub: the composition root's choice (the memory hub; a broker later). */
  readonly createHub: HubFactory;
  /** The traffic journal; undefined when it is off (`journal.enabled: false`). */
  readonly journal: Journal | undefined;
  /** The state rules read and write. */
  readonly state: StateStore;
  /** Which HTTP caller a connection belongs to (`stateStore.caller`), for the state it reads. */
  readonly caller: CallerOf;
}

export interface EndpointCore {
  /** The endpoint's path pattern, as configured. */
  readonly path: string;
  readonly config: EndpointConfig;
  readonly context: EndpointContext;
  readonly dialect: WireDialect;
  readonly hub: Hub;
  /** The clients connected here now. */
  readonly peers: Set<Faultable>;
  /** The faults put on its clients' connections (none while no profile is on). */
  readonly faults: EndpointFaults;
  readonly streams: EndpointStreams;
  readonly scripts: Scripts;
  readonly scope: ClientScope;
  /** Delayed rule actions, scripts and replays per client, cancelled when it leaves or the server stops. */
  readonly timers: PeerTimers;
  readonly rules: EndpointRules;
  readonly replies: Replies;
  /** The endpoint's part in the journal; undefined when it is off here. */
  readonly journal: EndpointJournal | undefined;
}
