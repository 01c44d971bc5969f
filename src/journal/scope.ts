/**
 * Which scope a client or a request names, so tests that share one server see only their own traffic. One
 * name, three places, the first found wins: the `x-mockwave-scope` header (HTTP clients, and WebSocket
 * clients that can set headers), the `scope` query parameter of a WebSocket or Server-Sent Events URL (a
 * browser's WebSocket and EventSource cannot set headers), and the `mockwave-scope` cookie (a page whose
 * requests all carry it). An HTTP request's own query is the mocked API's, so its `scope` parameter is not
 * read. Longer than 128 characters is not a scope (cut, not refused: the traffic itself is served).
 */
import type { IncomingHttpHeaders } from 'node:http';

const SCOPE_HEADER = 'x-mockwave-scope';
const SCOPE_COOKIE = 'mockwave-scope';
const SCOPE_PARAMETER = 'scope';
const MAX = 128;

const COOKIE = new RegExp(`(?:^|;\\s*)${SCOPE_COOKIE}=([^;]*)`);

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed.slice(0, MAX);
}

/**
 * The scope `headers` (and, for a WebSocket or Server-Sent Events connection, its URL's `search`) name;
 * undefined when none does.
 */
export function scopeOf(headers: IncomingHttpHeaders, search?: URLSearchParams): string | undefined {
  const header = headers[SCOPE_HEADER];
  const named = clean(Array.isArray(header) ? header[0] : header) ?? clean(search?.get(SCOPE_PARAMETER) ?? undefined);
  if (named !== undefined) return named;
  const cookie = headers.cookie === undefined ? undefined : COOKIE.exec(headers.cookie)?.[1];
  if (cookie === undefined) return undefined;
  try {
    return clean(decodeURIComponent(cookie));
  } catch {
    return clean(cookie);
  }
}

/** The scope a WebSocket or Server-Sent Events request names: its headers, cookie, or `?scope=` on its URL. */
export function connectionScope(request: { readonly headers: IncomingHttpHeaders; readonly url?: string | undefined }): string | undefined {
  const at = request.url?.indexOf('?') ?? -1;
  return scopeOf(request.headers, at < 0 ? undefined : new URLSearchParams((request.url as string).slice(at)));
}
