/**
 * mockwave's own paths: the one list of what the server answers for itself on its port, each with what it is
 * for. Three readers use it: route loading refuses a route written at or below one (`reservedPathProblem`, for
 * the configuration and for routes added through the admin API), the port's request handler hands them to
 * mockwave before any route or Server-Sent Events endpoint (`ownPathAt`, src/server/http-side.ts), and the
 * admin handler asks for the admin token on those that say so (src/admin/router.ts). Adding one is one entry.
 */

export interface OwnPath {
  /** The path, without a trailing "/" ("/" for the root). */
  readonly path: string;
  /**
   * What of it mockwave answers: the path and everything below it (`tree`), the path alone (`itself`), or only
   * what is below it (`below`). A route may be written at none of it, whatever it serves: one there would look
   * like mockwave's own.
   */
  readonly serves: 'tree' | 'itself' | 'below';
  /** Whether the admin token is asked for (when `auth` is on). */
  readonly adminToken: boolean;
  /** Mockwave's only while the dashboard is on (`dashboard.enabled`); off, a route may claim it. */
  readonly dashboardOnly?: true;
  /** What it is, for readers and the docs. */
  readonly purpose: string;
}

export const OWN_PATHS: readonly OwnPath[] = [
  { path: '/admin', serves: 'tree', adminToken: true, purpose: 'the admin API and its live views' },
  { path: '/metrics', serves: 'itself', adminToken: true, purpose: 'Prometheus metrics' },
  { path: '/dashboard', serves: 'below', adminToken: false, purpose: "the dashboard's script and style sheet" },
  { path: '/', serves: 'itself', adminToken: true, dashboardOnly: true, purpose: 'the dashboard page to browsers, the server description to others' },
];

/** Whether a path lies below an own path ("/" has no below of its own: everything is below it). */
function below(own: OwnPath, path: string): boolean {
  return own.path !== '/' && path.startsWith(`${own.path}/`);
}

function serves(own: OwnPath, path: string): boolean {
  if (path === own.path) return own.serves !== 'below';
  return own.serves !== 'itself' && below(own, path);
}

/** The own path that answers this request path, or undefined; `dashboard`: whether the dashboard is on. */
export function ownPathAt(path: string, dashboard: boolean): OwnPath | undefined {
  return OWN_PATHS.find((own) => (dashboard || own.dashboardOnly !== true) && serves(own, path));
}

/**
 * Why a route path would shadow one of mockwave's own, or undefined. A wildcard route (`/*`) may cover them,
 * since mockwave's own paths are answered first; `/` itself is the dashboard's while it is on.
 */
export function reservedPathProblem(path: string, dashboard: boolean): string | undefined {
  const own = OWN_PATHS.find((o) => (dashboard || o.dashboardOnly !== true) && (path === o.path || below(o, path)));
  if (own === undefined) return undefined;
  if (own.dashboardOnly === true) return `${path} is the dashboard's while it is on: set dashboard.enabled to false to claim it`;
  return `${path} would shadow mockwave's own ${own.path}: choose another path`;
}
