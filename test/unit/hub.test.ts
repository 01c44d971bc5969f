import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hub } from '../../src/hub/hub.ts';
import { newCounters, type Peer } from '../../src/hub/peer.ts';

function fakePeer(id: string, accept = true): Peer & { got: Buffer[] } {
  const got: Buffer[] = [];
  return {
    id, endpoint: '/ws', url: '/ws', remoteAddress: '127.0.0.1', compressed: false, connectedAt: 0, counters: newCounters(), tap: undefined, closed: false, got,
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

describe('hub', () => {
  it('sends the same bytes to each subscriber once, and only to subscribers', () => {
    const hub = new Hub();
    const a = fakePeer('a');
    const b = fakePeer('b');
    const c = fakePeer('c');
    hub.subscribe(a, 't');
    hub.subscribe(b, 't');
    hub.subscribe(c, 'other');
    const frame = Buffer.from('x');
    assert.equal(hub.broadcast(['t'], frame), 2);
    assert.equal(a.got[0], frame, 'the very same buffer, not a copy');
    assert.equal(c.got.length, 0);
  });

  it('de-duplicates a peer reached through several topics', () => {
    const hub = new Hub();
    const a = fakePeer('a');
    hub.subscribe(a, 'events');
    hub.subscribe(a, 'alerts');
    assert.equal(hub.broadcast(['events', 'alerts'], Buffer.from('x')), 1);
    assert.equal(a.got.length, 1, 'one copy, not one per topic');
  });

  it('reaches receive-everything peers on any topic, and forgets removed peers', () => {
    const hub = new Hub();
    const all = fakePeer('all');
    const sub = fakePeer('sub');
    hub.receiveEverything(all, true);
    hub.subscribe(sub, 't');
    assert.equal(hub.broadcast(['anything'], Buffer.from('x')), 1);
    hub.remove(sub);
    hub.remove(all);
    assert.equal(hub.topicsOf(sub).size, 0);
    assert.equal(hub.broadcast(['t'], Buffer.from('y')), 0);
    assert.equal(hub.subscribers('t').size, 0);
  });

  it('counts only peers that accepted the message', () => {
    const hub = new Hub();
    hub.subscribe(fakePeer('slow', false), 't');
    hub.subscribe(fakePeer('fast'), 't');
    assert.equal(hub.broadcast(['t'], Buffer.from('x')), 1);
  });
});
