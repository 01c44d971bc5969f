// A Node.js client that survives a flaky connection: it reconnects with exponential backoff and full jitter,
// subscribes again on every connection, and counts what it received. Run it against a mock with faults:
//
//   npx mockwave examples/websocket/flaky.yaml
//   node examples/websocket/reconnecting-client.mjs ws://localhost:3000/ws 20
//
// It exits after [events] ticker events in all (default 20), closing with 1000. The backoff doubles with each
// attempt that follows a connection that did not last (base 100 ms, at most 5 s; BACKOFF_BASE_MS and
// BACKOFF_MAX_MS change them), and is reset once a connection has stayed up for STABLE_MS (default 2 s).
import WebSocket from 'ws';

const url = process.argv[2] ?? 'ws://localhost:3000/ws';
const wanted = Number(process.argv[3] ?? 20);
const base = Number(process.env.BACKOFF_BASE_MS ?? 100);
const max = Number(process.env.BACKOFF_MAX_MS ?? 5000);
const stableMs = Number(process.env.STABLE_MS ?? 2000);

let events = 0;
let attempt = 0;
let connections = 0;

function connect() {
  const socket = new WebSocket(url);
  let openedAt;
  socket.on('open', () => {
    openedAt = Date.now();
    connections += 1;
    console.log(`connection ${connections}`);
    socket.send(JSON.stringify({ type: 'subscribe', event: 'ticker' }));
  });
  socket.on('message', (raw) => {
    let message;
    try {
      message = JSON.parse(raw.toString());
    } catch {
      // A corrupted message is skipped, not fatal: the next one may well be whole.
      console.log('skipped a message that is not JSON');
      return;
    }
    if (message.type === 'subscribed') console.log(`subscribed ${message.event}`);
    if (message.type !== 'event' || events >= wanted) return;
    events += 1;
    console.log(`event ${events}: ${JSON.stringify(message.data)}`);
    if (events >= wanted) socket.close(1000, 'done');
  });
  // Without a listener an error would be thrown; the close that follows decides what to do.
  socket.on('error', () => {});
  socket.on('close', (code) => {
    if (events >= wanted) {
      console.log(`done after ${connections} connection(s)`);
      return;
    }
    // A connection that lasted resets the backoff; one cut early makes the next wait longer.
    if (openedAt !== undefined && Date.now() - openedAt >= stableMs) attempt = 0;
    attempt += 1;
    const ceiling = Math.min(max, base * 2 ** (attempt - 1));
    const delay = Math.floor(Math.random() * ceiling);
    console.log(`closed ${code}; reconnect ${attempt} in ${delay} ms (at most ${ceiling})`);
    setTimeout(connect, delay);
  });
}

connect();
