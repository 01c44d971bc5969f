/**
 * An endpoint's part in the journal (src/journal/): its peers' frames through one observer shared by them all
 * (a broadcast's copies left out), each broadcast once with its recipients, subscriptions as the hub takes
 * them, and connections opening (with the scope the client named) and closing. Made only when the journal
 * is on and the endpoint has not left it (`journal: false`).
 */
import type { IncomingMessage } from 'node:http';
import type { Hub } from '../hub/hub.ts';
import type { Peer, PeerObserver } from '../hub/peer.ts';
import { connectionScope, type Journal, type JournalProtocol } from '../journal/index.ts';

export class EndpointJournal {
  readonly #journal: Journal;
  readonly #protocol: JournalProtocol;
  readonly #endpoint: string;
  /** The observer list every peer of the endpoint shares. */
  readonly observers: readonly PeerObserver[];

  constructor(journal: Journal, protocol: JournalProtocol, endpoint: string) {
    this.#journal = journal;
    this.#protocol = protocol;
    this.#endpoint = endpoint;
    this.observers = Object.freeze([
      (peer: Peer, direction: 'in' | 'out', data: Buffer, isBinary: boolean, broadcast: boolean): void => {
        if (!broadcast) journal.message(protocol, peer, direction, data, isBinary);
      },
    ]);
  }

  /** A client came in: noted with its scope, and observed from its first message on. */
  open(peer: Peer, request: IncomingMessage): void {
    this.#journal.open(this.#protocol, peer, connectionScope(request));
    peer.observers = this.observers;
  }

  close(peer: Peer, code: number, reason: string): void {
    this.#journal.close(this.#protocol, peer, code, reason);
  }

  /** The endpoint's hub, with its subscriptions and broadcasts journaled. */
  hub(inner: Hub): Hub {
    const journal = this.#journal;
    const protocol = this.#protocol;
    const endpoint = this.#endpoint;
    return {
      subscribe(peer, topic) {
        const added = inner.subscribe(peer, topic);
        if (added) journal.subscription(protocol, peer, topic, true);
        return added;
      },
      unsubscribe(peer, topic) {
        const removed = inner.unsubscribe(peer, topic);
        if (removed) journal.subscription(protocol, peer, topic, false);
        return removed;
      },
      receiveEverything: (peer, on) => inner.receiveEverything(peer, on),
      remove: (peer) => inner.remove(peer),
      topicsOf: (peer) => inner.topicsOf(peer),
      subscriberCount: (topic) => inner.subscriberCount(topic),
      publish(topics, frame, filter, isBinary) {
        const sent = inner.publish(topics, frame, filter, isBinary);
        // A tick nobody received is not traffic: it is left out, so idle streams do not fill the journal.
        if (sent > 0) journal.broadcast(protocol, endpoint, topics, frame, isBinary === true, sent);
        return sent;
      },
    };
  }
}
