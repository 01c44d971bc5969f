/**
 * The broadcast path writes framed bytes below ws and coalesces a client's messages of one event-loop turn
 * into one write (src/transport/frame-writer.ts). Through real sockets: ten streams ticking together,
 * a payload large enough for a 64-bit length, and replies interleaved with broadcasts all arrive whole,
 * in order, with nothing lost or repeated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

interface Event {
  type: string;
  name?: string;
  data?: { n: number; pad?: string };
}

describe('fan-out', () => {
  it('ten streams on the same interval reach every subscriber whole, in order, each tick once', async () => {
    const streams = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, interval: 20, data: { n: '{{counter}}' } }));
    const { ws } = await startServer({ websocket: { heartbeatInterval: 0 }, endpoints: [{ path: '/ws', dialect: 'guide', streams }] });
    const clients = await Promise.all([1, 2, 3].map(() => wsConnect(ws())));
    for (const client of clients) {
      await client.nextOfType('connected');
      for (const s of streams) client.send({ type: 'subscribe', event: s.name });
    }
    for (const client of clients) {
      const last = new Map<string, number>();
      let events = 0;
      // Bounded: 400 events is 40 ticks of each stream, under a second at 20 ms.
      while (events < 400) {
        const message = await client.next<Event>();
        if (message.type !== 'event') continue;
        events += 1;
        const name = message.name as string;
        const n = message.data?.n as number;
        const previous = last.get(name);
        // The first event of a stream is the subscribe snapshot; after it each tick is exactly one more: a gap
        // or a repeat fails.
        if (previous !== undefined) assert.equal(n, previous + 1, `${name}: ${previous} then ${n}`);
        last.set(name, n);
      }
      assert.equal(last.size, 10);
    }
    await Promise.all(clients.map((c) => c.close()));
  });

  it('a payload over 64 KiB and replies sent between broadcasts keep their bytes and order', async () => {
    const pad = 'x'.repeat(70_000);
    const { ws } = await startServer({
      websocket: { heartbeatInterval: 0 },
      endpoints: [{ path: '/ws', dialect: 'guide', streams: [{ name: 'big', interval: 15, data: { n: '{{counter}}', pad } }] }],
    });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'big' });
    let last: number | undefined;
    let pongs = 0;
    for (let i = 0; i < 60; i++) {
      if (i % 3 === 0) client.send({ type: 'ping' });
      const message = await client.next<Event>();
      if (message.type === 'pong') pongs += 1;
      if (message.type !== 'event') continue;
      assert.equal(message.data?.pad, pad);
      const n = message.data?.n as number;
      if (last !== undefined) assert.equal(n, last + 1, `${last} then ${n}`);
      last = n;
    }
    assert.ok(pongs > 0, 'pings were answered among the broadcasts');
    await client.close();
  });
});
