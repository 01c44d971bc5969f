/**
 * The dashboard talks to the admin API of the server that serves it. With `auth` on, the page is opened as
 * `/?token=…`; the token is kept for this tab and sent as a bearer token (EventSource cannot send headers,
 * so the live feeds carry it as `?token=`).
 */
const fromUrl = new URLSearchParams(location.search).get('token');
if (fromUrl !== null) sessionStorage.setItem('mockwave-token', fromUrl);
const token = sessionStorage.getItem('mockwave-token');

export function liveUrl(path: string): string {
  return token === null ? path : `${path}?token=${encodeURIComponent(token)}`;
}

export class ApiError extends Error {}

/** Calls the admin API; resolves with `data` of the envelope, rejects with the server's own message. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const envelope = (await response.json()) as { success: boolean; data?: T; error?: { code: string; message: string } };
  if (!envelope.success) throw new ApiError(envelope.error?.message ?? `HTTP ${response.status}`);
  return envelope.data as T;
}
