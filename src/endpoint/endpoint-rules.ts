/**
 * An endpoint's rules and `onConnect` actions, run with what rules may do here (the rule host): both are
 * replaced together by a configuration reload while clients stay connected.
 */
import type { EndpointConfig } from '../config/schema.ts';
import type { Peer } from '../hub/peer.ts';
import { RuleEngine, type RuleFigures, type RuleHost } from '../rules/index.ts';
import type { Message } from '../util/message.ts';
import type { ClientScope } from './client-scope.ts';

export type RuleSettings = Pick<EndpointConfig, 'rules' | 'onConnect'>;

export class EndpointRules {
  #engine: RuleEngine;
  readonly #host: RuleHost;
  readonly #scope: ClientScope;

  constructor(settings: RuleSettings, host: RuleHost, scope: ClientScope) {
    this.#engine = new RuleEngine(settings.rules, settings.onConnect);
    this.#host = host;
    this.#scope = scope;
  }

  replace(settings: RuleSettings): void {
    this.#engine = new RuleEngine(settings.rules, settings.onConnect);
  }

  /** True when a rule matched the message and ran; with no rules, the message is not even looked at. */
  handle(peer: Peer, message: Message): boolean {
    if (this.#engine.size === 0) return false;
    return this.#engine.handle(peer, message, this.#scope.messageContext(peer, message), this.#host);
  }

  /** Runs the `onConnect` actions for a client that just connected. */
  connected(peer: Peer): void {
    if (this.#engine.greets) this.#engine.greet(peer, { client: this.#scope.client(peer) }, this.#host);
  }

  /** Each rule, then the onConnect steps, in one line. */
  explain(): string[] {
    return this.#engine.explain();
  }

  figures(): RuleFigures[] {
    return this.#engine.figures();
  }
}
