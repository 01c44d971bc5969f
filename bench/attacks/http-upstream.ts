/**
 * HTTP attacks that need a real API behind mockwave (a loopback server started here): decompression bombs
 * answered through `http.fallback` with `http.record`, and a route forwarding 1 MiB bodies as fast as it
 * can with `http.record`, to see what recording writes to disk. Recording folders are temporary folders,
 * removed when the run ends.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import { MB, round, sleep, tempDir, type Result } from './common.ts';
import { measured } from './http.ts';

const GB = 1024 * MB;

/** `bytes` zero bytes streamed through `compressor`, 1 MiB at a time: the bomb, built once per run. */
async function compressZeros(compressor: Transform, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  compressor.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = new Promise((resolve) => compressor.once('end', resolve));
  const block = Buffer.alloc(MB);
  for (let written = 0; written < bytes; written += block.length) {
    if (!compressor.write(block)) await new Promise((resolve) => compressor.once('drain', resolve));
  }
  compressor.end();
  await ended;
  return Buffer.concat(parts);
}

const BOMBS = {
  // Level 9: 1 GiB of zeros is about 1 MB of gzip, the bomb.
  gzip: { decoded: GB, make: () => createGzip({ level: 9 }) },
  // Quality 5 with a 16 MiB window: a few KB for 2 GiB, built in seconds (quality 11 took 7.5 s per 64 MiB
  // on the loaded 2-core machine, minutes for 2 GiB, for a result of the same order).
  br: { decoded: 2 * GB, make: () => createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 24 } }) },
} as const;
const built = new Map<keyof typeof BOMBS, Buffer>();

async function bomb(kind: keyof typeof BOMBS): Promise<Buffer> {
  let body = built.get(kind);
  if (body === undefined) {
    const started = performance.now();
    body = await compressZeros(BOMBS[kind].make(), BOMBS[kind].decoded);
    process.stderr.write(`  built the ${kind} bomb: ${body.length.toLocaleString('en')} bytes decoding to ${BOMBS[kind].decoded / GB} GiB in ${round((performance.now() - started) / 1000)} s\n`);
    built.set(kind, body);
  }
  return body;
}

/** A loopback API answering every request with `answer(request body)`. */
async function upstream(answer: (body: Buffer, res: ServerResponse) => void): Promise<{ url: string; close: () => void }> {
  const server = createServer((req: IncomingMessage, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => answer(Buffer.concat(parts), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Bytes in the files under `dir`. */
function folderBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}

/** Whether a file under `dir` holds a recorded exchange: its first line after the header, so 64 KiB tell. */
function holdsExchange(dir: string): boolean {
  const head = Buffer.alloc(64 * 1024);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const fd = openSync(join(entry.parentPath, entry.name), 'r');
    try {
      const read = readSync(fd, head, 0, head.length, 0);
      if (head.subarray(0, read).toString('latin1').includes('"kind":"exchange"')) return true;
    } finally {
      closeSync(fd);
    }
  }
  return false;
}

/** The whole answer to one GET, read and thrown away (never decoded): its status, size and time. */
function getRaw(port: number, path: string, timeoutMs: number): Promise<{ status?: number; bytes: number; ms: number; error?: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let bytes = 0;
    const req = request({ host: '127.0.0.1', port, path, headers: { 'accept-encoding': 'gzip, br' }, timeout: timeoutMs }, (res) => {
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.once('end', () => resolve({ status: res.statusCode, bytes, ms: performance.now() - started }));
      res.once('error', (error) => resolve({ status: res.statusCode, bytes, ms: performance.now() - started, error: error.message }));
    });
    req.once('timeout', () => req.destroy(new Error(`no whole answer within ${timeoutMs} ms`)));
    req.once('error', (error) => resolve({ bytes, ms: performance.now() - started, error: error.message }));
    req.end();
  });
}

/**
 * A compressed answer relayed through the fallback and recorded: the answer itself is quick; the cost, if
 * any, comes when the recording decodes it. Waits (up to 90 s) until the exchange is in the recording.
 */
