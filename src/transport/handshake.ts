/** The answers of a handshake or request that is refused before any handler sees it. */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeJson } from '../security/refusal-answer.ts';
import { refusal, type Refusal } from '../errors/refusal.ts';
import { resetSocket } from '../util/reset-socket.ts';

/** What a connection is told when Node's HTTP parser gives up on it. */
export function clientErrorOf(error: Error & { code?: string }): Refusal {
  if (error.code === 'HPE_HEADER_OVERFLOW') return refusal('MW_HEADERS_TOO_LARGE', 'Request headers are too large');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return refusal('MW_HANDSHAKE_TIMEOUT', 'The request headers did not arrive in time');
  return refusal('MW_MALFORMED_REQUEST', 'Malformed HTTP request');
}

/** The error listener of a socket being upgraded: one shared function, not a closure that keeps the request alive. */
export function destroyOnError(this: Duplex): void {
  this.destroy();
}

export const SHUTTING_DOWN = refusal('MW_SHUTTING_DOWN', 'The server is shutting down');
export const BAD_TARGET = refusal('MW_MALFORMED_REQUEST', 'The request target is not a valid URL path');

/** How a refused handshake is answered beyond its status and body: headers it names (Retry-After), or no answer at all. */
export interface RefusalManner {
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Cut with a TCP reset instead of an answer (an injected fault: a server that is not there). */
  readonly reset?: boolean | undefined;
}

/**
 * Refuses a WebSocket upgrade with a real HTTP response (status and a JSON body saying why) instead of
 * leaving the client hanging, then closes the socket once the response is flushed.
 */
export function refuseUpgrade(socket: Duplex, status: number, body: unknown, manner: RefusalManner = {}): void {
  if (!socket.writable || manner.reset === true) {
    if (manner.reset === true && socket instanceof Socket) resetSocket(socket);
    else socket.destroy();
    return;
  }
  const text = JSON.stringify(body);
  const headers = Object.entries(manner.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      headers +
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
