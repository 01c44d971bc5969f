/**
 * Applies a re-read configuration to a running server without dropping a client: streams are added, changed
 * or removed per endpoint, rules and onConnect replaced, HTTP routes replaced. What cannot change while
 * running (port, host, TLS, the set of endpoints, a dialect, limits, auth, proxy, the dashboard, the HTTP
 * fallback and limits) is listed so the caller knows a restart is needed.
 */
import type { EndpointConfig, MockwaveConfig } from '../config/schema.ts';
import type { Endpoint } from '../endpoint/endpoint.ts';

/** What a reload may change besides the endpoints: the HTTP routes (checked before anything changes). */
export interface ReloadTargets {
  readonly endpoints: readonly Endpoint[];
  /** Throws (nothing changed) when the routes cannot be built: a publish to no stream, a file outside the folder. */
  checkHttpRoutes(routes: MockwaveConfig['http']['routes']): void;
  replaceHttpRoutes(routes: MockwaveConfig['http']['routes']): void;
}

export interface ReloadReport {
  readonly streamsAdded: string[];
  readonly streamsChanged: string[];
  readonly streamsRemoved: string[];
  readonly rulesReloaded: string[];
  /** Endpoints whose fault profile the file changed (one set through the admin API stays while the file's does not change). */
  readonly faultsChanged: string[];
  /** HTTP routes after the reload (they are replaced whole). */
  readonly httpRoutes: number;
  /** Settings that differ but only take effect after a restart. */
  readonly restartNeeded: string[];
}

/** Deep equality of JSON-like values, whatever the order of their keys. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function applyReload(current: MockwaveConfig, next: MockwaveConfig, targets: ReloadTargets, running: boolean): ReloadReport {
  const { endpoints } = targets;
  targets.checkHttpRoutes(next.http.routes);
  const report: ReloadReport = { streamsAdded: [], streamsChanged: [], streamsRemoved: [], rulesReloaded: [], faultsChanged: [], httpRoutes: next.http.routes.length, restartNeeded: [] };
  for (const key of ['port', 'host', 'tls', 'websocket', 'auth', 'cors', 'proxy', 'log', 'seed', 'dashboard', 'stateStore'] as const) {
    if (!same(current[key], next[key])) report.restartNeeded.push(key);
  }
  const { routes: _routes, ...httpSettings } = next.http;
  const { routes: _before, ...httpBefore } = current.http;
  if (!same(httpSettings, httpBefore)) report.restartNeeded.push('http (fallback, limits, collections)');
  targets.replaceHttpRoutes(next.http.routes);
  const byPath = new Map<string, EndpointConfig>(next.endpoints.map((e) => [e.path, e]));
  const previous = new Map<string, EndpointConfig>(current.endpoints.map((e) => [e.path, e]));
  for (const path of byPath.keys()) if (!endpoints.some((e) => e.endpoint === path)) report.restartNeeded.push(`endpoints: ${path} added`);
  for (const endpoint of endpoints) {
    const wanted = byPath.get(endpoint.endpoint);
    if (wanted === undefined) {
      report.restartNeeded.push(`endpoints: ${endpoint.endpoint} removed`);
      continue;
    }
    if (wanted.dialect !== endpoint.config.dialect || !same(wanted.replay, endpoint.config.replay)) report.restartNeeded.push(`endpoints: ${endpoint.endpoint} dialect or replay`);
    const names = new Set(wanted.streams.map((s) => s.name));
    for (const name of [...endpoint.streams.keys()]) {
      if (!names.has(name)) {
        endpoint.remove(name);
        report.streamsRemoved.push(`${endpoint.endpoint} ${name}`);
      }
    }
    for (const definition of wanted.streams) {
      const before = endpoint.definitions.get(definition.name);
      if (before !== undefined && same(before, definition)) continue;
      endpoint.put(definition, running);
      (before === undefined ? report.streamsAdded : report.streamsChanged).push(`${endpoint.endpoint} ${definition.name}`);
    }
    endpoint.setRules(wanted);
    report.rulesReloaded.push(endpoint.endpoint);
    if (!same(wanted.faults, previous.get(endpoint.endpoint)?.faults)) {
      endpoint.setFaults(wanted.faults);
      report.faultsChanged.push(endpoint.endpoint);
    }
  }
  return report;
}
