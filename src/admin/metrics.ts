/**
 * Prometheus metrics. Figures the server already keeps (peer counters, stream ticks) are read when scraped
 * rather than counted again on the message path; only handshake refusals and HTTP requests are counted as
 * they happen.
 */
import type * as PromClient from 'prom-client';
import type { Counter, Gauge, Registry } from 'prom-client';
import type { StateFigures } from '../state/index.ts';
import { lazy } from '../util/lazy.ts';
import type { EndpointFigures, RecordingFolderFigures, RuleFigures } from './snapshot.ts';

export type { EndpointFigures } from './snapshot.ts';

// Loaded at the first scrape: most runs are never scraped, and the import costs 75 ms of start-up.
const promClient = lazy<typeof PromClient>('prom-client');

export interface MetricsSource {
  endpoints(): readonly EndpointFigures[];
  proxyConnections(): number;
  /** Recording folders with their budgets (none when nothing is recorded). */
  recordings?(): readonly RecordingFolderFigures[];
  /** The state store's figures: changes made, scopes and bytes held, scopes evicted. */
  state?(): StateFigures;
}

export interface Metrics {
  /** The Prometheus text exposition of every metric, now. */
  scrape(): Promise<{ contentType: string; text: string }>;
  rejected(reason: string): void;
  /** One answered HTTP request (a mock route's, the fallback's, or a 404), by route name and status. */
  httpRequest(route: string, status: number): void;
}

/**
 * Counts of answered HTTP requests by route name, then status. Two maps, not one keyed by the two joined: a
 * key built per request was a new string to hash on every request.
 */
type HttpCounts = Map<string, Map<number, number>>;

export function createMetrics(source: MetricsSource): Metrics {
  const rejections = new Map<string, number>();
  const http: HttpCounts = new Map();
  let registry: Registry | undefined;
  return {
    rejected: (reason) => rejections.set(reason, (rejections.get(reason) ?? 0) + 1),
    httpRequest: (route, status) => {
      let byStatus = http.get(route);
      if (byStatus === undefined) http.set(route, (byStatus = new Map()));
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    },
    async scrape() {
      registry ??= createRegistry(source, rejections, http);
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}

/** One gauge or counter per item of a source (an endpoint, a recording folder), labelled by its name. */
function byLabel<T>(registry: Registry, label: string, items: () => readonly T[], nameOf: (item: T) => string) {
  const { Counter, Gauge } = promClient();
  return (name: string, help: string, pick: (item: T) => number, kind: 'counter' | 'gauge'): void => {
    const config = {
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect(this: Counter | Gauge) {
        this.reset();
        for (const item of items()) {
          if (this instanceof Gauge) this.set({ [label]: nameOf(item) }, pick(item));
          else this.inc({ [label]: nameOf(item) }, pick(item));
        }
      },
    };
    if (kind === 'gauge') new Gauge(config);
    else new Counter(config);
  };
}

/** What each endpoint, its streams and its rules did. */
function registerEndpointFigures(registry: Registry, source: MetricsSource): void {
  const { Counter } = promClient();
  const byEndpoint = byLabel(registry, 'endpoint', () => source.endpoints(), (e: EndpointFigures) => e.endpoint);
  byEndpoint('mockwave_connections', 'WebSocket clients connected, by endpoint.', (e) => e.connections, 'gauge');
  byEndpoint('mockwave_messages_in_total', 'Messages received from clients, by endpoint.', (e) => e.messagesIn, 'counter');
  byEndpoint('mockwave_messages_out_total', 'Messages sent to clients, by endpoint.', (e) => e.messagesOut, 'counter');
  byEndpoint('mockwave_bytes_in_total', 'Bytes received from clients, by endpoint.', (e) => e.bytesIn, 'counter');
  byEndpoint('mockwave_bytes_out_total', 'Bytes sent to clients, by endpoint.', (e) => e.bytesOut, 'counter');
  byEndpoint('mockwave_dropped_messages_total', 'Messages dropped for clients that were not reading (over their queue cap or the server-wide one), by endpoint.', (e) => e.dropped, 'counter');

  new Counter({
    name: 'mockwave_stream_messages_total',
    help: 'Messages delivered by each stream (one per recipient).',
    labelNames: ['endpoint', 'stream'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const e of source.endpoints()) for (const s of e.streams) this.inc({ endpoint: e.endpoint, stream: s.name }, s.messages);
    },
  });
  const byRule = (name: string, help: string, pick: (rule: RuleFigures) => number): void => {
    new Counter({
      name,
      help,
      labelNames: ['endpoint', 'rule'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const e of source.endpoints()) for (const r of e.rules) this.inc({ endpoint: e.endpoint, rule: r.name }, pick(r));
      },
    });
  };
  new Counter({
    name: 'mockwave_faults_injected_total',
    help: 'Faults injected into clients\' connections (latency, drop, duplicate, corrupt, disconnect, stall), by endpoint and kind.',
    labelNames: ['endpoint', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const e of source.endpoints()) for (const [kind, count] of Object.entries(e.faults)) this.inc({ endpoint: e.endpoint, kind }, count);
    },
  });
  byRule('mockwave_rule_hits_total', 'Client messages matched by each rule.', (r) => r.hits);
  byRule('mockwave_rule_failures_total', 'Rule steps that failed (a reply that would not match its schema, a publish to no stream).', (r) => r.failures);
}

