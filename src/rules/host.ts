/** What a rule's actions reach: the endpoint provides it, so rules never see a socket. */
import type { Peer } from '../hub/peer.ts';
import type { StepHost, StepScope } from '../steps/index.ts';

/** What actions may do, besides what every step may (randomness, templates, publish): provided by the endpoint. */
export interface RuleHost extends StepHost {
  /** Runs `fn` after `ms` for this peer; the host cancels it when the peer goes or the server stops. */
  schedule(peer: Peer, fn: () => void, ms: number): void;
  /** A `log` step's line, about this client (the host limits how often it is written). */
  log(peer: Peer, line: string): void;
  /** Answers the client with the dialect's error (`MW_REFUSED`) saying `error`. */
  refuse(peer: Peer, error: string): void;
  /** The state scopes a client's runs read: global, its test scope, its own. */
  stateScopes(peer: Peer): readonly string[];
  /** A step failed; `rule` names the rule (or `onConnect`). The host limits how often it is written. */
  onError(peer: Peer, error: unknown, rule: string): void;
}

/** What an action sees of its run: the client whose message matched (or who connected), and the host. */
export interface RuleScope extends StepScope {
  readonly peer: Peer;
  readonly host: RuleHost;
}
