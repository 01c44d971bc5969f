/** Origin checks for WebSocket upgrades and CORS for the admin API: an exact origin, or `*` for any. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0 || allowed.includes('*')) return true;
  // Clients that are not browsers send no Origin; an origin list is about browsers.
  if (origin === undefined) return true;
  return allowed.includes(origin);
}

/** The Access-Control-Allow-Origin value for a request, or undefined when its origin is not allowed. */
export function corsOrigin(origin: string | undefined, allowed: readonly string[]): string | undefined {
  if (allowed.includes('*')) return '*';
  if (origin !== undefined && allowed.includes(origin)) return origin;
  return undefined;
}