function decompressionBomb(kind: keyof typeof BOMBS): () => Promise<Result> {
  const id = `http-bomb-${kind === 'br' ? 'brotli' : 'gzip'}`;
  return async () => {
    const body = await bomb(kind);
    const label = `a recorded fallback answer of ${(body.length / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} KB ${kind === 'br' ? 'brotli' : 'gzip'} decoding to ${BOMBS[kind].decoded / GB} GiB of zeros`;
    const api = await upstream((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': kind, 'content-length': body.length });
      res.end(body);
    });
    const dir = tempDir();
    try {
      return await measured(id, label, { fallback: api.url, record: dir }, async (server, port) => {
        const sent = performance.now();
        const answer = await getRaw(port, '/bomb', 90_000);
        const deadline = performance.now() + 90_000;
        let recorded = holdsExchange(dir);
        while (!recorded && server.alive() && performance.now() < deadline) {
          await sleep(250);
          recorded = holdsExchange(dir);
        }
        const recordedS = round((performance.now() - sent) / 1000);
        const relayed = answer.error === undefined ? `HTTP ${answer.status}, ${answer.bytes.toLocaleString('en')} bytes relayed in ${round(answer.ms)} ms` : `the answer failed (${answer.error}) after ${round(answer.ms)} ms`;
        const kept = recorded ? `the exchange recorded ${recordedS} s after the request (${round(folderBytes(dir) / MB, 2)} MB on disk)` : `no exchange recorded within ${recordedS} s`;
        return { outcome: `${relayed}; ${kept}` };
      });
    } finally {
      api.close();
    }
  };
}

/** What the server says of its recording folder's cap (builds with `http.recordMaxBytes`), for the outcome. */
async function recordingBudget(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/admin/websocket/stats`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { data?: { recordings?: { bytes: number; maxBytes: number; full: boolean }[] } };
    const folder = body.data?.recordings?.[0];
    return folder === undefined ? '; no recording cap reported' : `; the folder's cap: ${round(folder.bytes / MB)} of ${round(folder.maxBytes / MB)} MB used${folder.full ? ', full: recording stopped' : ''}`;
  } catch {
    return '';
  }
}

/** POSTs `body` to `path` over `agent` until `until`; counts whole exchanges answered 200. */
async function postLoop(port: number, path: string, body: Buffer, agent: Agent, until: number): Promise<number> {
  let done = 0;
  while (performance.now() < until) {
    const status = await new Promise<number | undefined>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode));
      });
      req.once('error', () => resolve(undefined));
      req.end(body);
    });
    if (status === 200) done++;
    else await sleep(50);
  }
  return done;
}

/**
 * Four clients POST 1 MiB of zero bytes through a `forward` route to an API that echoes it, as fast as they
 * can for 10 s, with `http.record`: what the recording writes, in all and per MiB of body (each exchange
 * carries two: the request's and the answer's).
 */
async function recordingVolume(): Promise<Result> {
  const api = await upstream((body, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  const dir = tempDir();
  const route = { name: 'big', method: 'POST', path: '/big', then: [{ forward: api.url }] };
  try {
    return await measured('http-record-1mib', 'four clients POST 1 MiB of zero bytes through a recorded `forward` route (echoed back), 10 s', { routes: [route], record: dir, maxBodyBytes: 2 * MB }, async (_server, port) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      const started = performance.now();
      const counts = await Promise.all(Array.from({ length: 4 }, () => postLoop(port, '/big', Buffer.alloc(MB), agent, started + 10_000)));
      const seconds = (performance.now() - started) / 1000;
      agent.destroy();
      // What is still being written lands within a few seconds: wait until the folder stops growing (30 s at most).
      let bytes = folderBytes(dir);
      for (let i = 0; i < 60; i++) {
        await sleep(500);
        const now = folderBytes(dir);
        if (now === bytes) break;
        bytes = now;
      }
      const budget = await recordingBudget(port);
      const exchanges = counts.reduce((a, b) => a + b, 0);
      const perMiB = exchanges === 0 ? NaN : bytes / MB / (2 * exchanges);
      return { outcome: `${exchanges} exchanges in ${round(seconds)} s; ${round(bytes / MB)} MB on disk (${round(bytes / MB / seconds)} MB/s), ${round(perMiB, 2)} MB per MiB of body${budget}` };
    });
  } finally {
    api.close();
  }
}

export const HTTP_UPSTREAM_ATTACKS: { id: string; run: () => Promise<Result> }[] = [
  { id: 'http-bomb-gzip', run: decompressionBomb('gzip') },
  { id: 'http-bomb-brotli', run: decompressionBomb('br') },
  { id: 'http-record-1mib', run: recordingVolume },
];
