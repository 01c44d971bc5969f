// The calibration servers: the least a server can do for each kind of row, so the same load client run against
// them shows the most that client (with Node's own stack under the server) can measure. A server under test close
// to its calibration figure is limited by the measuring, not by its own work (docs/benchmarks.md, "Load clients
// and calibration"). Every answer is a constant built once at start; nothing is parsed, routed or rendered.
//
//   node bench/peers/calibrate.mjs <port> http                      every request -> 200 and a constant JSON
//   node bench/peers/calibrate.mjs <port> ws-reply                  every WebSocket message -> one constant frame
//   node bench/peers/calibrate.mjs <port> ws-broadcast <streams> <interval-ms>
//                                                                   <streams> timers, each writing one constant
//                                                                   frame to every client that has subscribed
//   node bench/peers/calibrate.mjs <port> sse <interval-ms> [held]  GET -> an event stream; one constant event
//                                                                   written to every response each interval
//                                                                   (`held`: from SIGUSR2 on, as bare-sse.mjs)
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, Sender } from 'ws';

const [portArg, mode = 'http', firstArg = '1', secondArg = '10', ] = process.argv.slice(2);

/** A server-to-client text frame (unmasked), framed once: the same bytes go to every socket. */
const frameOf = (text) => Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, opcode: 0x1, mask: false, readOnly: true, rsv1: false }));

// A body of the size the HTTP rows answer (70-110 bytes), so the bytes moved are alike.
const HTTP_BODY = Buffer.from('{"id":"42","status":"open","qty":5,"at":"2026-12-02T12:00:00.000Z","note":"calibration"}');
const HTTP_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': HTTP_BODY.length };

/**
 * Calls `send(n)` every `interval` ms with the number of ticks due since the start: a tick that runs late (a
 * write to thousands of sockets takes longer than 10 ms on a busy machine) sends what it missed in the same
 * write, so this server is not what limits the events delivered; the load client is (mockwave's streams catch
 * up the same way). Held back until SIGUSR2 when `held` (the bench connects every client first).
 */
function ticker(interval, held, send) {
  const start = () => {
    const started = performance.now();
    let sent = 0;
    setInterval(() => {
      const due = Math.floor((performance.now() - started) / interval) - sent;
      if (due <= 0) return;
      sent += due;
      send(Math.min(due, 100));
    }, interval);
  };
  if (held) process.once('SIGUSR2', start);
  else start();
}

/** `buffer` repeated `n` times, built once per count. */
const repeats = new Map();
function repeated(buffer, n) {
  let joined = repeats.get(n);
  if (joined === undefined) repeats.set(n, (joined = Buffer.concat(Array.from({ length: n }, () => buffer))));
  return joined;
}

let server;
if (mode === 'http') {
  server = createServer((_req, res) => {
    // The request body (POST rows) is left unread: node:http discards it when the answer ends.
    res.writeHead(200, HTTP_HEADERS);
    res.end(HTTP_BODY);
  });
} else if (mode === 'sse') {
  const EVENT = 'id: 1\nevent: s0\ndata: {"symbol":"AAPL","price":100.25}\n\n';
  // One HTTP chunk, built once and written straight to each socket (what mockwave does too): the response's own
  // write would frame the chunk anew for every client, which is work.
  const CHUNK = Buffer.from(`${Buffer.byteLength(EVENT).toString(16)}\r\n${EVENT}\r\n`);
  const clients = new Set();
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    clients.add(res.socket);
    res.on('close', () => clients.delete(res.socket));
  });
  ticker(Number(firstArg), secondArg === 'held', (n) => {
    const chunks = repeated(CHUNK, n);
    for (const socket of clients) socket.write(chunks);
  });
} else if (mode === 'ws-reply' || mode === 'ws-broadcast') {
  server = createServer((_req, res) => res.end('calibration\n'));
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  if (mode === 'ws-reply') {
    const REPLY = frameOf('{"type":"reply","status":"ok","at":"2026-12-02T12:00:00.000Z"}');
    // ws parses the client's masked frames (that is the least a WebSocket server must do); the answer is written
    // to the socket as is. `_socket` is ws's own field: the constant frame needs no sender.
    wss.on('connection', (ws) => ws.on('message', () => ws._socket.write(REPLY)));
  } else {
    const EVENT = frameOf('{"type":"event","name":"s0","data":{"symbol":"AAPL","price":100.25},"timestamp":"2026-12-02T12:00:00.000Z"}');
    // Only to clients that have subscribed (sent anything), as mockwave's streams go only to subscribers: the
    // load client subscribes once all its connections are open, so the set-up is not slowed by a broadcast to
    // the first thousand while the rest connect (fan-out-10's clients did not all connect within 120 s).
    const subscribed = new Set();
    wss.on('connection', (ws) => {
      ws.once('message', () => subscribed.add(ws._socket));
      ws.once('close', () => subscribed.delete(ws._socket));
    });
    for (let s = 0; s < Number(firstArg); s++) {
      ticker(Number(secondArg), false, (n) => {
        const frames = repeated(EVENT, n);
        for (const socket of subscribed) socket.write(frames);
      });
    }
  }
} else {
  throw new Error(`unknown calibration mode ${mode}`);
}

server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
