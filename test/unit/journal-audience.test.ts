/**
 * Who a broadcast reached, as the journal keeps it and a query by client reads it: every subscriber (no list),
 * those a condition let through (`reached`, when shorter), or all but those too far behind (`missed`); and a
 * client that receives every topic until it subscribes counts for a broadcast to any topic until then.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHub } from '../../src/hub/memory-hub.ts';
import type { Peer } from '../../src/hub/peer.ts';
import { EndpointJournal } from '../../src/endpoint/journaled.ts';
import { Journal, selectEntries } from '../../src/journal/index.ts';
import type { IncomingMessage } from 'node:http';

/** A peer that takes a broadcast unless it is `behind`. */
function fakePeer(id: string, behind = false): Peer {
  return { id, endpoint: '/ws', observers: [], offer: () => !behind } as unknown as Peer;
}

const request = { headers: {}, rawHeaders: [], method: 'GET', url: '/ws' } as unknown as IncomingMessage;

function setUp(everything = false) {
  const journal = new Journal({ maxEntries: 100, maxBytes: 1 << 20 }, () => 0);
  const endpoint = new EndpointJournal(journal, 'websocket', '/ws', everything);
  const hub = endpoint.hub(new MemoryHub());
  const broadcasts = (client: string) => selectEntries(journal.entries(), { client, limit: 100 }).filter((e) => e.kind === 'broadcast').map((e) => e.data);
  return { journal, endpoint, hub, broadcasts };
}

describe('a broadcast\'s audience in the journal', () => {
  it('names nobody when every subscriber got it; names those it missed when a client was too far behind', () => {
    const { journal, endpoint, hub, broadcasts } = setUp();
    const [a, b, slow] = [fakePeer('a'), fakePeer('b'), fakePeer('slow', true)];
    for (const peer of [a, b, slow]) {
      endpoint.open(peer, request);
      hub.subscribe(peer, 'news');
    }
    assert.equal(endpoint.publish(hub, ['news'], Buffer.from('one'), undefined, false, 'stream:news'), 2);
    const [entry] = [...journal.entries()].filter((e) => e.kind === 'broadcast');
    assert.deepEqual([entry?.recipients, entry?.missed, entry?.reached, entry?.source], [2, ['slow'], undefined, 'stream:news']);
    assert.deepEqual(broadcasts('a'), ['one']);
    assert.deepEqual(broadcasts('slow'), [], 'dropped for the slow client: not sent to it');
  });

  it('names those a condition let through when they are fewer, else those it left out', () => {
    const { journal, endpoint, hub, broadcasts } = setUp();
    const peers = ['a', 'b', 'c', 'd'].map((id) => fakePeer(id));
    for (const peer of peers) {
      endpoint.open(peer, request);
      hub.subscribe(peer, 'ticker');
    }
    endpoint.publish(hub, ['ticker'], Buffer.from('only a'), (peer) => peer.id === 'a', false, 'stream:ticker');
    endpoint.publish(hub, ['ticker'], Buffer.from('all but d'), (peer) => peer.id !== 'd', false, 'stream:ticker');
    const [first, second] = [...journal.entries()].filter((e) => e.kind === 'broadcast');
    assert.deepEqual([first?.reached, first?.missed], [['a'], undefined]);
    assert.deepEqual([second?.reached, second?.missed], [undefined, ['d']]);
    assert.deepEqual(broadcasts('a'), ['only a', 'all but d']);
    assert.deepEqual(broadcasts('b'), ['all but d']);
    assert.deepEqual(broadcasts('d'), []);
  });

  it('a client of a dialect that receives everything until it subscribes counts for any topic until then', () => {
    const { endpoint, hub, broadcasts } = setUp(true);
    const peer = fakePeer('c1');
    endpoint.open(peer, request);
    hub.receiveEverything(peer, true);
    // Another client keeps `anything` subscribed, so its broadcasts are sent (and journaled) throughout.
    const other = fakePeer('other');
    hub.subscribe(other, 'anything');
    endpoint.publish(hub, ['anything'], Buffer.from('before'), undefined, false, 'admin');
    hub.subscribe(peer, 'news');
    hub.receiveEverything(peer, false);
    endpoint.publish(hub, ['anything'], Buffer.from('after, not subscribed'), undefined, false, 'admin');
    endpoint.publish(hub, ['news'], Buffer.from('news'), undefined, false, 'admin');
    assert.deepEqual(broadcasts('c1'), ['before', 'news']);
  });
});

describe('a broadcast\'s audience and source, encoded', () => {
  it('come back from the ring as they went, a message\'s source too', () => {
    const journal = new Journal({ maxEntries: 10, maxBytes: 1 << 16 }, () => 0);
    journal.broadcast('websocket', '/ws', ['t'], Buffer.from('x'), false, 1, 'rule:é', { reached: ['c1'] });
    journal.broadcast('sse', '/events', ['t'], Buffer.from('y'), false, 2, 'stream:t', { missed: ['c2', 'c3'] });
    journal.broadcast('websocket', '/ws', ['t'], Buffer.from('z'), false, 3, 'admin');
    journal.message('websocket', { id: 'c1', endpoint: '/ws' }, 'out', 'hi', false, 'dialect');
    journal.message('websocket', { id: 'c1', endpoint: '/ws' }, 'in', 'ho', false, undefined);
    assert.deepEqual([...journal.entries()].map((e) => [e.source, e.reached, e.missed]), [
      ['rule:é', ['c1'], undefined],
      ['stream:t', undefined, ['c2', 'c3']],
      ['admin', undefined, undefined],
      ['dialect', undefined, undefined],
      [undefined, undefined, undefined],
    ]);
  });
});

