import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfig } from '../../src/config/validate.ts';
import { ManualClock } from '../../src/index.ts';
import { launchServer, startServer } from '../helpers/server.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';

const script = [
  { delay: 100, data: { step: 'a', n: '{{counter}}' } },
  { delay: 200, data: { step: 'b' } },
];

/** The step names of every message until the line goes quiet (raw messages carry `step` at the top). */
async function steps(client: WsTestClient): Promise<string[]> {
  return (await client.drain<{ data?: { step: string }; step?: string }>()).map((m) => m.data?.step ?? m.step ?? '?');
}

describe('scripted sequences', () => {
  it('shared: each step after its delay, once; looped: again and again', async () => {
    const clock = new ManualClock();
    const { ws, info } = await startServer(
      {
        websocket: { heartbeatInterval: 0 },
        endpoints: [{ path: '/ws', streams: [{ name: 'once', sequence: script }, { name: 'loop', sequence: script, loop: true }] }],
      },
      { clock },
    );
    assert.deepEqual(info.endpoints[0]?.streams.map((s) => s.interval), ['sequence of 2 steps', 'sequence of 2 steps, looped']);
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'once' });
    client.send({ type: 'subscribe', event: 'loop' });
    await client.nextOfType('subscribed');
    await client.nextOfType('subscribed');
    clock.advance(1000);
    // A snapshot of a script shows its first step without advancing it, then the script plays on time.
    // After the two acks (the first snapshot was skipped with them): loop's snapshot, then both scripts on
    // time: a at 100 (both), b at 300 (both), then only the looped one: a 400, b 600, a 700, b 900, a 1000.
    assert.deepEqual(await steps(client), ['a', 'a', 'a', 'b', 'b', 'a', 'b', 'a', 'b', 'a']);
    client.send({ type: 'unsubscribe', event: 'loop' });
    await client.nextOfType('unsubscribed');
    clock.advance(1000);
    assert.deepEqual(await steps(client), []);
    await client.close();
  });

  it('per subscriber: every client gets the script from its first step, with its own counters', async () => {
    const clock = new ManualClock();
    const { ws } = await startServer(
      { websocket: { heartbeatInterval: 0 }, endpoints: [{ path: '/ws', streams: [{ name: 'tour', sequence: script, mode: 'perSubscriber' }] }] },
      { clock },
    );
    const first = await wsConnect(ws());
    await first.nextOfType('connected');
    first.send({ type: 'subscribe', event: 'tour' });
    await first.nextOfType('subscribed');
    clock.advance(150);
    assert.deepEqual((await first.nextOfType<{ data: unknown }>('event')).data, { step: 'a', n: 1 });
    const second = await wsConnect(ws());
    await second.nextOfType('connected');
    second.send({ type: 'subscribe', event: 'tour' });
    await second.nextOfType('subscribed');
    clock.advance(100);
    assert.deepEqual((await second.nextOfType<{ data: unknown }>('event')).data, { step: 'a', n: 2 });
    clock.advance(1000);
    assert.deepEqual(await steps(first), ['b']);
    assert.deepEqual(await steps(second), ['b']);
    await Promise.all([first.close(), second.close()]);
  });

  it('raw clients start per-subscriber scripts when they connect', async () => {
    const { ws } = await startServer({ endpoints: [{ path: '/raw', dialect: 'raw', streams: [{ name: 's', mode: 'perSubscriber', sequence: [{ data: { step: 'hello' } }, { delay: 20, data: 'bye' }] }] }] });
    const client = await wsConnect(ws('/raw'));
    assert.deepEqual(await client.next(), { step: 'hello' });
    assert.equal((await client.nextRaw()).text, 'bye');
    await client.close();
  });

  it('says what is wrong with a script', () => {
    const result = checkConfig({
      endpoints: [{ path: '/', streams: [
        { name: 'a', sequence: [{ data: 1 }], interval: 100 },
        { name: 'b', data: 1, loop: true, mode: 'shared' },
        { name: 'c', sequence: [{ delay: -1 }] },
        { name: 'd', sequence: [] },
      ] }],
    });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, [
      'endpoints[0].streams[0].interval: a `sequence` times itself with each step\'s `delay`: remove `interval`',
      'endpoints[0].streams[1].loop: only applies to a `sequence`',
      'endpoints[0].streams[1].mode: only applies to a `sequence`',
      'endpoints[0].streams[2].sequence[0].delay: expected a number >= 0',
      'endpoints[0].streams[2].sequence[0].data: is required',
      'endpoints[0].streams[3].sequence: expected at least 1 items',
    ]);
  });
});

describe('seeded runs', () => {
  it('each stream has its own random sequence: its values do not depend on the other streams ticking beside it', async () => {
    const values = async (order: string[]): Promise<unknown[]> => {
      const clock = new ManualClock();
      const streams = order.map((name) => ({ name, interval: 1000, data: { v: '{{int 1 1000000}}', w: '{{float 0 1 precision=6}}' } }));
      const { ws, server } = await launchServer({ seed: 42, websocket: { heartbeatInterval: 0 }, endpoints: [{ path: '/ws', streams }] }, { clock });
      const client = await wsConnect(ws());
      await client.nextOfType('connected');
      client.send({ type: 'subscribe', event: 'a' });
      const seen = [(await client.nextOfType<{ data: unknown }>('event')).data];
      for (let i = 0; i < 3; i++) {
        clock.advance(1000);
        seen.push((await client.nextOfType<{ data: unknown }>('event')).data);
      }
      await client.close();
      await server.stop();
      return seen;
    };
    const alone = await values(['a']);
    assert.deepEqual(await values(['a', 'b']), alone);
    assert.deepEqual(await values(['b', 'a', 'c']), alone);
  });

  it("an endpoint's rules draw from their own sequence too: another endpoint's replies do not change them", async () => {
    const roll = { when: { type: 'roll' }, then: [{ reply: '{{int 1 1000000}}' }] };
    const first = async (paths: string[], before: string[]): Promise<string> => {
      // Raw endpoints: no greeting, so the first message is the reply.
      const endpoints = paths.map((path) => ({ path, dialect: 'raw' as const, rules: [roll] }));
      const { ws, server } = await launchServer({ seed: 7, websocket: { heartbeatInterval: 0 }, endpoints });
      for (const path of before) {
        const other = await wsConnect(ws(path));
        other.send({ type: 'roll' });
        await other.nextRaw();
        await other.close();
      }
      const client = await wsConnect(ws('/ws'));
      client.send({ type: 'roll' });
      const value = (await client.nextRaw()).text;
      await client.close();
      await server.stop();
      return value;
    };
    const alone = await first(['/ws'], []);
    assert.match(alone, /^\d+$/);
    assert.equal(await first(['/other', '/ws'], ['/other', '/other']), alone);
  });
});
