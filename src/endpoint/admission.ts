/**
 * Clients coming into an endpoint and leaving it. One that connects is counted, told its id in the dialect's
 * words and started on what plays to every client (per-subscriber scripts where the dialect has no subscribe
 * messages, the endpoint's replay, its `onConnect` actions); one that leaves is forgotten everywhere, its
 * counters kept so the endpoint's totals never go down.
 */
import { addCounters, newCounters, type Faultable, type PeerCounters } from '../hub/peer.ts';
import type { EndpointCore } from './core.ts';
import type { EndpointReplay } from './recording.ts';

export class Admission {
  readonly #core: EndpointCore;
  readonly #replay: EndpointReplay | undefined;
  /** Counters of clients that have left. */
  readonly #departed = newCounters();

  constructor(core: EndpointCore, replay: EndpointReplay | undefined) {
    this.#core = core;
    this.#replay = replay;
  }

  accept(peer: Faultable): void {
    const { context, dialect, hub, timers } = this.#core;
    const { logger, clock } = context;
    this.#core.peers.add(peer);
    // First: the greeting is a message like any other (held back, lost, counted toward a disconnect).
    this.#core.faults.attach(peer);
    hub.receiveEverything(peer, dialect.receivesAllUntilSubscribed);
    // Guarded: thousands of connections a second must not each build a log line nobody reads.
    if (logger.enabled('info')) logger.info(`Client connected: ${peer.id} (Total: ${context.totalClients()})`, { clientId: peer.id, endpoint: this.#core.path, remoteAddress: peer.remoteAddress });
    this.#core.replies.say(peer, { kind: 'connected', clientId: peer.id, at: clock.now() });
    // Clients of dialects without subscribe messages start every per-subscriber script when they connect.
    if (dialect.receivesAllUntilSubscribed) this.#core.scripts.playAll(peer);
    this.#replay?.start(peer, clock.now(), (fn, ms) => timers.schedule(peer, fn, ms));
    this.#core.rules.connected(peer);
  }

  leave(peer: Faultable, code: number, reason: string): void {
    const { context, peers, timers, scope, scripts, hub } = this.#core;
    const { logger } = context;
    peers.delete(peer);
    this.#core.faults.detach(peer);
    this.#core.journal?.close(peer, code, reason);
    addCounters(this.#departed, peer.counters);
    timers.cancel(peer);
    scope.forget(peer);
    scripts.forget(peer);
    hub.remove(peer);
    if (!logger.enabled('info')) return;
    logger.info(`Client disconnected: ${peer.id} (code ${code}${reason === '' ? '' : `, ${reason}`}) (Total: ${context.totalClients()})`, {
      clientId: peer.id,
      endpoint: this.#core.path,
      code,
      reason,
    });
  }

  /** Counters of every client that was ever connected here, those still connected included. */
  totals(): PeerCounters {
    const total = { ...this.#departed };
    for (const peer of this.#core.peers) addCounters(total, peer.counters);
    return total;
  }
}
