/**
 * The environment as a configuration source: the guide's `WEBSOCKET_*` variables as written, plus `PORT`,
 * `HOST` and `MOCKWAVE_*`. Values are coerced only when they clearly are numbers or booleans; anything else
 * is passed on as a string so the schema reports it with the variable's name.
 */
import { getIn, setIn, type Patch } from './merge.ts';
import { errorMessage } from '../errors/error-message.ts';

export type Env = Readonly<Record<string, string | undefined>>;

function coerceNumber(value: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

function coerceBoolean(value: string): boolean | string {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
}

/** `name:url,name2:url2`; a URL may itself contain colons, so only the first one splits. */
export function parseProxyRoutes(value: string): { name: string; url: string }[] | string {
  const routes: { name: string; url: string }[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const colon = part.indexOf(':');
    if (colon <= 0) return `expected name:url pairs separated by commas, got "${part}"`;
    routes.push({ name: part.slice(0, colon).trim(), url: part.slice(colon + 1).trim() });
  }
  return routes;
}

const list = (value: string): string[] => value.split(',').map((v) => v.trim()).filter((v) => v !== '');

interface Binding {
  readonly path: readonly (string | number)[];
  readonly read: (value: string) => unknown;
  /** How the value lands on what the earlier sources put at `path`; default: it replaces it. */
  readonly merge?: (current: unknown, value: unknown) => unknown;
}

/**
 * Proxy routes from the environment merge by name over the file's: a route named in both keeps the file's
 * options with the environment's URL (the variable can only say name and URL, so replacing the list would
 * silently reset `announce`, `headers`, `record`… to their defaults); new names are added, and the file's
 * other routes stay. The one exception to "lists are replaced whole".
 */
function mergeRoutesByName(current: unknown, value: unknown): unknown {
  if (!Array.isArray(current)) return value;
  const merged: unknown[] = [...current];
  for (const route of value as { name: string; url: string }[]) {
    const at = merged.findIndex((r) => r !== null && typeof r === 'object' && (r as { name?: unknown }).name === route.name);
    if (at === -1) merged.push(route);
    else merged[at] = { ...(merged[at] as object), url: route.url };
  }
  return merged;
}

const json = (value: string): unknown => {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    return new SyntaxError(`invalid JSON: ${errorMessage(error)}`);
  }
};

/** Variable -> where it lands in the configuration and how its text is read. */
export const ENV_BINDINGS: Readonly<Record<string, Binding>> = {
  PORT: { path: ['port'], read: coerceNumber },
  HOST: { path: ['host'], read: (v) => v },
  WEBSOCKET_ENABLED: { path: ['websocket', 'enabled'], read: coerceBoolean },
  WEBSOCKET_PATH: { path: ['endpoints', 0, 'path'], read: (v) => v },
  WEBSOCKET_MOCK_EVENTS: { path: ['endpoints', 0, 'streams'], read: json },
  WEBSOCKET_HEARTBEAT_INTERVAL: { path: ['websocket', 'heartbeatInterval'], read: coerceNumber },
  WEBSOCKET_MAX_PAYLOAD: { path: ['websocket', 'maxPayload'], read: coerceNumber },
  WEBSOCKET_PROXY_ENABLED: { path: ['proxy', 'enabled'], read: coerceBoolean },
  WEBSOCKET_PROXY_ROUTES: {
    path: ['proxy', 'routes'],
    read: (v) => {
      const routes = parseProxyRoutes(v);
      return typeof routes === 'string' ? new SyntaxError(routes) : routes;
    },
    merge: mergeRoutesByName,
  },
  MOCKWAVE_SEED: { path: ['seed'], read: coerceNumber },
  MOCKWAVE_JOURNAL: { path: ['journal', 'enabled'], read: coerceBoolean },
  MOCKWAVE_PORT: { path: ['port'], read: coerceNumber },
  MOCKWAVE_HOST: { path: ['host'], read: (v) => v },
  WEBSOCKET_RATE_LIMIT: { path: ['websocket', 'rateLimit', 'messagesPerSecond'], read: coerceNumber },
  WEBSOCKET_MAX_CONNECTIONS: { path: ['websocket', 'maxConnections'], read: coerceNumber },
  TLS_CERT: { path: ['tls', 'cert'], read: (v) => v },
  TLS_KEY: { path: ['tls', 'key'], read: (v) => v },
  AUTH_ENABLED: { path: ['auth', 'enabled'], read: coerceBoolean },
  AUTH_TOKENS: { path: ['auth', 'tokens'], read: list },
  ADMIN_TOKEN: { path: ['auth', 'adminToken'], read: (v) => v },
  CORS_ORIGINS: { path: ['cors', 'origins'], read: list },
  CORS_CREDENTIALS: { path: ['cors', 'credentials'], read: coerceBoolean },
  MOCKWAVE_EVENT_INTERVAL: { path: ['streamOverrides', 'events', 'interval'], read: coerceNumber },
  MOCKWAVE_METRIC_INTERVAL: { path: ['streamOverrides', 'metrics', 'interval'], read: coerceNumber },
  MOCKWAVE_STATUS_INTERVAL: { path: ['streamOverrides', 'status', 'interval'], read: coerceNumber },
  MOCKWAVE_LOG_FORMAT: { path: ['log', 'format'], read: (v) => v },
  MOCKWAVE_LOG_LEVEL: { path: ['log', 'level'], read: (v) => v },
};

/**
 * Applies the bound variables onto a raw configuration. Returns problems that cannot reach the schema
 * (unparseable JSON) and records, per configuration path, which variable set it.
 */
export function applyEnv(raw: Patch, env: Env, provenance: Map<string, string>, applies: (name: string) => boolean = () => true): string[] {
  const problems: string[] = [];
  for (const [name, binding] of Object.entries(ENV_BINDINGS)) {
    const text = env[name];
    if (text === undefined || text.trim() === '' || !applies(name)) continue;
    const value = binding.read(text);
    if (value instanceof SyntaxError) {
      problems.push(`${name}: ${value.message}`);
      continue;
    }
    if (binding.path[0] === 'endpoints' && getIn(raw, ['endpoints', 0]) === undefined) {
      // A bare environment (no preset endpoint, no file) still gets the endpoint it describes.
      setIn(raw, ['endpoints', 0], {});
    }
    setIn(raw, binding.path, binding.merge === undefined ? value : binding.merge(getIn(raw, binding.path), value));
    provenance.set(pathKey(binding.path), name);
  }
  return problems;
}

export function pathKey(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
