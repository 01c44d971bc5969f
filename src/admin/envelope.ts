import type { ServerResponse } from 'node:http';
import { refusalBody, type Meta, type Refusal } from '../errors/refusal.ts';

/** The guide's admin envelope, used by every admin response, errors included. */
export function sendData(response: ServerResponse, status: number, data: unknown, meta: Meta): void {
  send(response, status, { success: true, data, meta });
}

export function sendRefusal(response: ServerResponse, refused: Refusal, meta: Meta): void {
  send(response, refused.status, refusalBody(refused, meta));
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
