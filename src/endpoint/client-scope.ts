/**
 * What an endpoint's templates know about each client and its messages: its record (`client.id`, `client.query`, …), the
 * params it gave with each subscription, and so whether a stream's per-subscriber `condition` lets a tick
 * through to it, and the state scopes it reads. Kept per peer, forgotten (its own state too) when the peer leaves.
 */
import type { Peer } from '../hub/peer.ts';
import type { Logger } from '../log/logger.ts';
import type { Render, RenderContext, TemplateServices } from '../templates/index.ts';
import { errorMessage } from '../errors/error-message.ts';
import type { Message } from '../util/message.ts';
import { clientScope, GLOBAL_SCOPE, layerOf, testScope, type StateStore } from '../state/store.ts';
import { withState, type StateCondition } from '../steps/index.ts';

type ClientRecord = NonNullable<RenderContext['client']>;

export class ClientScope {
  readonly #records = new WeakMap<Peer, ClientRecord>();
  /** The params each client gave when subscribing, per topic, for conditions. */
  readonly #params = new Map<Peer, Map<string, Readonly<Record<string, unknown>>>>();
  /** Each client's state scopes, made once when it connects (a rule that reads state asks on every message). */
  readonly #stateScopes = new WeakMap<Peer, readonly string[]>();
  readonly #state: StateStore;
  readonly #templates: TemplateServices;
  readonly #logger: Logger;
  readonly #endpoint: string;

  constructor(templates: TemplateServices, logger: Logger, endpoint: string, state: StateStore) {
    this.#state = state;
    this.#templates = templates;
    this.#logger = logger;
    this.#endpoint = endpoint;
  }

  /** The client as templates see it, made on first use. */
  client(peer: Peer): ClientRecord {
    let record = this.#records.get(peer);
    if (record === undefined) {
      const query = Object.fromEntries(new URL(peer.url, 'http://localhost').searchParams);
      record = { id: peer.id, connectedAt: new Date(peer.connectedAt).toISOString(), query };
      this.#records.set(peer, record);
    }
    return record;
  }

  /** What a rule's templates see of a client message: the message read every way, and the client. */
  messageContext(peer: Peer, message: Message): RenderContext {
    return {
      message: message.isJson ? message.value : message.text,
      messageText: message.text,
      // Only binary pays for base64: a text message's bytes are its text.
      messageBase64: message.isBinary ? message.base64 : undefined,
      client: this.client(peer),
    };
  }

  /** Remembers (or, with none, forgets) the params a client subscribed to a topic with. */
  subscribed(peer: Peer, topic: string, params: Readonly<Record<string, unknown>> | undefined): void {
    let byTopic = this.#params.get(peer);
    if (byTopic === undefined) {
      byTopic = new Map();
      this.#params.set(peer, byTopic);
    }
    if (params === undefined) byTopic.delete(topic);
    else byTopic.set(topic, params);
  }

  /** Notes the test scope and the HTTP caller (`caller:<value>`) a client's connection named, for the state it reads and writes. */
  connected(peer: Peer, testScopeName: string | undefined, caller?: string): void {
    const layers = [GLOBAL_SCOPE];
    if (testScopeName !== undefined) layers.push(testScope(testScopeName));
    if (caller !== undefined) layers.push(caller);
    layers.push(clientScope(peer.id));
    this.#stateScopes.set(peer, layers);
  }

  /** The state scopes a client's rules read: global, its test scope and its caller (when its connection named them), its own; made at connect. */
  stateScopes(peer: Peer): readonly string[] {
    return this.#stateScopes.get(peer) ?? [GLOBAL_SCOPE, clientScope(peer.id)];
  }

  /** The HTTP caller's scope (`caller:<value>`) a client's connection carried, if any. */
  callerOf(peer: Peer): string | undefined {
    const layers = this.#stateScopes.get(peer);
    return layers === undefined ? undefined : layerOf(layers, 'caller');
  }

  /** The test scope a client's connection named (`?scope=`, the header or the cookie), if any. */
  testScopeOf(peer: Peer): string | undefined {
    const layers = this.#stateScopes.get(peer);
    const layer = layers === undefined ? undefined : layerOf(layers, 'scope');
    return layer?.slice('scope:'.length);
  }

  /** The client left: its subscriptions' params and its own state go. */
  forget(peer: Peer): void {
    this.#params.delete(peer);
    this.#stateScopes.delete(peer);
    const own = clientScope(peer.id);
    if (this.#state.get(own) !== undefined) this.#state.reset(own, 'closed');
  }

  /** Whether a stream's `state:` gate holds for one subscriber, read as its rules read the state. */
  holds(gate: StateCondition, peer: Peer, topic: string): boolean {
    return this.#held(peer, topic, () => gate(withState({}, this.#state, this.stateScopes(peer)), this.#templates));
  }

  /** Evaluates a stream's condition for one subscriber; a condition that throws counts as false. */
  passes(condition: Render, peer: Peer, topic: string, data: unknown): boolean {
    return this.#held(peer, topic, () => Boolean(condition({ data, client: this.client(peer), params: this.#params.get(peer)?.get(topic) ?? {} }, this.#templates)));
  }

  /** A condition's answer for one subscriber; one that throws counts as false, and is logged. */
  #held(peer: Peer, topic: string, condition: () => boolean): boolean {
    try {
      return condition();
    } catch (error) {
      this.#logger.warn(`Condition failed for ${peer.id} on ${topic}: ${errorMessage(error)}`, { clientId: peer.id, endpoint: this.#endpoint });
      return false;
    }
  }
}
