import type { Duplex } from 'node:stream';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeJson } from '../security/refusal-answer.ts';

/**
 * Refuses a WebSocket upgrade with a real HTTP response (status and a JSON body saying why) instead of
 * leaving the client hanging, then closes the socket once the response is flushed.
 */
export function refuseUpgrade(socket: Duplex, status: number, body: unknown): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify(body);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      '\r\n' +
      text,
  );
}

/**
 * Refuses a plain request that no handler may see (its target is not a URL): the status and a JSON body,
 * then the connection is closed, since what follows on it cannot be trusted either.
 */
export function refuseRequest(request: IncomingMessage, response: ServerResponse, status: number, body: unknown): void {
  request.resume();
  response.shouldKeepAlive = false;
  writeJson(response, status, body, { Connection: 'close' });
}
