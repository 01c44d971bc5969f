import type { ServerResponse } from 'node:http';
import type { Meta } from '../errors/refusal.ts';
import { writeJson } from '../security/refusal-answer.ts';

/**
 * The guide's admin envelope for a data answer. Errors are in the same envelope, written by the one error
 * writer (src/security/refusal-answer.ts).
 */
export function sendData(response: ServerResponse, status: number, data: unknown, meta: Meta): void {
  writeJson(response, status, { success: true, data, meta });
}
