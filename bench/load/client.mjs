// The load client: runs in its own process so the server under test is what saturates. Plain JavaScript
// (no loader) and frames are counted, never decoded, so a client costs as little as the `ws` library allows.
//
// argv[2] is a JSON job; commands arrive on stdin one per line (start, measure, stop, exit) and results leave on
// stdout as one JSON object per line. The orchestrator (bench/run.ts) sends the same commands to every
// client process, so all of them measure the same window.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { countEvents, readLater } from './stream-reading.mjs';

const job = JSON.parse(process.argv[2] ?? '{}');
const report = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

/** Latency histogram in 10 us buckets up to 1 s: no per-sample allocation at 100,000 round trips/s. */
const BUCKET_NS = 10_000n;
const histogram = new Uint32Array(100_000);
let measuring = false;
let stopping = false;
/** Request-reply clients keep sending while this is true. */
let looping = true;
let frames = 0;
let roundTrips = 0;
let failures = 0;
let closedEarly = 0;
const sockets = [];

/** A `ws` client: used where replies are awaited and timed (request-reply). */
function openWs(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', () => {
      failures += 1;
      resolve(undefined);
    });
    ws.on('close', () => {
      if (!stopping) closedEarly += 1;
    });
  });
}

/** A client frame: masked, as RFC 6455 requires of clients, final. */
function clientFrame(opcode, payload) {
  const length = payload.length;
  const header = length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

/**
 * A bare TCP WebSocket client for held connections and fan-out: it answers pings and counts whole
 * messages from the frame headers without building a message, so thousands of them cost the load
 * process little and the server under test is what saturates.
 */
function openRaw(url) {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setNoDelay(true);
    let handshaken = false;
    let pending = Buffer.alloc(0);
    const conn = {
      send: (text) => socket.write(clientFrame(0x1, Buffer.from(text))),
      terminate: () => socket.destroy(),
    };
    const fail = () => {
      if (!handshaken) {
        failures += 1;
        handshaken = true;
        resolve(undefined);
      } else if (!stopping) closedEarly += 1;
    };
    socket.on('error', () => socket.destroy());
    socket.on('close', fail);
    socket.once('connect', () => {
      const key = randomBytes(16).toString('base64');
      // With job.deflate the client offers permessage-deflate, as browsers do; frames are still only counted.
      const extensions = job.deflate === true ? 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' : '';
      socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extensions}\r\n`);
    });
    socket.on('data', (chunk) => {
      let buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (!handshaken) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          pending = buffer;
          return;
        }
        if (!buffer.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) {
          socket.destroy();
          return;
        }
        handshaken = true;
        resolve(conn);
        buffer = buffer.subarray(end + 4);
      }
      let offset = 0;
      while (buffer.length - offset >= 2) {
        const first = buffer[offset];
        let length = buffer[offset + 1] & 0x7f;
        let header = 2;
        if (length === 126) {
          if (buffer.length - offset < 4) break;
          length = buffer.readUInt16BE(offset + 2);
          header = 4;
        } else if (length === 127) {
          if (buffer.length - offset < 10) break;
          length = buffer.readUInt32BE(offset + 2) * 2 ** 32 + buffer.readUInt32BE(offset + 6);
          header = 10;
        }
        if (buffer.length - offset < header + length) break;
        const opcode = first & 0x0f;
        if (opcode === 0x9) socket.write(clientFrame(0xa, buffer.subarray(offset + header, offset + header + length)));
        else if (opcode === 0x8) socket.end();
        else if ((first & 0x80) !== 0 && measuring) frames += 1;
        offset += header + length;
      }
      pending = offset === buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(offset));
    });
  });
}

/**
 * A bare TCP Server-Sent Events client: GETs the stream and counts events from the `event:` lines as the
 * bytes arrive (chunked framing and all), without parsing them, so thousands cost the load process little.
 */
function openSse(url) {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let handshaken = false;
    const state = { partial: 0 };
    const conn = { send: () => undefined, terminate: () => socket.destroy() };
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (!handshaken) {
        failures += 1;
        handshaken = true;
        resolve(undefined);
      } else if (!stopping) closedEarly += 1;
    });
    socket.once('connect', () => socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`));
    socket.on('data', (chunk) => {
      if (!handshaken) {
        if (!chunk.subarray(0, 12).toString().startsWith('HTTP/1.1 200')) return socket.destroy();
        handshaken = true;
        resolve(conn);
      }
      if (measuring) frames += countEvents(chunk, state);
      readLater(socket);
    });
  });
}

