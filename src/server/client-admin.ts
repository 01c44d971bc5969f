/**
 * What the admin API and the dashboard do to connected clients: list them, send to one or to an endpoint,
 * close or terminate one, and watch one's messages.
 */
import type { Peer, PeerObserver, Tap } from '../hub/peer.ts';
import type { ClientInfo } from '../admin/snapshot.ts';
import type { Redactor } from '../security/redact.ts';
import { ADMIN_SOURCE, type MessageSource } from '../util/source.ts';
import type { LiveJournal } from '../admin/live.ts';
import type { Journal } from '../journal/index.ts';

export type { ClientInfo } from '../admin/snapshot.ts';
import type { EndpointRegistry } from './registry.ts';

/** Client records are shown (admin API, dashboard): their URLs go through `redact`, so `?token=` is never shown. */
export function createClientAdmin(registry: EndpointRegistry, redact: Redactor) {
  const findPeer = (id: string): Peer => registry.peer(id);
  const peers = (): Iterable<Peer> => registry.peers();

  return {
    clients: (): ClientInfo[] =>
      [...peers()].map((peer) => ({
        id: peer.id,
        endpoint: peer.endpoint,
        url: redact.url(peer.url),
        remoteAddress: peer.remoteAddress,
        compressed: peer.compressed,
        connectedAt: new Date(peer.connectedAt).toISOString(),
        subscriptions: [...(registry.all.find((e) => e.endpoint === peer.endpoint)?.subscriptionsOf(peer) ?? [])],
        ...peer.counters,
      })),
    /** Sends to one client or every client of an endpoint (those `only` lets through); `source`: who asked (the admin API, a route's publish). */
    sendTo(target: { clientId: string } | { endpoint: string }, message: unknown, source: MessageSource = ADMIN_SOURCE, only?: (peer: Peer) => boolean): number {
      const text = typeof message === 'string' ? message : JSON.stringify(message);
      if ('clientId' in target) {
        findPeer(target.clientId).send(text, source);
        return 1;
      }
      registry.endpoint(target.endpoint);
      let sent = 0;
      for (const peer of peers()) {
        if (peer.endpoint === target.endpoint && (only === undefined || only(peer))) {
          peer.send(text, source);
          sent++;
        }
      }
      return sent;
    },
    close: (id: string, code: number, reason: string): void => findPeer(id).close(code, reason),
    terminate: (id: string): void => findPeer(id).terminate(),
    /**
     * Watches one client's messages (the dashboard's log) beside its other observers (the journal); each
     * watcher is an observer of its own, removed by the function returned.
     */
    tap(id: string, tap: Tap): () => void {
      const peer = findPeer(id);
      const observer: PeerObserver = (_peer, direction, data, isBinary) => tap(direction, data, isBinary);
      peer.observers = [...peer.observers, observer];
      return () => {
        peer.observers = peer.observers.filter((o) => o !== observer);
      };
    },
  };
}

export type ClientAdmin = ReturnType<typeof createClientAdmin>;

/**
 * The journal as the dashboard's live views read it (undefined while it is off): a client's traffic is
 * kept unless its endpoint leaves the journal (`journal: false`); a proxied client (of no endpoint) is kept.
 */
export function liveJournalOf(journal: Journal | undefined, registry: EndpointRegistry): LiveJournal | undefined {
  if (journal === undefined) return undefined;
  return {
    keeps(id) {
      const peer = registry.peer(id);
      const endpoint = registry.all.find((e) => e.endpoint === peer.endpoint);
      return endpoint === undefined || endpoint.config.journal !== false;
    },
    topics(id) {
      const peer = registry.peer(id);
      return [...(registry.all.find((endpoint) => endpoint.endpoint === peer.endpoint)?.subscriptionsOf(peer) ?? [])];
    },
    endpointOf: (id) => registry.peer(id).endpoint,
    entries: () => journal.entries(),
    listen: (listener) => journal.listen(listener),
  };
}
