/**
 * The one shape of "no": every refusal mockwave answers (a WebSocket handshake, a Server-Sent Events connect,
 * an admin request, a request to the HTTP routes, a proxy upstream that failed) is a `Refusal`, built from the
 * catalog, so the HTTP status and the close code it implies are never written at a call site. Over HTTP one
 * writer answers it (src/security/refusal-answer.ts), in the one envelope below.
 */
import { ERROR_CATALOG, isMockwaveError, type ErrorCode, type ErrorSpec } from './catalog.ts';
import { errorMessage } from './error-message.ts';

export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
  /** The HTTP status it is answered with (500 for a code that has none: a bug). */
  readonly status: number;
  /** The close code it implies when it ends an open connection. */
  readonly closeCode: number | undefined;
}

export function refusal(code: ErrorCode, message: string): Refusal {
  const spec: ErrorSpec = ERROR_CATALOG[code];
  return { code, message, status: spec.httpStatus ?? ERROR_CATALOG.MW_INTERNAL.httpStatus, closeCode: spec.closeCode };
}

/** Any thrown value as a refusal: a MockwaveError keeps its code, anything else is MW_INTERNAL (a bug). */
export function refusalOf(error: unknown): Refusal {
  if (isMockwaveError(error) && error.httpStatus !== undefined) return refusal(error.code, error.message);
  return refusal('MW_INTERNAL', `Internal error: ${errorMessage(error)}`);
}

/** Request metadata the guide's envelope carries on every answer. */
export interface Meta {
  readonly timestamp: string;
  readonly requestId: string;
}

/** The metadata of an answer given at `now` (ms since the epoch). */
export function metaAt(now: number, requestId: string): Meta {
  return { timestamp: new Date(now).toISOString(), requestId };
}

export interface RefusalBody {
  readonly success: false;
  readonly error: { readonly code: ErrorCode; readonly message: string };
  readonly meta: Meta;
}

/** The guide's error envelope for a refusal, with any fields a refusal adds beside it (a 404's `closest`). */
export function refusalBody(refused: Refusal, meta: Meta, fields: Readonly<Record<string, unknown>> = {}): RefusalBody {
  return { success: false, error: { code: refused.code, message: refused.message }, meta, ...fields };
}
