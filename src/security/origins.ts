/** Origin checks for WebSocket upgrades and the admin API: an exact origin, or `*` for any (CORS: cors.ts). */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0 || allowed.includes('*')) return true;
  // Clients that are not browsers send no Origin; an origin list is about browsers.
  if (origin === undefined) return true;
  return allowed.includes(origin);
}

