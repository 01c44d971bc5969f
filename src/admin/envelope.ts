import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../errors/catalog.ts';

/** The guide's admin envelope, used by every admin response, errors included. */
export interface Meta {
  readonly timestamp: string;
  readonly requestId: string;
}

export function sendData(response: ServerResponse, status: number, data: unknown, meta: Meta): void {
  send(response, status, { success: true, data, meta });
}

export function sendError(response: ServerResponse, status: number, code: ErrorCode | string, message: string, meta: Meta): void {
  send(response, status, { success: false, error: { code, message }, meta });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}
