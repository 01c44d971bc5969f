/**
 * What recording costs. First, decompression bombs: a gzip and a brotli answer of 256 MiB of zeros through
 * `http.fallback` with `http.record`, each in a fresh child process: the longest the event loop was held
 * (while a bystander timer ticks every 5 ms) and the growth of the process's peak RSS. Then bytes written
 * per body: one 1 MiB answer of each kind through the fallback, and one 1 MiB frame of each type through the
 * WebSocket proxy with `proxy.record`, each into a fresh folder; the figure is the folder's size less the
 * file's first line (so only the body's line counts).
 *
 *   npm run bench:recording
 *
 * In-process (src/ through tsx), so the same script measures any checkout; loopback only; about 10 s.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import WebSocket, { WebSocketServer } from 'ws';
import { createMockServer } from '../src/index.ts';

const MIB = 1024 * 1024;

/** A compact JSON document of at most `size` bytes: an array of small orders (quotes, digits, short strings). */
function jsonText(size: number): Buffer {
  const items: string[] = [];
  let length = 2;
  for (let i = 0; ; i++) {
    const item = JSON.stringify({ id: `o-${i}`, symbol: 'AAPL', qty: i % 97, price: 100 + (i % 13) / 4, side: i % 2 === 0 ? 'buy' : 'sell' });
    if (length + item.length + 1 > size) break;
    items.push(item);
    length += item.length + 1;
  }
  return Buffer.from(`[${items.join(',')}]`);
}

/** Server-Sent Events of about `size` bytes, written in 16 KiB pieces. */
function sseText(size: number): Buffer[] {
  const events: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const event = `id: ${i}\nevent: tick\ndata: ${JSON.stringify({ n: i, price: 100 + (i % 13) })}\n\n`;
    events.push(event);
    length += event.length;
  }
  const all = Buffer.from(events.join('')).subarray(0, size);
  const pieces: Buffer[] = [];
  for (let at = 0; at < all.length; at += 16 * 1024) pieces.push(all.subarray(at, at + 16 * 1024));
  return pieces;
}

const BODIES: Record<string, { type: string; pieces: Buffer[] }> = {
  'JSON text': { type: 'application/json', pieces: [jsonText(MIB)] },
  'plain text': { type: 'text/plain', pieces: [Buffer.from('lorem ipsum dolor sit amet, '.repeat(MIB / 28 + 1)).subarray(0, MIB)] },
  'event stream (SSE, 64 pieces)': { type: 'text/event-stream', pieces: sseText(MIB) },
  'binary (random bytes)': { type: 'application/octet-stream', pieces: [randomBytes(MIB)] },
  'binary (zero bytes)': { type: 'application/octet-stream', pieces: [Buffer.alloc(MIB)] },
};

/** Bytes in the folder's files, less each file's first line. */
function written(dir: string): number {
  return readdirSync(dir).reduce((sum, file) => {
    const path = join(dir, file);
    const first = readFileSync(path, 'utf8').indexOf('\n') + 1;
    return sum + statSync(path).size - first;
  }, 0);
}

const sizeOf = (name: string): number => (BODIES[name] as { pieces: Buffer[] }).pieces.reduce((sum, piece) => sum + piece.length, 0);

