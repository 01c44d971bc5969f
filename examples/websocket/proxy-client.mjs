// Through mockwave's proxy: a client talks to /ws/proxy/<route> and mockwave relays every frame to the
// route's upstream and back (recording it with --record). Start mockwave with a route first, e.g.
//
//   WEBSOCKET_PROXY_ENABLED=true WEBSOCKET_PROXY_ROUTES=echo:ws://127.0.0.1:8080 npx mockwave
//   node examples/websocket/proxy-client.mjs ws://localhost:3000/ws/proxy/echo
//
// Waits for `proxy_connected`, sends three messages, prints what comes back, and closes.
import WebSocket from 'ws';

const url = process.argv[2] ?? 'ws://localhost:3000/ws/proxy/echo';
const socket = new WebSocket(url);
const messages = ['hello', JSON.stringify({ type: 'order', qty: 1 }), 'bye'];
let answered = 0;

socket.on('message', (raw, isBinary) => {
  const text = raw.toString();
  if (!isBinary && text.startsWith('{"type":"proxy_connected"')) {
    console.log(`proxy connected: ${JSON.parse(text).routeName}`);
    for (const message of messages) socket.send(message);
    return;
  }
  console.log(`upstream says: ${isBinary ? `${raw.length} bytes` : text}`);
  answered += 1;
  if (answered === messages.length) socket.close(1000);
});

socket.on('close', (code, reason) => {
  console.log(`closed ${code}${reason.length > 0 ? ` ${reason}` : ''}`);
  process.exitCode = answered === messages.length ? 0 : 1;
});
socket.on('error', (error) => {
  console.error(`cannot connect to ${url}: ${error.message}`);
  process.exitCode = 1;
});
