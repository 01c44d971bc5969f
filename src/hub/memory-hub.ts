/**
 * The hub of one process: topic -> subscribers in memory, and fan-out. A broadcast arrives already encoded:
 * the same bytes go to every subscriber, so the cost per subscriber is one socket write.
 */
import type { Hub } from './hub.ts';
import type { Peer } from './peer.ts';

const NO_TOPICS: ReadonlySet<string> = new Set();

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

  publish(topics: readonly string[], frame: Buffer, filter?: (peer: Peer) => boolean, isBinary = false): number {
    let sent = 0;
    if (filter !== undefined) {
      for (const peer of this.#collect(topics)) if (filter(peer) && peer.offer(frame, isBinary)) sent++;
      return sent;
    }
    if (topics.length === 1) {
      // The common case needs no de-duplication: a peer is either in #everything or in topic sets.
      const set = this.#topics.get(topics[0] as string);
      if (set !== undefined) for (const peer of set) if (peer.offer(frame, isBinary)) sent++;
      for (const peer of this.#everything) if (peer.offer(frame, isBinary)) sent++;
      return sent;
    }
    for (const peer of this.#collect(topics)) if (peer.offer(frame, isBinary)) sent++;
    return sent;
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
