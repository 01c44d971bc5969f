/**
 * Whether `cors.origins` lets a browser's Origin in: any origin while the list is empty or holds `*`, else only
 * those listed. The access check of every door (access.ts) and the mock side's CORS grant (cors.ts) ask this.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0 || allowed.includes('*')) return true;
  // Clients that are not browsers send no Origin; an origin list is about browsers.
  if (origin === undefined) return true;
  return allowed.includes(origin);
}
