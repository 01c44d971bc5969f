import type { Endpoint } from './endpoint.ts';

/**
 * Finds the endpoint for a request path: an exact path first, then the longest `prefix*` pattern. A
 * trailing slash is ignored so `/ws/` reaches `/ws`.
 */
export function createEndpointMatcher(endpoints: readonly Endpoint[]): (pathname: string) => Endpoint | undefined {
  const exact = new Map<string, Endpoint>();
  const prefixes: { prefix: string; endpoint: Endpoint }[] = [];
  for (const endpoint of endpoints) {
    const path = endpoint.endpoint;
    if (path.endsWith('*')) prefixes.push({ prefix: path.slice(0, -1), endpoint });
    else exact.set(trimSlash(path), endpoint);
  }
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  return (pathname) => {
    const hit = exact.get(trimSlash(pathname));
    if (hit !== undefined) return hit;
    return prefixes.find((p) => pathname.startsWith(p.prefix))?.endpoint;
  };
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') || '/' : path;
}
