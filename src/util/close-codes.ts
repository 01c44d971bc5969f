/**
 * WebSocket close codes (RFC 6455 7.4). The one place that says which codes may be sent: a rule, the admin
 * API and the proxy all ask here.
 */

/** Codes that only describe what happened locally (no code, abnormal closure, TLS failure) and are never sent. */
export const LOCAL_ONLY_CLOSE_CODES: ReadonlySet<number> = new Set([1005, 1006, 1015]);

/** True for a code a server may put in a close frame: 1000-1003, 1007-1014 and 3000-4999. */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && !LOCAL_ONLY_CLOSE_CODES.has(code);
}

export const SENDABLE_CLOSE_CODES_TEXT = '1000-1003, 1007-1014 or 3000-4999';

/** 1001: the endpoint is going away (a client that vanished, told to the proxy's upstream). */
export const GOING_AWAY = 1001;
