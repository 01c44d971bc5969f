/**
 * Applies a re-read configuration to a running server without dropping a client: streams are added, changed
 * or removed per endpoint, rules and onConnect replaced. What cannot change while running (port, host, TLS,
 * the set of endpoints, a dialect, limits, auth, proxy) is listed so the caller knows a restart is needed.
 */
import type { EndpointConfig, MockwaveConfig } from '../config/schema.ts';
import type { Endpoint } from './endpoint.ts';

export interface ReloadReport {
  readonly streamsAdded: string[];
  readonly streamsChanged: string[];
  readonly streamsRemoved: string[];
  readonly rulesReloaded: string[];
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

export function applyReload(current: MockwaveConfig, next: MockwaveConfig, endpoints: readonly Endpoint[], running: boolean): ReloadReport {
  const report: ReloadReport = { streamsAdded: [], streamsChanged: [], streamsRemoved: [], rulesReloaded: [], restartNeeded: [] };
  for (const key of ['port', 'host', 'tls', 'websocket', 'auth', 'cors', 'proxy', 'log', 'seed'] as const) {
    if (!same(current[key], next[key])) report.restartNeeded.push(key);
  }
  const byPath = new Map<string, EndpointConfig>(next.endpoints.map((e) => [e.path, e]));
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
  }
  return report;
}