/** Opens `count` connections with at most `concurrency` handshakes in flight; resolves with the open ones. */
async function openMany(url, count, concurrency, open) {
  let next = 0;
  const opened = [];
  const worker = async () => {
    while (next < count) {
      next += 1;
      const ws = await open(url);
      if (ws !== undefined) opened.push(ws);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return opened;
}

/** The histogram's non-empty buckets as [bucket, count] pairs: the orchestrator adds up every process's. */
function histogramPairs() {
  const pairs = [];
  for (let i = 0; i < histogram.length; i++) if (histogram[i] > 0) pairs.push([i, histogram[i]]);
  return pairs;
}

function requestReply(ws) {
  let sentAt = 0n;
  const send = () => {
    sentAt = process.hrtime.bigint();
    ws.send(job.message);
  };
  ws.on('message', () => {
    // Greetings (a `connected` message) arrive before start; the loop begins with start's first send.
    if (sentAt === 0n) return;
    if (measuring) {
      roundTrips += 1;
      const bucket = Number((process.hrtime.bigint() - sentAt) / BUCKET_NS);
      histogram[Math.min(bucket, histogram.length - 1)] += 1;
    }
    if (looping) send();
  });
  return send;
}

/**
 * The orchestrator's window: start begins the load (a warm-up it times), measure opens the counted window,
 * stop closes it. Returns the seconds measured; `onMeasure` runs as the window opens.
 */
async function measuredWindow(start, onMeasure = () => undefined) {
  await command('start');
  start();
  await command('measure');
  onMeasure();
  measuring = true;
  const started = process.hrtime.bigint();
  await command('stop');
  measuring = false;
  looping = false;
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** What a load client reports of its window. */
function result(opened, seconds) {
  return { event: 'result', opened, failures, closedEarly, seconds, frames, roundTrips, histogram: histogramPairs() };
}

async function main() {
  const concurrency = job.concurrency ?? 200;
  if (job.mode === 'storm') {
    report({ event: 'ready' });
    await command('start');
    const started = process.hrtime.bigint();
    const opened = await openMany(job.url, job.clients, concurrency, openRaw);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    stopping = true;
    for (const ws of opened) ws.terminate();
    report({ event: 'result', opened: opened.length, failures, ms });
    return;
  }

  sockets.push(...(await openMany(job.url, job.clients, concurrency, job.mode === 'rr' ? openWs : job.mode === 'sse' ? openSse : openRaw)));
  const starters = [];
  for (const ws of sockets) {
    if (job.mode === 'rr') starters.push(requestReply(ws));
    else if (job.mode === 'sse') continue;
    else for (const message of job.subscribe ?? []) ws.send(message);
  }
  report({ event: 'ready', opened: sockets.length, failures });
  const seconds = await measuredWindow(() => {
    for (const start of starters) start();
  });
  report(result(sockets.length, seconds));
  await command('exit');
  stopping = true;
  for (const ws of sockets) ws.terminate();
}

// Commands can arrive together in one chunk (start and measure with no warm-up between them), before the
// code that waits for the second one runs: remember every command received, not only the awaited ones.
const lines = createInterface({ input: process.stdin });
const received = new Set();
const waiting = new Map();
lines.on('line', (line) => {
  const name = line.trim();
  received.add(name);
  waiting.get(name)?.();
  waiting.delete(name);
});
// The orchestrator going away (stdin closed) ends the client too: nothing outlives a bench run.
lines.on('close', () => process.exit(0));

function command(name) {
  if (received.has(name)) return Promise.resolve();
  return new Promise((resolve) => waiting.set(name, resolve));
}

main().then(
  () => process.exit(0),
  (error) => {
    report({ event: 'error', message: String(error?.stack ?? error) });
    process.exit(1);
  },
);
