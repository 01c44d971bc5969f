/**
 * What the recording converters read in JSON messages: which field names an operation, on APIs that carry
 * several over one path or connection, and which field ties an answer to its request.
 */

export type Obj = Record<string, unknown>;

/**
 * Fields that name the operation, in the order they are tried: GraphQL's `operationName` (and its `query`,
 * last, being long), JSON-RPC's `method`, action APIs' `action`/`op`, message types (`type`, `event`).
 */
export const OPERATION_FIELDS = ['operationName', 'method', 'action', 'op', 'type', 'event', 'query'] as const;

/** Fields an answer copies from its request to say which one it answers (JSON-RPC `id`, Kraken `reqid`, …). */
export const CORRELATION_FIELDS = ['id', 'reqid', 'requestId', 'request_id', 'req_id', 'correlationId', 'rid', 'cid'] as const;

/** Where a JSON text may start (after white space): anything else is refused without a throw. */
const JSON_START = /^[\s]*[[{"\-0-9tfn]/;

/**
 * The text's JSON value, or not ok when it is not JSON. Most bodies of a recording are empty (every GET) or
 * plain text, and a throw costs microseconds: those are told apart by their first character first.
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!JSON_START.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
