// The soak's clients, in their own process: `stayers` connect once and check that the `seq` stream's
// counter never skips or repeats; `churners` are closed (half cleanly, half by dropping the socket) and
// reopened all the time, subscribing to random streams. Prints a JSON line of counters every second and
// a final one when stdin closes or says "stop"; then exits, closing everything.
//
//   node bench/soak/clients.mjs '{"url":"ws://127.0.0.1:3000/ws","stayers":800,"churners":200,"churnPerSecond":100}'
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const job = JSON.parse(process.argv[2] ?? '{}');
const STREAMS = ['seq', 'ticker', 'news', 'big'];
const counts = { opened: 0, failed: 0, churned: 0, checked: 0, gaps: 0, repeats: 0, stayersLost: 0, errors: 0 };
const stayers = new Set();
const churners = new Set();
let stopping = false;

function open(onMessage) {
  return new Promise((resolve) => {
    const ws = new WebSocket(job.url, { perMessageDeflate: false });
    ws.once('open', () => {
      counts.opened += 1;
      resolve(ws);
    });
    ws.once('error', () => {
      counts.failed += 1;
      resolve(undefined);
    });
    ws.on('message', onMessage);
  });
}

async function addStayer() {
  let last;
  const ws = await open((raw) => {
    const message = JSON.parse(raw.toString());
    if (message.type === 'error') counts.errors += 1;
    if (message.type !== 'event' || message.name !== 'seq') return;
    const n = message.data.n;
    // The first is the subscribe snapshot (the current tick); every later tick must be exactly one more.
    if (last === undefined) {
      last = n;
      return;
    }
    counts.checked += 1;
    if (n === last) counts.repeats += 1;
    else if (n !== last + 1) counts.gaps += 1;
    last = n;
  });
  if (ws === undefined) return;
  stayers.add(ws);
  ws.on('close', () => {
    stayers.delete(ws);
    if (!stopping) counts.stayersLost += 1;
  });
  ws.send(JSON.stringify({ type: 'subscribe', event: 'seq' }));
  ws.send(JSON.stringify({ type: 'subscribe', event: 'ticker' }));
}

async function addChurner() {
  const ws = await open(() => undefined);
  if (ws === undefined) return;
  churners.add(ws);
  ws.on('close', () => churners.delete(ws));
  for (const stream of STREAMS) if (Math.random() < 0.5) ws.send(JSON.stringify({ type: 'subscribe', event: stream }));
}

const report = (event) => process.stdout.write(`${JSON.stringify({ event, stayers: stayers.size, churners: churners.size, ...counts })}\n`);

async function main() {
  for (let i = 0; i < job.stayers; i += 100) await Promise.all(Array.from({ length: Math.min(100, job.stayers - i) }, addStayer));
  for (let i = 0; i < job.churners; i += 100) await Promise.all(Array.from({ length: Math.min(100, job.churners - i) }, addChurner));
  report('ready');
  const churn = setInterval(() => {
    let n = 0;
    for (const ws of [...churners]) {
      if (n++ >= job.churnPerSecond / 10) break;
      // Out of the pool before it is closed: a closing socket must not be picked (and counted) again.
      churners.delete(ws);
      if (n % 2 === 0) ws.close(1000);
      else ws.terminate();
      counts.churned += 1;
      void addChurner();
    }
  }, 100);
  const tick = setInterval(() => report('progress'), 1000);
  await new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => line.trim() === 'stop' && resolve());
    lines.on('close', resolve);
  });
  stopping = true;
  clearInterval(churn);
  clearInterval(tick);
  report('final');
  for (const ws of [...stayers, ...churners]) ws.close(1000);
  setTimeout(() => process.exit(0), 2000).unref();
}

void main();
