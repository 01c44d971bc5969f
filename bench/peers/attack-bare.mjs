// The attack bench's bare peer: `node:http` and `ws` with nothing mockwave adds, taking the command line the
// attack bench gives a mockwave build (`--port N`, the rest ignored). GET anything -> "pong"; a WebSocket
// at any path answers every message with {"type":"pong"}, so both bystanders work against it.
//
//   npm run bench:attacks -- --bin bench/peers/attack-bare.mjs --only http-pipeline
//
// Attacks that need mockwave's own features (routes, recording, files) mean nothing against it.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('pong');
});
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => ws.on('message', () => ws.send('{"type":"pong"}')));
server.listen(port, '127.0.0.1');
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
