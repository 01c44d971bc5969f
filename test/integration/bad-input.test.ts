import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/index.ts';
import { startServer, tickerEndpoint } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const BAD: [string, string | Buffer, RegExp][] = [
  ['invalid JSON', '{"type":', /^Invalid JSON: /],
  ['a missing event', '{"type":"subscribe"}', /^Invalid subscribe message: missing "event"$/],
  ['an unknown type', '{"type":"teleport"}', /^Unknown message type: teleport \(expected subscribe, unsubscribe, request or ping\)$/],
  ['a binary frame', Buffer.from([0xde, 0xad, 0xbe, 0xef]), /^Binary messages are accepted only as UTF-8 JSON on this endpoint: send JSON, as text or binary$/],
  ['binary UTF-8 that is not JSON', Buffer.from('hello'), /^Binary messages are accepted only as UTF-8 JSON/],
  ['a non-object JSON value', '"just a string"', /^Invalid message: expected a JSON object, got a string$/],
  ['an array', '[{"type":"ping"}]', /^Invalid message: expected a JSON object, got an array$/],
  ['an event name of 10,000 characters', JSON.stringify({ type: 'subscribe', event: 'e'.repeat(10_000) }), /^Invalid subscribe message: "event" is longer than 256 characters \(10000\)$/],
  ['a wrongly typed event', '{"type":"request","event":{"a":1}}', /^Invalid request message: "event" must be a string, got an object$/],
];

describe('bad input', () => {
  it('answers each bad message with a precise error, keeps the connection usable, and disturbs no other client', async () => {
    const clock = new ManualClock();
    const { ws, server } = await startServer({ endpoints: [tickerEndpoint], websocket: { heartbeatInterval: 0 } }, { clock });
    const bystander = await wsConnect(ws());
    await bystander.nextOfType('connected');
    bystander.send({ type: 'subscribe', event: 'ticker' });
    await bystander.nextOfType('subscribed');
    await bystander.nextOfType('event');

    const offender = await wsConnect(ws());
    await offender.nextOfType('connected');
    for (const [name, input, pattern] of BAD) {
      offender.send(input);
      const reply = await offender.next();
      assert.equal(reply['type'], 'error', name);
      assert.match(String(reply['error']), pattern, name);
      assert.match(String(reply['timestamp']), /Z$/);
      // The connection still works after every bad message.
      offender.send({ type: 'ping' });
      assert.equal((await offender.next())['type'], 'pong', `usable after ${name}`);
      // The bystander's stream has no gap: exactly one event per tick.
      clock.advance(50);
      assert.equal((await bystander.next())['type'], 'event', `bystander after ${name}`);
    }
    assert.equal(bystander.pending, 0);
    assert.equal(server.stats().connectedClients, 2);
    await Promise.all([offender.close(), bystander.close()]);
  });

  it('closes a message over maxPayload with 1009 and keeps serving others', async () => {
    const { ws } = await startServer({ endpoints: [tickerEndpoint], websocket: { maxPayload: 1024 } });
    const bystander = await wsConnect(ws());
    await bystander.nextOfType('connected');
    const big = await wsConnect(ws());
    await big.nextOfType('connected');
    big.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(2048) }));
    const { code } = await big.closed();
    assert.equal(code, 1009);
    bystander.send({ type: 'ping' });
    assert.equal((await bystander.next())['type'], 'pong');
    // Exactly at the limit is still fine.
    const edge = JSON.stringify({ type: 'ping', pad: '' });
    bystander.send(edge.replace('""', `"${'y'.repeat(1024 - edge.length)}"`));
    assert.equal((await bystander.next())['type'], 'pong');
    await bystander.close();
  });

  it('closes a text frame that is not valid UTF-8 with 1007', async () => {
    const { ws } = await startServer({ endpoints: [tickerEndpoint] });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    // ws refuses to send invalid UTF-8 as text itself, so frame it by hand on the underlying socket.
    const socket = (client.ws as unknown as { _socket: Socket })._socket;
    const payload = Buffer.from([0xc3, 0x28]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    assert.equal((await client.closed()).code, 1007);
  });
});
