// The baseline: the code a developer would write with `ws` alone to do the same work as mockwave, with
// nothing mockwave adds (no config, no dialect, no hub). Plain JavaScript so its start-up is Node's own.
//
//   node bench/peers/bare-ws.mjs <port> pingpong        {"type":"ping"} -> {"type":"pong","timestamp"}
//   node bench/peers/bare-ws.mjs <port> echo            every message back as it came
//   node bench/peers/bare-ws.mjs <port> fill            the templated reply written by hand: {"type":"order",…} ->
//                                                        {"type":"fill", id, symbol, qty, price, at}
//   node bench/peers/bare-ws.mjs <port> broadcast <streams> <interval-ms> 0 [deflate]
//                                                        <streams> timers; each tick is stringified once and
//                                                        sent to every client in a loop (the naive broadcast);
//                                                        `deflate` compresses every message (threshold 0)
//   node bench/peers/bare-ws.mjs <port> idle 1 10 <heartbeat-ms>
//                                                        holds connections, pinging them as ws's README shows
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const [portArg, mode = 'pingpong', streamsArg = '1', intervalArg = '10', heartbeatArg = '0', deflateArg = 'plain'] = process.argv.slice(2);
const server = createServer((_req, res) => res.end('bare ws\n'));
const wss = new WebSocketServer({ server, perMessageDeflate: deflateArg === 'deflate' ? { threshold: 0 } : false });

wss.on('connection', (ws) => {
  ws.on('error', () => ws.terminate());
  if (mode === 'pingpong') {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong', timestamp: new Date().toISOString() }));
    });
  } else if (mode === 'echo') {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  } else if (mode === 'fill') {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'cancel') ws.send('{"type":"cancelled"}');
      else if (message.type === 'order') {
        const price = Math.round((99 + Math.random() * 2) * 100) / 100;
        ws.send(JSON.stringify({ type: 'fill', id: randomUUID(), symbol: message.symbol, qty: message.qty, price, at: new Date().toISOString() }));
      }
    });
  }
});

if (mode === 'broadcast') {
  for (let s = 0; s < Number(streamsArg); s++) {
    let price = 100;
    setInterval(() => {
      price += Math.random() - 0.5;
      const text = JSON.stringify({ type: 'event', name: `s${s}`, data: { symbol: 'AAPL', price: Math.round(price * 100) / 100 }, timestamp: new Date().toISOString() });
      for (const client of wss.clients) client.send(text);
    }, Number(intervalArg));
  }
}

// Heartbeats as the ws README shows them, for the held-connections scenario.
if (Number(heartbeatArg) > 0) {
  setInterval(() => {
    for (const client of wss.clients) {
      if (client.isAlive === false) {
        client.terminate();
        continue;
      }
      client.isAlive = false;
      client.ping();
    }
  }, Number(heartbeatArg));
  wss.on('connection', (ws) => {
    ws.isAlive = true;
    ws.on('pong', () => {
      ws.isAlive = true;
    });
  });
}

server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
