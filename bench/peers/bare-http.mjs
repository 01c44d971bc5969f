// The HTTP baseline: the code a developer would write with `node:http` alone to answer the benchmark's
// templated JSON route (one path parameter, a pick, a random int, the time), with nothing mockwave adds.
// Plain JavaScript so its start-up is Node's own.
//
//   node bench/peers/bare-http.mjs <port>      GET /api/orders/:id -> {"id","status","qty","at"}
import { createServer } from 'node:http';

const [portArg] = process.argv.slice(2);
const ROUTE = /^\/api\/orders\/([^/]+)$/;
const STATUSES = ['open', 'filled'];

const server = createServer((req, res) => {
  const found = req.method === 'GET' ? ROUTE.exec(new URL(req.url ?? '/', 'http://localhost').pathname) : null;
  if (found === null) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
    return;
  }
  const body = JSON.stringify({
    id: decodeURIComponent(found[1]),
    status: STATUSES[Math.floor(Math.random() * STATUSES.length)],
    qty: 1 + Math.floor(Math.random() * 10),
    at: new Date().toISOString(),
  });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});

server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
