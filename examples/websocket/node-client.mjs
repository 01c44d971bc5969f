// A Node.js client for mockwave's guide dialect, with the `ws` package.
//
//   node examples/websocket/node-client.mjs [url] [events]
//
// Subscribes to `ticker`, asks for one `notifications` response, pings, prints what arrives, and exits
// after [events] ticker events (default 5), closing with 1000.
import WebSocket from 'ws';

const url = process.argv[2] ?? 'ws://localhost:3000/ws';
const wanted = Number(process.argv[3] ?? 5);
const socket = new WebSocket(url);
let events = 0;

socket.on('open', () => {
  socket.send(JSON.stringify({ type: 'subscribe', event: 'ticker' }));
  socket.send(JSON.stringify({ type: 'request', event: 'notifications' }));
  socket.send(JSON.stringify({ type: 'ping' }));
});

socket.on('message', (raw) => {
  const message = JSON.parse(raw.toString());
  switch (message.type) {
    case 'connected':
      console.log(`connected as ${message.clientId}`);
      break;
    case 'event':
      // Ticks already on their way while the close handshake runs are not counted or printed.
      if (events >= wanted) break;
      console.log(`event ${message.name}: ${JSON.stringify(message.data)}`);
      events += 1;
      if (events >= wanted) socket.close(1000, 'done');
      break;
    case 'response':
      console.log(`response ${message.event}: ${JSON.stringify(message.data)}`);
      break;
    case 'error':
      console.error(`error ${message.code}: ${message.error}`);
      break;
    default:
      console.log(message.type);
  }
});

socket.on('close', (code) => {
  console.log(`closed ${code}`);
  process.exitCode = code === 1000 ? 0 : 1;
});
socket.on('error', (error) => {
  console.error(`cannot connect to ${url}: ${error.message}`);
  process.exitCode = 1;
});
