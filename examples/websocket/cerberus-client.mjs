// A Cerberus dashboard client with Node's own WebSocket (undici, built into Node; on Node 20 run it with
// --experimental-websocket). Start the server with `npx mockwave --preset cerberus` first.
//
//   node --experimental-websocket examples/websocket/cerberus-client.mjs [url] [messages]
//
// Subscribes to the `alerts` and `metrics` topics, sends a heartbeat, prints each message's type and a
// summary, and exits after [messages] messages (default 10).
/* global WebSocket -- Node's own client, global from Node 22 (Node 20: --experimental-websocket) */
const url = process.argv[2] ?? 'ws://localhost:3001';
const wanted = Number(process.argv[3] ?? 10);
if (typeof WebSocket === 'undefined') {
  console.error('This Node has no global WebSocket: run with --experimental-websocket (Node 20) or use Node 22+.');
  process.exit(2);
}
const socket = new WebSocket(url);
let seen = 0;

socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ type: 'subscribe', payload: { topics: ['alerts', 'metrics'] } }));
  socket.send(JSON.stringify({ type: 'heartbeat', payload: {} }));
});

socket.addEventListener('message', (event) => {
  const { type, payload } = JSON.parse(String(event.data));
  if (type === 'event') console.log(`event ${payload.severity} ${payload.eventType}: ${payload.message}`);
  else if (type === 'metric') console.log(`metric ${payload.metricId} = ${payload.value}`);
  else if (type === 'pong') console.log(`pong for ${payload.clientId}`);
  else console.log(type);
  seen += 1;
  if (seen >= wanted) socket.close(1000);
});

socket.addEventListener('close', (event) => {
  console.log(`closed ${event.code}`);
  process.exitCode = seen >= wanted ? 0 : 1;
});
socket.addEventListener('error', () => {
  console.error(`cannot connect to ${url}`);
  process.exitCode = 1;
});
