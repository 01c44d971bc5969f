import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { MockwaveError } from '../errors/catalog.ts';
import { formatIssues, issueMessage } from '../errors/schema-issues.ts';
import { deeperThan, MAX_DEPTH } from '../util/json-depth.ts';
import { errorMessage } from '../errors/error-message.ts';
import { readBody as readRequestBody, type BodyLimits } from '../http/body.ts';

/** Admin bodies are small commands; anything larger is refused before it is buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Read by the routes' reader, so a refused body is not read on either (the router closes the connection).
 * No deadline of its own: Node's `requestTimeout` (twice `websocket.handshakeTimeout`) ends a body that
 * trickles, with 408 and the connection closed.
 */
const ADMIN_BODY: BodyLimits = {
  maxBytes: MAX_BODY_BYTES,
  tooLarge: (declared) => new MockwaveError('MW_BODY_TOO_LARGE', declared === undefined ? `Request body is over the ${MAX_BODY_BYTES}-byte limit` : `Request body of ${declared} bytes is over the ${MAX_BODY_BYTES}-byte limit`),
};

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    readRequestBody(request, ADMIN_BODY, undefined, (_, body, error) => (body === undefined ? reject(error) : resolve(body.toString('utf8'))));
  });
}

/** Parses and validates a JSON body; every problem is listed with its path. */
export async function jsonBody<T>(request: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const text = await readBody(request);
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new MockwaveError('MW_BAD_REQUEST', `Request body is not valid JSON: ${errorMessage(error)}`);
  }
  if (deeperThan(value)) throw new MockwaveError('MW_BAD_REQUEST', `Request body nests deeper than ${MAX_DEPTH} levels`);
  const result = schema.safeParse(value, { error: issueMessage });
  if (!result.success) {
    const problems = formatIssues(result.error.issues);
    throw new MockwaveError('MW_BAD_REQUEST', `Invalid request body: ${problems.join('; ')}`, { details: problems });
  }
  return result.data;
}
