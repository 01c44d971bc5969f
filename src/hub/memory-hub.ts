/**
 * The hub of one process: topic -> subscribers in memory, and fan-out. A broadcast arrives already encoded:
 * the same bytes go to every subscriber, so the cost per subscriber is one socket write.
 */
import type { Hub } from './hub.ts';
import type { Peer } from './peer.ts';

const NO_TOPICS: ReadonlySet<string> = new Set();

/** Offers a message to each peer of `peers`; how many took it (`missed` is told of the others). */
function offerAll(peers: Iterable<Peer>, frame: Buffer, isBinary: boolean, missed: ((peer: Peer) => void) | undefined): number {
  let sent = 0;
  for (const peer of peers) {
    if (peer.offer(frame, isBinary)) sent++;
    else missed?.(peer);
  }
  return sent;
}

export class MemoryHub implements Hub {
  #topics = new Map<string, Set<Peer>>();
  /**
   * Peer -> its topics, only for peers with at least one: most clients of a big run never subscribe, and a
   * Set each would be ~130 bytes of every idle connection.
   */
  #byPeer = new Map<Peer, Set<string>>();
  /** Peers that receive every topic (cerberus and raw clients before they subscribe). */
  #everything = new Set<Peer>();

  subscribe(peer: Peer, topic: string): boolean {
    let set = this.#topics.get(topic);
    if (set === undefined) {
      set = new Set();
      this.#topics.set(topic, set);
    }
    if (set.has(peer)) return false;
    set.add(peer);
    let mine = this.#byPeer.get(peer);
    if (mine === undefined) {
      mine = new Set();
      this.#byPeer.set(peer, mine);
    }
    mine.add(topic);
    return true;
  }

  unsubscribe(peer: Peer, topic: string): boolean {
    const set = this.#topics.get(topic);
    const mine = this.#byPeer.get(peer);
    if (mine !== undefined && mine.delete(topic) && mine.size === 0) this.#byPeer.delete(peer);
    if (set === undefined || !set.delete(peer)) return false;
    if (set.size === 0) this.#topics.delete(topic);
    return true;
  }

  receiveEverything(peer: Peer, on: boolean): void {
    if (on) this.#everything.add(peer);
    else this.#everything.delete(peer);
  }

  remove(peer: Peer): void {
    this.#everything.delete(peer);
    for (const topic of [...this.topicsOf(peer)]) this.unsubscribe(peer, topic);
  }

  topicsOf(peer: Peer): ReadonlySet<string> {
    return this.#byPeer.get(peer) ?? NO_TOPICS;
  }

  subscriberCount(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }

  publish(topics: readonly string[], frame: Buffer, filter?: (peer: Peer) => boolean, isBinary = false, missed?: (peer: Peer) => void): number {
    let sent = 0;
    // `missed` is told only on the rare path (a peer left out, or too far behind): a delivery costs nothing more.
    if (filter !== undefined) {
      for (const peer of this.#collect(topics)) {
        if (filter(peer) && peer.offer(frame, isBinary)) sent++;
        else missed?.(peer);
      }
      return sent;
    }
    if (topics.length === 1) {
      // The common case needs no de-duplication: a peer is either in #everything or in topic sets.
      const set = this.#topics.get(topics[0] as string);
      if (set !== undefined) sent += offerAll(set, frame, isBinary, missed);
      return sent + offerAll(this.#everything, frame, isBinary, missed);
    }
    return offerAll(this.#collect(topics), frame, isBinary, missed);
  }

  #collect(topics: readonly string[]): Set<Peer> {
    const all = new Set<Peer>(this.#everything);
    for (const topic of topics) {
      const set = this.#topics.get(topic);
      if (set !== undefined) for (const peer of set) all.add(peer);
    }
    return all;
  }
}
