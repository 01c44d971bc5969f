/**
 * What a WebSocket connection's logic (an endpoint, or a proxy bridge) is given and gives back: the client as
 * a Peer, the messages as Buffers, and the handlers of its messages and its end.
 */
import type { RawData } from 'ws';
import type { Faultable } from '../hub/peer.ts';

/** ws hands a message over as a Buffer, an ArrayBuffer or fragments; logic always sees one Buffer. */
export function toBuffer(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** What a connection's logic does with its messages and its end (an endpoint, or a proxy bridge). */
export interface Connection {
  onMessage(peer: Faultable, data: Buffer, isBinary: boolean): void;
  onClose(peer: Faultable, code: number, reason: string): void;
}

/** A WebSocket client as its connection's logic gets it: a Peer whose relayed messages say when they have left. */
export interface RelayPeer extends Faultable {
  /**
   * As `Peer.relay`; `written`, when given, is called once the message has been written to the socket (ws's
   * send callback), which is how the proxy learns that a client it holds back for has read on, without a timer.
   */
  relay(data: Buffer, isBinary: boolean, written?: () => void): void;
}

