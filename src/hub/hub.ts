/**
 * What an endpoint needs of its hub: subscriptions by topic, who is subscribed to what, and fan-out of an
 * already encoded message. The endpoint receives its hub from a factory in its context, so the composition
 * root chooses the implementation: today the in-memory one (`MemoryHub`); a broker that carries broadcasts
 * between several instances implements this same interface, and the endpoint does not change.
 */
import type { Peer } from './peer.ts';

export interface Hub {
  /** Subscribes a peer to a topic; false when it already was. */
  subscribe(peer: Peer, topic: string): boolean;
  /** Ends a peer's subscription to a topic; false when it had none. */
  unsubscribe(peer: Peer, topic: string): boolean;
  /** Whether a peer receives every topic (cerberus and raw clients before they subscribe). */
  receiveEverything(peer: Peer, on: boolean): void;
  /** Forgets a peer that left: its subscriptions and whether it received everything. */
  remove(peer: Peer): void;
  /** The topics a peer is subscribed to. */
  topicsOf(peer: Peer): ReadonlySet<string>;
  /** How many peers are subscribed to a topic (those receiving everything are not counted). */
  subscriberCount(topic: string): number;
  /**
   * Sends one encoded message to everyone on these topics, each peer once; returns how many got it. A
   * filter (a stream's per-subscriber condition) decides per peer; the bytes stay shared, so nothing is
   * made per recipient. `missed`, when given, is told each peer on these topics the message did not reach
   * (the filter left it out, or it was too far behind): the journal's account of a partial broadcast.
   */
  publish(topics: readonly string[], frame: Buffer, filter?: (peer: Peer) => boolean, isBinary?: boolean, missed?: (peer: Peer) => void): number;
}

/** Makes an endpoint's hub: one per endpoint, called when the endpoint is built. */
export type HubFactory = () => Hub;
