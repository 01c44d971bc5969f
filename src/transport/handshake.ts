import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

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
