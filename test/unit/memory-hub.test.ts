import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHub } from '../../src/hub/memory-hub.ts';
import { newCounters, NO_OBSERVERS, type Peer } from '../../src/hub/peer.ts';

function fakePeer(id: string, accept = true): Peer & { got: Buffer[] } {
  const got: Buffer[] = [];
  return {
    id, endpoint: '/ws', url: '/ws', remoteAddress: '127.0.0.1', compressed: false, connectedAt: 0, counters: newCounters(), observers: NO_OBSERVERS, closed: false, got,
    send: () => undefined,
    sendData: () => undefined,
    relay: () => undefined,
    bufferedAmount: 0,
    pause: () => undefined,
    resume: () => undefined,
    offer: (frame) => {
      if (accept) got.push(frame);
      return accept;
    },
    close: () => undefined,
    terminate: () => undefined,
  };
}

describe('memory hub', () => {
  it('sends the same bytes to each subscriber once, and only to subscribers', () => {
    const hub = new MemoryHub();
    const a = fakePeer('a');
    const b = fakePeer('b');
    const c = fakePeer('c');
    hub.subscribe(a, 't');
    hub.subscribe(b, 't');
    hub.subscribe(c, 'other');
    const frame = Buffer.from('x');
    assert.equal(hub.publish(['t'], frame), 2);
    assert.equal(a.got[0], frame, 'the very same buffer, not a copy');
    assert.equal(c.got.length, 0);
  });

  it('de-duplicates a peer reached through several topics', () => {
    const hub = new MemoryHub();
    const a = fakePeer('a');
    hub.subscribe(a, 'events');
    hub.subscribe(a, 'alerts');
    assert.equal(hub.publish(['events', 'alerts'], Buffer.from('x')), 1);
    assert.equal(a.got.length, 1, 'one copy, not one per topic');
  });

  it('reaches receive-everything peers on any topic, and forgets removed peers', () => {
    const hub = new MemoryHub();
    const all = fakePeer('all');
    const sub = fakePeer('sub');
    hub.receiveEverything(all, true);
    hub.subscribe(sub, 't');
    assert.equal(hub.publish(['anything'], Buffer.from('x')), 1);
    hub.remove(sub);
    hub.remove(all);
    assert.equal(hub.topicsOf(sub).size, 0);
    assert.equal(hub.publish(['t'], Buffer.from('y')), 0);
    assert.equal(hub.subscriberCount('t'), 0);
  });

  it('counts only peers that accepted the message', () => {
    const hub = new MemoryHub();
    hub.subscribe(fakePeer('slow', false), 't');
    hub.subscribe(fakePeer('fast'), 't');
    assert.equal(hub.publish(['t'], Buffer.from('x')), 1);
  });
});
