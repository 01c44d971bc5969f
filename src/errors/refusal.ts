/**
 * The one shape of "no": a refused handshake, a refused admin request, a refused proxy upstream. Built from
 * the catalog, so the HTTP status and the close code a refusal implies are never written at a call site.
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

/** The guide's error envelope for a refusal. */
export function refusalBody(refused: Refusal, meta: Meta): { success: false; error: { code: ErrorCode; message: string }; meta: Meta } {
  return { success: false, error: { code: refused.code, message: refused.message }, meta };
}
