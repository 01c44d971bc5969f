/**
 * An endpoint's part in the journal (src/journal/): its peers' frames through one observer shared by them all
 * (a broadcast's copies left out), each broadcast once with its recipients and what produced it (and, when it
 * did not reach every subscriber, who it reached or missed), subscriptions as the hub takes them, and
 * connections opening (with the scope the client named) and closing. Made only when the journal is on and
 * the endpoint has not left it (`journal: false`).
 */
import type { IncomingMessage } from 'node:http';
import type { Hub } from '../hub/hub.ts';
import type { Peer, PeerObserver } from '../hub/peer.ts';
import { connectionScope, type BroadcastAudience, type Journal, type JournalHttpInput, type JournalProtocol } from '../journal/index.ts';
import type { MessageSource } from '../util/source.ts';

const NO_BODY = Buffer.alloc(0);

/** Who a partial broadcast reached, as the journal keeps it: the shorter of the two lists. */
function audienceOf(passed: readonly string[] | undefined, missed: readonly string[] | undefined, filtered: boolean): BroadcastAudience | undefined {
  if (!filtered) return missed === undefined ? undefined : { missed };
  if (missed === undefined) return undefined;
  // Through a filter, `passed` holds those it let by; a dropped one among them is in `missed` too.
  const left = new Set(missed);
  const reached = (passed ?? []).filter((id) => !left.has(id));
  return reached.length <= missed.length ? { reached } : { missed };
}

export class EndpointJournal {
  readonly #journal: Journal;
  readonly #protocol: JournalProtocol;
  readonly #endpoint: string;
  /** The observer list every peer of the endpoint shares. */
  readonly observers: readonly PeerObserver[];

  /** Whether its clients receive every topic until they subscribe (the dialect's way): noted at their opening. */
  readonly #everything: boolean;

  constructor(journal: Journal, protocol: JournalProtocol, endpoint: string, everything: boolean) {
    this.#journal = journal;
    this.#protocol = protocol;
    this.#endpoint = endpoint;
    this.#everything = everything;
    this.observers = Object.freeze([
      (peer: Peer, direction: 'in' | 'out', data: Buffer, isBinary: boolean, broadcast: boolean, source: MessageSource | undefined): void => {
        if (!broadcast) journal.message(protocol, peer, direction, data, isBinary, source);
      },
    ]);
  }

  /**
   * A client came in: noted with its scope and its request (the WebSocket upgrade, answered 101, or the
   * Server-Sent Events connect, answered 200), and observed from its first message on.
   */
  open(peer: Peer, request: IncomingMessage): void {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const http: JournalHttpInput = {
      method: request.method ?? 'GET',
      path: query < 0 ? url : url.slice(0, query),
      search: query < 0 ? '' : url.slice(query),
      rawHeaders: request.rawHeaders,
      body: NO_BODY,
      status: this.#protocol === 'sse' ? 200 : 101,
      ms: 0,
      answerHeaders: undefined,
      answerBody: undefined,
    };
    this.#journal.open(this.#protocol, peer, connectionScope(request), this.#everything, http);
    peer.observers = this.observers;
  }

  close(peer: Peer, code: number, reason: string): void {
    this.#journal.close(this.#protocol, peer, code, reason);
  }

  fault(peer: Peer, fault: string, direction: 'in' | 'out' | undefined, detail: string): void {
    this.#journal.fault(this.#protocol, peer, fault, direction, detail);
  }

  /**
   * Publishes through `hub` and journals the broadcast once, with `source`; a message nobody received is not
   * traffic and is left out, so idle streams do not fill the journal.
   */
  publish(hub: Hub, topics: readonly string[], frame: Buffer, filter: ((peer: Peer) => boolean) | undefined, isBinary: boolean, source: MessageSource): number {
    let passed: string[] | undefined;
    let missed: string[] | undefined;
    const seen =
      filter === undefined
        ? undefined
        : (peer: Peer): boolean => {
            const through = filter(peer);
            if (through) (passed ??= []).push(peer.id);
            return through;
          };
    const sent = hub.publish(topics, frame, seen, isBinary, (peer) => void (missed ??= []).push(peer.id));
    if (sent > 0) this.#journal.broadcast(this.#protocol, this.#endpoint, topics, frame, isBinary, sent, source, audienceOf(passed, missed, filter !== undefined));
    return sent;
  }

  /** The endpoint's hub, with its subscriptions journaled. */
  hub(inner: Hub): Hub {
    const journal = this.#journal;
    const protocol = this.#protocol;
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
      publish: (topics, frame, filter, isBinary, missed) => inner.publish(topics, frame, filter, isBinary, missed),
    };
  }
}
