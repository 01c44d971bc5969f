/**
 * Small schemas that rules' matchers and actions share: a close code a server may send, a regular expression
 * checked for catastrophic backtracking, a record keyed by paths, a JSON pointer.
 */
import { z } from 'zod';
import { isSendableCloseCode, SENDABLE_CLOSE_CODES_TEXT } from '../util/close-codes.ts';
import { pathProblem, pointerKeys } from '../util/path.ts';
import { regexVerdict } from './regex.ts';

export const closeCodeSchema = z
  .number()
  .int()
  .refine(isSendableCloseCode, { message: `expected a close code a server may send: ${SENDABLE_CLOSE_CODES_TEXT}` });

/** A close frame's reason: at most 123 bytes of UTF-8 (not characters: `ws` throws past that, as the protocol allows no more). */
export const closeReasonSchema = z.string().refine((reason) => Buffer.byteLength(reason) <= 123, { message: 'at most 123 bytes (UTF-8), as a close frame allows' });

/** A regular expression checked at load for catastrophic backtracking (regex.ts). */
export const regexSchema = z.string().superRefine((pattern, ctx) => {
  const verdict = regexVerdict(pattern);
  if (!verdict.ok) ctx.addIssue({ code: 'custom', message: verdict.problem });
});

/**
 * A record whose keys are paths, each checked by `keyProblem`. Checked on the record rather than as a key
 * schema so the message says what is wrong with the key, under the key's own path.
 */
export function pathRecord<T extends z.ZodType>(value: T, keyProblem: (key: string) => string | undefined) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const problem = keyProblem(key);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });
}

export function pointerProblem(pointer: string): string | undefined {
  return pointer.startsWith('/') ? pathProblem(pointerKeys(pointer)) : 'expected a JSON pointer such as /reqid';
}

export const jsonPointerSchema = z.string().superRefine((pointer, ctx) => {
  const problem = pointerProblem(pointer);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
