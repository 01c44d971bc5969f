/**
 * A `ws` socket's events, handed to its peer: one shared function per event for every connection, finding
 * its peer from the socket.
 */
import type { RawData, WebSocket } from 'ws';
import { PROTOCOL_ERROR_CLOSE_CODES } from './constants.ts';
import { toBuffer } from './connection.ts';
import type { WsPeer } from './ws-peer.ts';

/**
 * The peer of each socket. ws calls listeners with the socket as `this`, so one function per event serves
 * every connection: an idle connection makes no closures of its own (a closure per listener, with its scope,
 * costs heap for every connection).
 */
const PEERS = new WeakMap<WebSocket, WsPeer>();

function onPong(this: WebSocket): void {
  const peer = PEERS.get(this);
  if (peer !== undefined) peer.alive = true;
}

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const peer = PEERS.get(this);
  if (peer === undefined) return;
  const buffer = toBuffer(data);
  peer.counters.messagesIn += 1;
  peer.counters.bytesIn += buffer.length;
  for (const observe of peer.observers) observe(peer, 'in', buffer, isBinary, false, undefined);
  if (peer.faults !== undefined && peer.faults.in(buffer, isBinary)) return;
  peer.connection.onMessage(peer, buffer, isBinary);
}

function onSocketError(this: WebSocket, error: Error & { code?: string }): void {
  const peer = PEERS.get(this);
  if (peer === undefined) return;
  // ws answers a broken frame with a close of its own and stops reading the socket, so the client's answer
  // is never seen: remember the code for the log, and free the connection soon instead of after ws's 30 s.
  const sent = error.code === undefined ? undefined : PROTOCOL_ERROR_CLOSE_CODES[error.code];
  if (sent !== undefined && peer.closeSent === undefined) {
    peer.closeSent = sent;
    peer.closeReason = error.message;
    peer.terminateLater();
  }
  peer.settings.onPeerError(peer, error);
}

function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  const peer = PEERS.get(this);
  if (peer === undefined) return;
  peer.settings.peers.delete(peer);
  peer.settings.pressure.behind.delete(peer);
  // A connection that ended without a close handshake (1006) after the server sent its close is reported
  // with the code the server sent: that is the reason it ended.
  const sent = code === 1006 ? peer.closeSent : undefined;
  peer.connection.onClose(peer, sent ?? code, sent === undefined ? reason.toString() : peer.closeReason);
}

/** From now on the socket's events reach `peer` (and, through it, its connection's logic). */
export function listenTo(socket: WebSocket, peer: WsPeer): void {
  PEERS.set(socket, peer);
  socket.on('pong', onPong);
  socket.on('message', onSocketMessage);
  socket.on('error', onSocketError);
  socket.on('close', onSocketClose);
}
