/**
 * What logic sees of a connection. Hub, streams and endpoints talk to a Peer; only the transport knows it
 * is a `ws` socket underneath.
 */
import type { MessageSource } from '../util/source.ts';

export interface PeerCounters {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Messages skipped because the client was not reading fast enough (over its queue cap). */
  dropped: number;
}

/** Sees every message of one connection, both ways, as it passes (the dashboard's message log). */
export type Tap = (direction: 'in' | 'out', data: Buffer | string, isBinary: boolean) => void;

/**
 * Sees every message of the connections it is given to, both ways, as they pass: the journal (one observer
 * per endpoint, shared by its peers) and a watched client's log. `broadcast`: the message is the peer's copy
 * of a broadcast (the journal keeps a broadcast once, not once per recipient). `source`: what produced a
 * message sent to one client (src/util/source.ts); undefined for a message in and a broadcast's copy.
 */
export type PeerObserver = (peer: Peer, direction: 'in' | 'out', data: Buffer, isBinary: boolean, broadcast: boolean, source: MessageSource | undefined) => void;

/** The observers of a peer nobody observes: shared, so a peer costs no list of its own. */
export const NO_OBSERVERS: readonly PeerObserver[] = Object.freeze([]);

/** How a message leaves a peer: `send` (one client's text), `data` (as it came: a replay), `offer` (a broadcast's copy), `write` (a Server-Sent Events comment or `retry:`). */
export type OutKind = 'send' | 'data' | 'offer' | 'write';

/**
 * The faults put on one connection (src/faults/): every message in and out passes it first. It takes a
 * message (true) to lose it, hold it back, corrupt it or send it twice, handing what is to go on back to
 * the peer's `pass` or `receive`; false: the message goes on as it is, now.
 */
export interface FaultHook {
  out(kind: OutKind, data: Buffer, isBinary: boolean, source: MessageSource | undefined): boolean;
  in(data: Buffer, isBinary: boolean): boolean;
  /** Lets what it holds back go now, in order: the peer is about to close (a close never overtakes a message). */
  flush(): void;
}

export interface Peer {
  readonly id: string;
  /** Path of the endpoint the client connected to. */
  readonly endpoint: string;
  /** The exact path and query the client asked for. */
  readonly url: string;
  readonly remoteAddress: string;
  /** Whether the connection negotiated permessage-deflate. */
  readonly compressed: boolean;
  readonly connectedAt: number;
  readonly counters: PeerCounters;
  /**
   * Who sees this connection's messages. Replaced, never changed in place: peers of an endpoint share its
   * list (the journal's observer), and a watcher gets a list of its own for the peer it watches.
   */
  observers: readonly PeerObserver[];
  /** True once the connection is closing or closed: nothing more can be sent. */
  readonly closed: boolean;
  /**
   * Sends one text message now, unless the client is too far behind (then it is dropped and counted);
   * `source` says what produced it (the journal keeps it).
   */
  send(text: string | Buffer, source: MessageSource): void;
  /** Sends a message as it came (text or binary), unless the client is too far behind (a replay). */
  sendData(data: Buffer, isBinary: boolean, source: MessageSource): void;
  /**
   * Sends a message that must not be lost (the proxy, so its source is `proxy`): never dropped, so the caller
   * must stop its source while `bufferedAmount` is over the cap. A client that stays behind for the grace
   * period is evicted.
   */
  relay(data: Buffer, isBinary: boolean): void;
  /** Bytes queued for this client and not yet written to its socket. */
  readonly bufferedAmount: number;
  /** Stops (and restarts) reading this client's messages: backpressure for the proxy. */
  pause(): void;
  resume(): void;
  /** Sends a broadcast message (text unless `isBinary`) unless the client is too far behind; false when it was dropped. */
  offer(frame: Buffer, isBinary?: boolean): boolean;
  /** Closes with a code and reason; with no code, the close frame carries none (the peer reads 1005). */
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** A peer faults can be put on (both transports' peers): what a fault line needs besides the Peer. */
export interface Faultable extends Peer {
  /** The connection's faults; undefined (nothing to check but this) while none apply. */
  faults: FaultHook | undefined;
  /** Sends a message now, past the faults (one held back, or a copy); false when it was not sent (closed, or the client too far behind). */
  pass(kind: OutKind, data: Buffer, isBinary: boolean, source: MessageSource | undefined): boolean;
  /** Hands a client's message to its connection's logic, past the faults. */
  receive(data: Buffer, isBinary: boolean): void;
  /** Ends the connection without a close: a TCP reset. */
  reset(): void;
}

/** Adds `from` into `into`, field by field. */
export function addCounters(into: PeerCounters, from: Readonly<PeerCounters>): void {
  for (const key of Object.keys(into) as (keyof PeerCounters)[]) into[key] += from[key];
}

export function newCounters(): PeerCounters {
  return { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, dropped: 0 };
}
