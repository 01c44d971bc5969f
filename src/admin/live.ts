/**
 * Live views for the dashboard, as server-sent events (one HTTP response that stays open; browsers
 * reconnect by themselves): a snapshot of the whole server every second, and one client's messages as they
 * pass. The message log is a tap set on that client only while someone watches it, so an unwatched
 * connection pays nothing; a watched one is batched every 100 ms and bounded per batch.
 */
import type { ServerResponse } from 'node:http';
import type { Tap } from '../hub/peer.ts';

export interface LiveSource {
  /** Everything the overview shows, now. */
  snapshot(): unknown;
  /** Watches one client's messages; returns the function that stops watching. Throws for an unknown id. */
  tap(clientId: string, tap: Tap): () => void;
  now(): number;
}

const SNAPSHOT_MS = 1000;
const LOG_FLUSH_MS = 100;
const LOG_BATCH = 200;
const TEXT_PREVIEW = 4096;
const HEX_PREVIEW = 32;

function open(response: ServerResponse): void {
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  // A comment first, so the browser's EventSource sees the stream open at once.
  response.write(': mockwave live\n\n');
}

function send(response: ServerResponse, event: string, data: unknown): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function streamSnapshots(response: ServerResponse, source: LiveSource): void {
  open(response);
  send(response, 'snapshot', source.snapshot());
  const timer = setInterval(() => send(response, 'snapshot', source.snapshot()), SNAPSHOT_MS);
  response.on('close', () => clearInterval(timer));
}

export interface LoggedMessage {
  readonly direction: 'in' | 'out';
  readonly at: number;
  readonly size: number;
  readonly binary: boolean;
  /** Text messages: the text, cut at 4 KiB. */
  readonly text?: string;
  /** Binary messages: the first 32 bytes in hex. */
  readonly hex?: string;
  readonly truncated?: boolean;
}

export function describeMessage(direction: 'in' | 'out', data: Buffer | string, isBinary: boolean, at: number): LoggedMessage {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (isBinary) return { direction, at, size, binary: true, hex: (typeof data === 'string' ? Buffer.from(data) : data).subarray(0, HEX_PREVIEW).toString('hex'), truncated: size > HEX_PREVIEW };
  const text = typeof data === 'string' ? data : data.toString('utf8', 0, Math.min(data.length, TEXT_PREVIEW));
  return size > TEXT_PREVIEW ? { direction, at, size, binary: false, text: text.slice(0, TEXT_PREVIEW), truncated: true } : { direction, at, size, binary: false, text };
}

/**
 * Starts watching one client's messages (throws MW_UNKNOWN_CLIENT for an id that is not connected, before
 * any response is begun) and returns what streams them until the browser goes away.
 */
export function watchClientLog(source: LiveSource, clientId: string): (response: ServerResponse) => void {
  let pending: LoggedMessage[] = [];
  let skipped = 0;
  const untap = source.tap(clientId, (direction, data, isBinary) => {
    if (pending.length >= LOG_BATCH) skipped += 1;
    else pending.push(describeMessage(direction, data, isBinary, source.now()));
  });
  return (response) => {
    open(response);
    const timer = setInterval(() => {
      if (pending.length === 0 && skipped === 0) return;
      send(response, 'messages', { messages: pending, skipped });
      pending = [];
      skipped = 0;
    }, LOG_FLUSH_MS);
    response.on('close', () => {
      clearInterval(timer);
      untap();
    });
  };
}
