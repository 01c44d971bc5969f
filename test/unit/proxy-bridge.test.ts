/**
 * The proxy bridge's back-pressure is event-driven: the side held back resumes from the very send callback
 * that brings the other side's queue to half the cap, not from a timer polling it. Both sides here are
 * stand-ins whose queues only shrink when the test writes a message out.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type WebSocket from 'ws';
import type { ProxyRouteConfig } from '../../src/config/schema.ts';
import { newCounters, NO_OBSERVERS } from '../../src/hub/peer.ts';
import { bridge, type BridgeContext, type RouteStats } from '../../src/proxy/bridge.ts';
import type { RelayPeer } from '../../src/transport/connection.ts';

/**
 * One side: the queue of messages to it not yet written, each with its send callback (`flush()` writes the
 * oldest out), and how often its reading was paused and resumed.
 */
class Side {
  readonly items: { size: number; written: (() => void) | undefined }[] = [];
  pauses = 0;
  resumes = 0;

  get bufferedAmount(): number {
    return this.items.reduce((sum, item) => sum + item.size, 0);
  }

  push(size: number, written: (() => void) | undefined): void {
    this.items.push({ size, written });
  }

  flush(): void {
    this.items.shift()?.written?.();
  }
}

/** An open upstream: a ws socket's events, and its queue. */
class FakeUpstream extends EventEmitter {
  readonly readyState = 1;
  readonly OPEN = 1;
  readonly CONNECTING = 0;
  readonly url = 'ws://upstream.test/';
  readonly protocol = '';
  constructor(readonly side: Side) {
    super();
  }

  get bufferedAmount(): number {
    return this.side.bufferedAmount;
  }

  send(data: Buffer, _options: unknown, written?: () => void): void {
    this.side.push(data.length, written);
  }

  pause(): void {
    this.side.pauses += 1;
  }

  resume(): void {
    this.side.resumes += 1;
  }

  close(): void {}
  terminate(): void {}
}

function fakeUpstream(side: Side): WebSocket {
  return new FakeUpstream(side) as unknown as WebSocket;
}

function fakePeer(queue: Side): RelayPeer {
  return {
    id: 'client-1',
    endpoint: '/ws/proxy/r',
    url: '/ws/proxy/r',
    remoteAddress: '127.0.0.1',
    compressed: false,
    connectedAt: 0,
    counters: newCounters(),
    observers: NO_OBSERVERS,
    closed: false,
    get bufferedAmount() {
      return queue.bufferedAmount;
    },
    send: () => undefined,
    sendData: () => undefined,
    relay: (data: Buffer, _isBinary: boolean, written?: () => void) => queue.push(data.length, written),
    pause: () => void (queue.pauses += 1),
    resume: () => void (queue.resumes += 1),
    offer: () => true,
    close: () => undefined,
    terminate: () => undefined,
    faults: undefined,
    pass: () => false,
    receive: () => undefined,
    reset: () => undefined,
  };
}

const stats = (): RouteStats => ({ connections: 0, active: 0, failures: 0, clientGoneEarly: 0, messagesToUpstream: 0, bytesToUpstream: 0, messagesToClient: 0, bytesToClient: 0, dropped: 0 });

const context: BridgeContext = {
  maxBufferedBytes: 100,
  redactUrl: (url) => url,
  now: () => 0,
  record: () => undefined,
  connected: () => 'connected',
  failed: () => 'failed',
  log: () => undefined,
};

function session(slowPeer: 'pause' | 'drop') {
  const client = new Side();
  const up = new Side();
  const upstream = fakeUpstream(up);
  const peer = fakePeer(client);
  const route = { name: 'r', announce: false, slowPeer, maxQueue: 10 } as unknown as ProxyRouteConfig;
  const routeStats = stats();
  const connection = bridge(peer, upstream, {}, route, routeStats, context);
  return { client, up, upstream: upstream as unknown as EventEmitter, peer, connection, routeStats };
}

describe('proxy back-pressure (proxy/bridge.ts)', () => {
  it('a client over the cap pauses its upstream once; the write that brings it to half the cap resumes it, at once', () => {
    const { client, up, upstream } = session('pause');
    for (let i = 0; i < 3; i++) upstream.emit('message', Buffer.alloc(60), false);
    assert.deepEqual([client.bufferedAmount, up.pauses], [180, 1], 'paused once, however many messages were on their way');
    client.flush();
    client.flush();
    assert.equal(up.resumes, 0, '60 bytes left: still over half the cap');
    client.flush();
    assert.equal(up.resumes, 1, 'resumed by the send callback itself, with no timer to wait for');
  });

  it('an upstream over the cap pauses its client, and the same callback resumes it', () => {
    const { client, up, connection, peer } = session('pause');
    for (let i = 0; i < 2; i++) connection.onMessage(peer, Buffer.alloc(60), true);
    assert.equal(client.pauses, 1);
    up.flush();
    assert.equal(client.resumes, 0);
    up.flush();
    assert.equal(client.resumes, 1);
  });

  it('a session that ended resumes nothing when its last messages are written', () => {
    const { client, up, upstream, connection, peer } = session('pause');
    for (let i = 0; i < 2; i++) upstream.emit('message', Buffer.alloc(60), false);
    connection.onClose(peer, 1000, '');
    const resumedByClose = up.resumes;
    client.flush();
    client.flush();
    assert.deepEqual([up.pauses, up.resumes], [1, resumedByClose], 'only the close resumed the upstream (to read its answer)');
  });

  it('drop mode sends without callbacks and drops past the cap, pausing nobody', () => {
    const { client, up, upstream, routeStats } = session('drop');
    for (let i = 0; i < 3; i++) upstream.emit('message', Buffer.alloc(60), false);
    assert.deepEqual(client.items.map((item) => item.written), [undefined, undefined]);
    assert.deepEqual([routeStats.dropped, up.pauses], [1, 0]);
  });
});
