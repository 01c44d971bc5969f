// The Server-Sent Events baseline: what a developer would write with `node:http` alone to broadcast one
// stream to every connected EventSource, with nothing mockwave adds (no config, no ids kept, no limits).
// Plain JavaScript so its start-up is Node's own.
//
//   node bench/peers/bare-sse.mjs <port> <interval-ms> [held]
//                                     GET /events: an event s0 every interval, to all; `held`: the events
//                                     start on SIGUSR2 (the bench sends it once every client is connected)
import { createServer } from 'node:http';

const [portArg, intervalArg = '10', holdArg = 'now'] = process.argv.slice(2);
const clients = new Set();
const server = createServer((req, res) => {
  if (req.method !== 'GET' || !req.url?.startsWith('/events')) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write('retry: 3000\n\n');
  clients.add(res);
  res.on('close', () => clients.delete(res));
});

let id = 0;
let price = 100;
const broadcast = () =>
  setInterval(() => {
    price += Math.random() - 0.5;
    id += 1;
    const frame = `id: ${id}\nevent: s0\ndata: ${JSON.stringify({ symbol: 'AAPL', price: Math.round(price * 100) / 100 })}\n\n`;
    for (const res of clients) res.write(frame);
  }, Number(intervalArg));
if (holdArg === 'held') process.once('SIGUSR2', broadcast);
else broadcast();

server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
