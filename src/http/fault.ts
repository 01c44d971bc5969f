/**
 * Ends a request whose answering failed (a bug, not the client's mistake: those are refusals): logs it, then
 * refuses it with the catalog's status for the error (500 unless it is a `MockwaveError`), or cuts the
 * connection when the answer has begun and no status can be sent any more. One function for the port's
 * dispatcher (src/server/http-side.ts) and the HTTP routes, whose body callback runs where a throw would end
 * the process.
 */
import type { ServerResponse } from 'node:http';
import { errorMessage } from '../errors/error-message.ts';
import { refusalOf } from '../errors/refusal.ts';
import type { Logger } from '../log/logger.ts';
import { answerRefusal, type RefusalAnswer } from '../security/refusal-answer.ts';

export function answerFault(logger: Logger, response: ServerResponse, answer: RefusalAnswer, error: unknown): void {
  logger.error(`Answering an HTTP request failed: ${errorMessage(error)}`);
  if (response.headersSent) response.destroy();
  else answerRefusal(response, refusalOf(error), answer);
}