async function httpCase(name: string): Promise<number> {
  const body = BODIES[name] as { type: string; pieces: Buffer[] };
  const api = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': body.type });
    for (const piece of body.pieces) res.write(piece);
    res.end();
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  const dir = mkdtempSync(join(tmpdir(), 'mockwave-recording-size-'));
  const server = createMockServer({ host: '127.0.0.1', port: 0, log: { level: 'silent' }, http: { fallback: `http://127.0.0.1:${(api.address() as { port: number }).port}`, record: dir, recordMaxBodyBytes: 2 * MIB } });
  const { port } = await server.start();
  await (await fetch(`http://127.0.0.1:${port}/body`)).arrayBuffer();
  await server.stop();
  api.close();
  const bytes = written(dir);
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

async function proxyCase(binary: boolean): Promise<number> {
  const upstream = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(upstream, 'listening');
  const frame = binary ? randomBytes(MIB) : jsonText(MIB);
  upstream.on('connection', (socket) => socket.send(frame, { binary }));
  const dir = mkdtempSync(join(tmpdir(), 'mockwave-recording-size-'));
  const server = createMockServer({ host: '127.0.0.1', port: 0, log: { level: 'silent' }, websocket: { maxPayload: 4 * MIB }, endpoints: [{ path: '/ws', streams: [] }], proxy: { enabled: true, record: dir, routes: [{ name: 'feed', url: `ws://127.0.0.1:${(upstream.address() as { port: number }).port}`, announce: false }] } });
  const { port } = await server.start();
  const client = new WebSocket(`ws://127.0.0.1:${port}/ws/proxy/feed`, { maxPayload: 4 * MIB });
  await once(client, 'message');
  client.close();
  await once(client, 'close');
  await server.stop();
  upstream.close();
  const bytes = written(dir);
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

/** Bytes written, and per byte of body (the request's line, with an empty body, adds about 300 bytes). */
const row = (label: string, bytes: number, body: number): string => `| ${label} | ${(bytes / 1e6).toFixed(2)} MB | ${(bytes / body).toFixed(2)} x |`;
/** One bomb, in this process: the longest event-loop stall and the peak RSS growth while it is recorded. */
async function bombCase(kind: 'gzip' | 'br'): Promise<string> {
  const compressor = kind === 'gzip' ? createGzip({ level: 9 }) : createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 24 } });
  const out: Buffer[] = [];
  compressor.on('data', (chunk: Buffer) => out.push(chunk));
  for (let i = 0; i < 256; i++) if (!compressor.write(Buffer.alloc(MIB))) await once(compressor, 'drain');
  compressor.end();
  await once(compressor, 'end');
  const bomb = Buffer.concat(out);
  const api = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': kind }).end(bomb));
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  const dir = mkdtempSync(join(tmpdir(), 'mockwave-recording-bomb-'));
  const server = createMockServer({ host: '127.0.0.1', port: 0, log: { level: 'silent' }, http: { fallback: `http://127.0.0.1:${(api.address() as { port: number }).port}`, record: dir } });
  const { port } = await server.start();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  let last = performance.now();
  let stall = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 5);
  // Read raw (fetch would decode the bomb on this side, which is not what is measured).
  await new Promise<void>((resolve, reject) => get(`http://127.0.0.1:${port}/bomb`, (res) => res.resume().once('end', resolve)).once('error', reject));
  await server.stop();
  clearInterval(ticker);
  const growth = process.resourceUsage().maxRSS * 1024 - peakBefore;
  api.close();
  rmSync(dir, { recursive: true, force: true });
  return `| ${kind} answer of ${(bomb.length / 1e3).toFixed(0)} KB decoding to 256 MiB | ${Math.round(stall)} ms | ${Math.round(growth / MIB)} MiB |`;
}

const bombArg = process.argv.indexOf('--bomb');
if (bombArg !== -1) {
  console.log(await bombCase(process.argv[bombArg + 1] === 'br' ? 'br' : 'gzip'));
  process.exit(0);
}
const bombs = ['| recorded answer | longest event-loop stall | peak RSS growth |', '|---|---:|---:|'];
for (const kind of ['gzip', 'br']) bombs.push(execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--bomb', kind], { encoding: 'utf8' }).trim());
console.log(`${bombs.join('\n')}\n`);

const rows: string[] = ['| body (about 1 MiB) | bytes written | per body byte |', '|---|---:|---:|'];
for (const name of Object.keys(BODIES)) rows.push(row(`HTTP answer, ${name}`, await httpCase(name), sizeOf(name)));
rows.push(row('proxy frame, JSON text', await proxyCase(false), jsonText(MIB).length));
rows.push(row('proxy frame, binary (random bytes)', await proxyCase(true), MIB));
console.log(rows.join('\n'));