/** Every figure is read from its source when scraped; nothing is counted twice on the message path. */
function createRegistry(source: MetricsSource, rejections: ReadonlyMap<string, number>, http: HttpCounts): Registry {
  const { Counter, Gauge, Registry, collectDefaultMetrics } = promClient();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mockwave_' });
  registerEndpointFigures(registry, source);
  new Gauge({
    name: 'mockwave_proxy_connections',
    help: 'Live proxied connections.',
    registers: [registry],
    collect() {
      this.set(source.proxyConnections());
    },
  });
  const byFolder = byLabel(registry, 'folder', () => source.recordings?.() ?? [], (f: RecordingFolderFigures) => f.folder);
  byFolder('mockwave_recording_bytes_total', 'Bytes this run wrote to each recording folder (http.recordMaxBytes, proxy.recordMaxBytes cap them).', (f) => f.bytes, 'counter');
  byFolder('mockwave_recording_full', '1 when a recording folder reached its cap and recording there stopped.', (f) => (f.full ? 1 : 0), 'gauge');
  byFolder('mockwave_recording_dropped_total', 'Lines (frames, exchanges) left out of a recording folder that reached its cap.', (f) => f.dropped, 'counter');
  // The state store's figures, labelled by the store (the in-memory one today; docs/state.md).
  const byStore = byLabel(registry, 'store', () => { const figures = source.state?.(); return figures === undefined ? [] : [figures]; }, () => 'memory');
  byStore('mockwave_state_transitions_total', 'State changes made: each setState step, admin write or reset.', (f) => f.transitions, 'counter');
  byStore('mockwave_state_scopes', 'Client, caller and test scopes holding state.', (f) => f.scopes, 'gauge');
  byStore('mockwave_state_bytes', 'Bytes of state held, as JSON, in all scopes.', (f) => f.bytes, 'gauge');
  byStore('mockwave_state_evicted_total', 'Scopes forgotten to stay within the bounds of state.', (f) => f.evicted, 'counter');
  new Counter({
    name: 'mockwave_handshake_rejections_total',
    help: 'Refused WebSocket handshakes, by reason (error code).',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of rejections) this.inc({ reason }, count);
    },
  });
  new Counter({
    name: 'mockwave_http_requests_total',
    help: 'HTTP requests answered by the mock routes (route "(none)": the fallback or a 404), by route and status.',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [route, byStatus] of http) for (const [status, count] of byStatus) this.inc({ route, status: String(status) }, count);
    },
  });
  return registry;
}
