/**
 * The one check on a path that mockwave passes on to another server (the WebSocket proxy, a `forward` step,
 * `http.fallback`). The path is normalised before it is read (`/a/../b` is `/b`), but an encoded slash,
 * backslash or dot (`..%2f`, `%2e%2e%2f`, `%5c`) survives that and could be decoded by the other server into
 * a path outside the one mockwave meant to reach: such a path is refused, never forwarded.
 */
const ENCODED_SEPARATOR = /%2f|%5c|%2e/i;

/** Why `path` may not be passed on (for a 400 that says what to change), or undefined when it may. */
export function encodedSeparatorProblem(path: string): string | undefined {
  return ENCODED_SEPARATOR.test(path) ? `holds an encoded "/", "\\" or "." (${path.slice(0, 100)}): write it plainly` : undefined;
}