describe('the dashboard\'s log follows who a broadcast reached', () => {
  it('leaves out a broadcast that missed the client, and counts every topic for a client that receives everything', async () => {
    const { ClientFollower } = await import('../../src/admin/journal-rows.ts');
    const { journal, endpoint, hub } = setUp(true);
    const [watched, other] = [fakePeer('watched'), fakePeer('other')];
    for (const peer of [watched, other]) endpoint.open(peer, request);
    hub.receiveEverything(watched, true);
    hub.subscribe(other, 'news');
    const follower = new ClientFollower('watched');
    endpoint.publish(hub, ['news'], Buffer.from('to everyone: everything'), undefined, false, 'admin');
    endpoint.publish(hub, ['news'], Buffer.from('other only'), (peer) => peer.id === 'other', false, 'admin');
    hub.subscribe(watched, 'ticker');
    hub.receiveEverything(watched, false);
    // Only `other` is on `news` now, and `watched` subscribed (so stopped receiving everything).
    endpoint.publish(hub, ['news'], Buffer.from('news after'), undefined, false, 'admin');
    const got = [...journal.entries()].filter((entry) => follower.counts(entry) && entry.kind === 'broadcast').map((entry) => entry.data);
    assert.deepEqual(got, ['to everyone: everything']);
  });
});

describe('a client\'s state entries', () => {
  it('leave its endpoint as it was: the broadcasts after them are still its, in a query and in the dashboard\'s log', async () => {
    const { ClientFollower } = await import('../../src/admin/journal-rows.ts');
    const { journal, endpoint, hub, broadcasts } = setUp();
    const peer = fakePeer('c1');
    endpoint.open(peer, request);
    hub.subscribe(peer, 'news');
    journal.state('client:c1', 'change', { set: { n: 1 } }, 'rule:bump');
    endpoint.publish(hub, ['news'], Buffer.from('after the change'), undefined, false, 'admin');
    assert.deepEqual(broadcasts('c1'), ['after the change']);
    const follower = new ClientFollower('c1');
    assert.deepEqual([...journal.entries()].filter((e) => follower.counts(e) && e.kind === 'broadcast').map((e) => e.data), ['after the change']);
  });
});

describe('a broadcast is one endpoint\'s', () => {
  it('is not counted for a client of another endpoint, even one that receives every topic', async () => {
    const { ClientFollower } = await import('../../src/admin/journal-rows.ts');
    const journal = new Journal({ maxEntries: 100, maxBytes: 1 << 20 }, () => 0);
    const [onA, onB] = [new EndpointJournal(journal, 'websocket', '/a', true), new EndpointJournal(journal, 'websocket', '/b', true)];
    const [hubA, hubB] = [onA.hub(new MemoryHub()), onB.hub(new MemoryHub())];
    const [a, b] = [{ ...fakePeer('a'), endpoint: '/a' } as Peer, { ...fakePeer('b'), endpoint: '/b' } as Peer];
    onA.open(a, request);
    hubA.receiveEverything(a, true);
    onB.open(b, { ...request, url: '/b' } as IncomingMessage);
    hubB.receiveEverything(b, true);
    onB.publish(hubB, ['news'], Buffer.from('on b'), undefined, false, 'admin');
    onA.publish(hubA, ['news'], Buffer.from('on a'), undefined, false, 'admin');
    const broadcastsOf = (client: string) => selectEntries(journal.entries(), { client, limit: 100 }).filter((e) => e.kind === 'broadcast').map((e) => e.data);
    assert.deepEqual([broadcastsOf('a'), broadcastsOf('b')], [['on a'], ['on b']]);
    const follower = new ClientFollower('a');
    assert.deepEqual([...journal.entries()].filter((e) => follower.counts(e) && e.kind === 'broadcast').map((e) => e.data), ['on a']);
  });
});

describe('the last entries of a query', () => {
  it('holds the last max and counts those before, however many match', async () => {
    const { selectLast } = await import('../../src/journal/index.ts');
    const journal = new Journal({ maxEntries: 5000, maxBytes: 1 << 22 }, () => 0);
    for (let n = 0; n < 2500; n++) journal.message('websocket', { id: n % 2 === 0 ? 'even' : 'odd', endpoint: '/ws' }, 'in', `m${n}`, false, undefined);
    const { entries, earlier } = selectLast(journal.entries(), { client: 'even' }, 1000);
    assert.deepEqual([entries.length, earlier, entries[0]?.data, entries.at(-1)?.data], [1000, 250, 'm500', 'm2498']);
    const few = selectLast(journal.entries(), { client: 'odd' }, 2000);
    assert.deepEqual([few.entries.length, few.earlier], [1250, 0]);
  });
});
