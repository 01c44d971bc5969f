/** Whether a request declares a body. */
import type { IncomingMessage } from 'node:http';

/** A length over zero, or chunked: a request that declares neither has no body and is not read at all. */
export function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}
