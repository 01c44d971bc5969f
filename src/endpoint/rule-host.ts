/**
 * What an endpoint's rules may do, as the rule engine's RuleHost: schedule on the endpoint's per-client
 * timers, publish to its streams, and write to the log. Log lines are limited, since rules run on what
 * clients send: a `log` step at most once a second per client, a failing rule at most once every 10 s per
 * rule, each line with a count of those left out. A rule's `publish` reaches the streams of its own endpoint;
 * a target an HTTP route could name (another endpoint, every client of one) is that step's failure.
 */
import type { Peer } from '../hub/peer.ts';
import type { Logger } from '../log/logger.ts';
import { LineLimiter } from '../log/line-limiter.ts';
import type { RuleHost } from '../rules/index.ts';
import type { StateStore } from '../state/store.ts';
import type { PublishTarget } from '../steps/index.ts';
import type { TemplateServices } from '../templates/index.ts';
import type { Clock } from '../util/clock.ts';
import type { Random } from '../util/random.ts';
import { errorMessage } from '../errors/error-message.ts';
import type { MessageSource } from '../util/source.ts';

const FAILURE_EVERY_MS = 10_000;

/** A client's bad messages (and `log` steps about it) are logged at most once a second per client. */
export function perClientLines(): LineLimiter<Peer> {
  return new LineLimiter<Peer>(1000, { weak: true });
}

export interface RuleHostContext {
  readonly endpoint: string;
  readonly random: Random;
  readonly templates: TemplateServices;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The endpoint's per-client limiter of bad-message lines, which `log` steps share. */
  readonly perClient: LineLimiter<Peer>;
  readonly state: StateStore;
  stateScopes(peer: Peer): readonly string[];
  /** Says an error to a client in the endpoint's dialect. */
  refuse(peer: Peer, error: string): void;
  schedule(peer: Peer, fn: () => void, ms: number): void;
  /** Sends a stream of this endpoint now: `data`, or the stream's own payload; `source`: the rule that did. */
  publish(stream: string, data: unknown, source: MessageSource): void;
}

/** The stream a rule's publish names, on its own endpoint; throws for a target only an HTTP route reaches. */
function ownStream(target: PublishTarget, endpoint: string): string {
  if (target.stream === undefined) throw new Error(`publish: a rule publishes to a stream of its endpoint (${endpoint}); sending to every client of an endpoint is an HTTP route's publish`);
  if (target.endpoint !== undefined && target.endpoint !== endpoint) throw new Error(`publish: a rule on ${endpoint} publishes to its own streams, not to those of ${target.endpoint}`);
  return target.stream;
}

export function createRuleHost(context: RuleHostContext): RuleHost {
  const failures = new LineLimiter<string>(FAILURE_EVERY_MS, { maxKeys: 1000 });
  const { endpoint, logger, clock } = context;
  return {
    random: context.random,
    templates: context.templates,
    state: context.state,
    stateScopes: (peer) => context.stateScopes(peer),
    refuse: (peer, error) => context.refuse(peer, error),
    schedule: (peer, fn, ms) => context.schedule(peer, fn, ms),
    publish: (target, source) => context.publish(ownStream(target, endpoint), target.data, source),
    log(peer, line) {
      const skipped = context.perClient.pass(peer, clock.now());
      if (skipped === undefined) return;
      logger.warn(`Client ${peer.id}: ${line}${skipped === 0 ? '' : ` (and ${skipped} more from this client in the last second)`}`, { clientId: peer.id, endpoint });
    },
    onError(peer, error, rule) {
      const skipped = failures.pass(rule, clock.now());
      if (skipped === undefined) return;
      logger.error(`Rule ${rule} failed for ${peer.id}: ${errorMessage(error)}${skipped === 0 ? '' : ` (${skipped} more failures of this rule in the last 10 s)`}`, { clientId: peer.id, endpoint, rule });
    },
  };
}
