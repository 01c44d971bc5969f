/**
 * Where every refused handshake and unreadable request ends up: counted in the metrics, logged (at most once
 * per reason and address every 10 s, with how many were not logged, so a storm of refusals cannot flood the
 * log), and answered with the guide's error envelope (the body for a refused upgrade's raw socket, the
 * metadata for the error writer's answer to a request over `http.rateLimit`), and journaled (a test can ask
 * why its client never connected).
 */
import type { IncomingMessage } from 'node:http';
import { metaAt, refusalBody, type Refusal, type RefusalBody } from '../errors/refusal.ts';
import { LineLimiter } from '../log/line-limiter.ts';
import type { Logger } from '../log/logger.ts';
import { clip } from '../dialects/types.ts';
import { connectionScope, scopeOf, type Journal } from '../journal/index.ts';

const LOG_EVERY_MS = 10_000;
/** Reasons-and-addresses remembered for the log's rate limit; past this the oldest are forgotten. */
const MAX_KEYS = 1000;

export interface RefusalContext {
  readonly logger: Logger;
  readonly now: () => number;
  readonly requestId: () => string;
  /** Counts a refusal by code (the metrics). */
  count(code: string): void;
  /** The request's target with its secret query parameters masked (a refused `?token=` is still a token). */
  maskUrl(url: string): string;
  /** Where a refused upgrade or request is journaled, with the scope it named (none: the journal is off). */
  readonly journal?: Journal | undefined;
  /** Told of each refused upgrade, with the status it was answered with (the dashboard's request list). */
  readonly upgradeRefused?: ((path: string, status: number) => void) | undefined;
}

/** A request's path, without its query (which may hold a token), as the journal names where it went. */
const pathOf = (request: IncomingMessage): string => clip((request.url ?? '/').split('?', 1)[0] ?? '/');

export function createRefusals(context: RefusalContext): (refused: Refusal, request: IncomingMessage | undefined) => RefusalBody {
  const lines = new LineLimiter<string>(LOG_EVERY_MS, { maxKeys: MAX_KEYS });
  return (refused, request) => {
    context.count(refused.code);
    if (request?.headers.upgrade !== undefined) context.upgradeRefused?.(pathOf(request), refused.status);
    if (request !== undefined && context.journal !== undefined) {
      // An upgrade names its scope as a WebSocket client does; an HTTP request's query is the mocked API's.
      const upgrade = request.headers.upgrade !== undefined;
      context.journal.refused(upgrade ? 'websocket' : 'http', pathOf(request), upgrade ? connectionScope(request) : scopeOf(request.headers), refused);
    }
    const now = context.now();
    const address = request?.socket.remoteAddress ?? 'unknown';
    const skipped = context.logger.enabled('info') ? lines.pass(`${refused.code} ${address}`, now) : undefined;
    if (skipped !== undefined) {
      const more = skipped === 0 ? '' : ` (and ${skipped} more like it since the last line)`;
      const path = request === undefined ? '' : ` ${clip(context.maskUrl(request.url ?? '/'))}`;
      context.logger.info(`Refused${path} from ${address}: ${refused.message} [${refused.code} ${refused.status}]${more}`, { code: refused.code, status: refused.status, remoteAddress: address });
    }
    return refusalBody(refused, metaAt(now, context.requestId()));
  };
}
