// The HTTP baseline: the code a developer would write with `node:http` alone to answer each HTTP row's request,
// with nothing mockwave adds. Plain JavaScript so its start-up is Node's own. The bodies and paths are the
// bench's (bench/lib/http-work.ts); the mode is the row's.
//
//   node bench/peers/bare-http.mjs <port> [route]   GET /api/orders/:id -> {"id","status","qty","at"} built per request
//   node bench/peers/bare-http.mjs <port> static    GET /api/status -> a fixed JSON body
//   node bench/peers/bare-http.mjs <port> post      POST /api/orders: the body read, a small fixed JSON answered
//   node bench/peers/bare-http.mjs <port> post-when the same, answered only when the content-type says JSON and
//                                                   the parsed body's type is "order" (else 404), as a route's
//                                                   `when` on headers and body asks
import { createServer } from 'node:http';

const [portArg, mode = 'route'] = process.argv.slice(2);
const ROUTE = /^\/api\/orders\/([^/]+)$/;
const STATUSES = ['open', 'filled'];
const STATIC_BODY = JSON.stringify({ service: 'orders', status: 'ok', version: '1.4.2', region: 'eu-west-1', features: ['orders', 'fills', 'quotes'] });
const ACCEPTED = JSON.stringify({ accepted: true, queue: 'orders' });
const JSON_TYPE = 'application/json; charset=utf-8';

function send(res, status, body) {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const notFound = (res) => send(res, 404, '{"error":"not found"}');

function route(req, res) {
  const found = req.method === 'GET' ? ROUTE.exec(new URL(req.url ?? '/', 'http://localhost').pathname) : null;
  if (found === null) return notFound(res);
  const body = JSON.stringify({
    id: decodeURIComponent(found[1]),
    status: STATUSES[Math.floor(Math.random() * STATUSES.length)],
    qty: 1 + Math.floor(Math.random() * 10),
    at: new Date().toISOString(),
  });
  send(res, 200, body);
}

function staticBody(req, res) {
  if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://localhost').pathname !== '/api/status') return notFound(res);
  send(res, 200, STATIC_BODY);
}

/** Reads the whole body, as every handler that looks at it must. */
function readBody(req, done) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
}

function post(req, res, matching) {
  if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== '/api/orders') return notFound(res);
  if (matching && !/json/i.test(req.headers['content-type'] ?? '')) return notFound(res);
  readBody(req, (text) => {
    if (matching) {
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return notFound(res);
      }
      if (body?.type !== 'order') return notFound(res);
    }
    send(res, 200, ACCEPTED);
  });
}

const HANDLERS = {
  route,
  static: staticBody,
  post: (req, res) => post(req, res, false),
  'post-when': (req, res) => post(req, res, true),
};
const handler = HANDLERS[mode];
if (handler === undefined) throw new Error(`unknown mode ${mode}: one of ${Object.keys(HANDLERS).join(', ')}`);

const server = createServer(handler);
server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
