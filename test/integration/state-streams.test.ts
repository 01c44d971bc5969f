/**
 * A stream gated by state (issue 30): sent to a subscriber only while its `state:` holds as that subscriber
 * reads the state (global, its test scope, its own). The hub's count of recipients says who got each
 * message; each client's next message says nothing came before it. Real server on port 0, real ws clients.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

describe('a stream gated by state', () => {
  it('goes to the subscribers whose state holds, and to none while it holds for none', async () => {
    const { ws, server } = await startServer({ endpoints: [{ path: '/ws', dialect: 'guide', streams: [{ name: 'alerts', data: { level: 'high' }, state: { open: true } }] }] });
    const inA = await wsConnect(ws('/ws?scope=a'));
    const inB = await wsConnect(ws('/ws?scope=b'));
    try {
      for (const client of [inA, inB]) {
        await client.nextOfType('connected');
        client.send({ type: 'subscribe', event: 'alerts' });
        await client.nextOfType('subscribed');
      }
      assert.equal(server.publish('alerts'), 0, 'the state holds for no subscriber');
      server.state.change('scope:a', { set: { open: true } }, 'test');
      assert.equal(server.publish('alerts'), 1);
      // next(), not nextOfType(): nothing (a first message on subscribing, an earlier publish) came before it.
      assert.deepEqual((await inA.next<{ data: unknown }>()).data, { level: 'high' });
      server.state.change('global', { set: { open: true } }, 'test');
      server.state.change('scope:a', { set: { open: false } }, 'test');
      assert.equal(server.publish('alerts'), 1, 'the test scope overrides the global state');
      assert.deepEqual((await inB.next<{ data: unknown }>()).data, { level: 'high' });
    } finally {
      await inA.close();
      await inB.close();
    }
  });
});
