/**
 * An endpoint's answer to a client over its rate limit: the message is ignored, an error says so once per
 * burst (answering a flood must not feed it), and a client that keeps flooding is closed.
 */
import type { Command } from '../dialects/index.ts';
import { closeCodeOf } from '../errors/catalog.ts';
import type { Peer } from '../hub/peer.ts';
import type { Logger } from '../log/logger.ts';
import type { RateGate, RateLimit } from '../security/rate-limit.ts';

/** True when the message is refused (and dealt with); false when it may be handled. */
export function refuseFlood(gate: RateGate<Peer>, peer: Peer, context: { readonly rateLimit: RateLimit | undefined; readonly logger: Logger }, fail: (command: Extract<Command, { kind: 'invalid' }>) => void): boolean {
  const limit = context.rateLimit;
  const refused = gate.admit(peer);
  if (limit === undefined || refused === undefined) return false;
  if (refused >= limit.closeAfter) {
    const code = closeCodeOf('MW_RATE_LIMITED');
    context.logger.warn(`Client ${peer.id} kept flooding past the rate limit: closing with ${code}`, { clientId: peer.id, endpoint: peer.endpoint });
    peer.close(code, 'Rate limit exceeded');
  } else if (refused === 1 || refused % 10 === 0) {
    fail({ kind: 'invalid', code: 'MW_RATE_LIMITED', error: `Rate limit exceeded: at most ${limit.messagesPerSecond} messages per second; message ignored` });
  }
  return true;
}
