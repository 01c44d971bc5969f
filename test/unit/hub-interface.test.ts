/**
 * The endpoint reaches its hub only through the `Hub` interface, made by the factory in its context: a second
 * implementation (a broker that counts what passes, around the memory hub) is supplied without touching the
 * endpoint's code, and a real client still subscribes and receives through it.
 */
import { MemoryStateStore } from '../../src/state/memory.ts';
import { HeldBudget } from '../../src/faults/index.ts';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { validateConfig } from '../../src/config/validate.ts';
import { Endpoint, type EndpointContext } from '../../src/endpoint/endpoint.ts';
import type { Hub } from '../../src/hub/hub.ts';
import { MemoryHub } from '../../src/hub/memory-hub.ts';
import type { Peer } from '../../src/hub/peer.ts';
import { createLogger } from '../../src/log/logger.ts';
import { createTemplateServices } from '../../src/templates/index.ts';
import { Pressure } from '../../src/transport/pressure.ts';
import { Transport } from '../../src/transport/transport.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

/** A broker as a later issue might supply one: it counts what passes and leaves the work to the memory hub. */
class CountingHub implements Hub {
  readonly inner = new MemoryHub();
  subscribes = 0;
  unsubscribes = 0;
  removes = 0;
  publishes = 0;
  /** Deliveries the publishes made (one per client reached). */
  reached = 0;

  subscribe(peer: Peer, topic: string): boolean {
    this.subscribes++;
    return this.inner.subscribe(peer, topic);
  }

  unsubscribe(peer: Peer, topic: string): boolean {
    this.unsubscribes++;
    return this.inner.unsubscribe(peer, topic);
  }

  receiveEverything(peer: Peer, on: boolean): void {
    this.inner.receiveEverything(peer, on);
  }

  remove(peer: Peer): void {
    this.removes++;
    this.inner.remove(peer);
  }

  topicsOf(peer: Peer): ReadonlySet<string> {
    return this.inner.topicsOf(peer);
  }

  subscriberCount(topic: string): number {
    return this.inner.subscriberCount(topic);
  }

  publish(topics: readonly string[], frame: Buffer, filter?: (peer: Peer) => boolean, isBinary?: boolean, missed?: (peer: Peer) => void): number {
    this.publishes++;
    const sent = this.inner.publish(topics, frame, filter, isBinary, missed);
    this.reached += sent;
    return sent;
  }
}

describe('the hub behind its interface', () => {
  it('an endpoint built with a counting hub subscribes, publishes and forgets through it; the client gets every message', async () => {
    const clock = new ManualClock();
    const hubs: CountingHub[] = [];
    const config = validateConfig({
      endpoints: [{ path: '/ws', dialect: 'guide', streams: [{ name: 'ticker', interval: 100, data: { price: 1 } }, { name: 'news', data: { headline: 'hello' } }] }],
    });
    const context: EndpointContext = {
      clock,
      random: createRandom(1),
      logger: createLogger({ level: 'silent' }),
      logTraffic: false,
      state: new MemoryStateStore(),
      caller: () => undefined,
      rateLimit: undefined,
      maxSubscriptions: 10,
      maxBufferedBytes: 1024 * 1024,
      faultBudget: new HeldBudget(128 * 1024 * 1024),
      journal: undefined,
      totalClients: () => transport.peers.size,
      serverStats: () => ({ clients: transport.peers.size, startedAt: 0 }),
      seed: 1,
      templates: createTemplateServices(clock, createRandom(1), 1),
      createHub: () => {
        const hub = new CountingHub();
        hubs.push(hub);
        return hub;
      },
    };
    const endpoint = new Endpoint(config.endpoints[0] as (typeof config.endpoints)[number], context);
    const transport: Transport = new Transport({
      port: 0,
      host: '127.0.0.1',
      maxPayload: 1 << 16,
      heartbeatInterval: 0,
      handshakeTimeout: 1000,
      maxBufferedBytes: 1 << 20,
      pressure: new Pressure(1 << 26),
      slowClientGrace: 1000,
      clock,
      createId: () => `c${transport.peers.size + 1}`,
      route: () => ({ ok: true, acceptor: endpoint }),
      refused: (refusal) => ({ code: refusal.code }),
      handleRequest: (_request, response) => response.end(),
      onPeerError: (peer, error) => assert.fail(`${peer.id}: ${error.message}`),
    });
    const { port } = await transport.listen();
    endpoint.start();
    after(async () => {
      endpoint.stop();
      await transport.close(1001, 'bye', 500);
    });
    assert.equal(hubs.length, 1, 'the endpoint made its hub with the factory it was given');
    const hub = hubs[0] as CountingHub;

    const client = await wsConnect(`ws://127.0.0.1:${port}/ws`);
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'ticker' });
    await client.nextOfType('subscribed');
    assert.deepEqual((await client.nextOfType('event'))['data'], { price: 1 }, 'the snapshot');
    assert.equal(hub.subscribes, 1);
    assert.equal(endpoint.subscriberCount('ticker'), 1, 'the endpoint reads presence from the hub');

    clock.advance(100);
    assert.equal((await client.next())['name'], 'ticker', 'a tick went out through the counting hub');
    assert.equal(hub.publishes, 1);
    assert.equal(hub.reached, 1);

    client.send({ type: 'subscribe', event: 'news' });
    await client.nextOfType('subscribed');
    await client.nextOfType('event');
    assert.equal(endpoint.publish(endpoint.streams.get('news') as NonNullable<ReturnType<typeof endpoint.streams.get>>, { headline: 'breaking' }, 'test'), 1);
    assert.deepEqual((await client.next())['data'], { headline: 'breaking' });
    assert.equal(hub.subscribes, 2);
    assert.equal(hub.publishes, 2);
    assert.equal(hub.reached, 2);

    client.send({ type: 'unsubscribe', event: 'ticker' });
    await client.nextOfType('unsubscribed');
    assert.equal(hub.unsubscribes, 1);
    clock.advance(100);
    assert.equal(hub.publishes, 3, 'the tick still goes to the hub');
    assert.equal(hub.reached, 2, 'and reaches nobody');

    await client.close();
    await waitUntil(() => hub.removes === 1, 2000, 'the departed client removed from the hub');
    assert.equal(endpoint.subscriberCount('news'), 0, 'nobody is left subscribed');
  });
});
