/**
 * Close codes crossing the proxy. 1005, 1006 and 1015 describe what happened locally and may never be sent
 * (RFC 6455 7.4.1), so they are translated: an upstream that vanished or failed TLS is a bad gateway (1014)
 * to the client; a client that vanished is going away (1001) to the upstream. 1005 (no code) is passed on as
 * a close frame without a code, which the other side again reads as 1005.
 */
export function towardClient(code: number): number | undefined {
  if (code === 1005) return undefined;
  if (code === 1006 || code === 1015) return 1014;
  return code;
}

export function towardUpstream(code: number): number | undefined {
  if (code === 1005) return undefined;
  if (code === 1006 || code === 1015) return 1001;
  return code;
}
