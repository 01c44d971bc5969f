/**
 * What an endpoint says to one client in its dialect: a message, or an error with a catalog code. A client's
 * bad messages are logged at most once a second (rules' `log` steps share that limit); each still gets its
 * error.
 */
import type { Command, ServerMessage, WireDialect } from '../dialects/index.ts';
import type { Peer } from '../hub/peer.ts';
import type { LineLimiter } from '../log/line-limiter.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../util/clock.ts';
import { DIALECT_SOURCE } from '../util/source.ts';

export type Invalid = Extract<Command, { kind: 'invalid' }>;

export class Replies {
  readonly #dialect: WireDialect;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #endpoint: string;
  readonly #warnings: LineLimiter<Peer>;

  constructor(dialect: WireDialect, context: { readonly clock: Clock; readonly logger: Logger }, endpoint: string, warnings: LineLimiter<Peer>) {
    this.#dialect = dialect;
    this.#clock = context.clock;
    this.#logger = context.logger;
    this.#endpoint = endpoint;
    this.#warnings = warnings;
  }

  /** Sends a message, unless the dialect has no such message. */
  say(peer: Peer, message: ServerMessage): void {
    const text = this.#dialect.encode(message);
    if (text !== undefined) peer.send(text, DIALECT_SOURCE);
  }

  /** Answers a message the endpoint cannot act on with an error, and logs it (limited per client). */
  fail(peer: Peer, command: Invalid): void {
    const now = this.#clock.now();
    const skipped = this.#warnings.pass(peer, now);
    if (skipped !== undefined) {
      const more = skipped === 0 ? '' : ` (and ${skipped} more from this client in the last second)`;
      this.#logger.warn(`Client ${peer.id}: ${command.error}${more}`, { clientId: peer.id, endpoint: this.#endpoint, code: command.code });
    }
    this.say(peer, { kind: 'error', code: command.code, error: command.error, at: now });
  }
}
