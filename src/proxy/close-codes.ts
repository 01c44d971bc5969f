/**
 * Close codes crossing the proxy. 1005, 1006 and 1015 describe what happened locally and may never be sent
 * (RFC 6455 7.4.1), so they are translated: an upstream that vanished or failed TLS is a bad gateway (1014)
 * to the client; a client that vanished is going away (1001) to the upstream. 1005 (no code) is passed on as
 * a close frame without a code, which the other side again reads as 1005.
 */
import { closeCodeOf } from '../errors/catalog.ts';
import { GOING_AWAY, LOCAL_ONLY_CLOSE_CODES } from '../util/close-codes.ts';

function across(code: number, vanished: number): number | undefined {
  if (code === 1005) return undefined;
  return LOCAL_ONLY_CLOSE_CODES.has(code) ? vanished : code;
}

export function towardClient(code: number): number | undefined {
  return across(code, closeCodeOf('MW_PROXY_UPSTREAM_FAILED'));
}

export function towardUpstream(code: number): number | undefined {
  return across(code, GOING_AWAY);
}
