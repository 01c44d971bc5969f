/**
 * Guards that a plausible one-line bug would break without any other test noticing (issue 25, item 8): each
 * test here names the guard it pins. Their integration twins, through a running server, are in
 * test/integration/guards.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { compileWhen } from '../../src/rules/index.ts';
import { createRedactor, MASK } from '../../src/security/redact.ts';
import { Positions } from '../../src/state/positions.ts';
import { deflateKey, wsDeflateOptions } from '../../src/transport/deflate.ts';
import { WsServers } from '../../src/transport/ws-servers.ts';
import { BroadcastWriter } from '../../src/transport/frame-writer.ts';
import { Pressure, type Pressured } from '../../src/transport/pressure.ts';
import { WsPeer, type PeerSettings } from '../../src/transport/ws-peer.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { Message } from '../../src/util/message.ts';

describe('redact: names match whatever their case', () => {
  // Names the built-in words (auth, key, token…) do not catch, so only the `redact` list can mask them.
  const listedMixed = createRedactor(['X-Tenant', 'AccountNo']);
  const listedLower = createRedactor(['x-tenant', 'accountno']);

  it('headers and query parameters', () => {
    for (const redact of [listedMixed, listedLower]) {
      for (const name of ['x-tenant', 'X-Tenant', 'X-TENANT']) assert.ok(redact.isSecret(name), name);
      assert.ok(!redact.isSecret('x-tenants'), 'the whole name, not a part');
      assert.deepEqual(redact.headers({ 'x-tenant': 'acme', 'X-TENANT': 'acme', accept: 'text/plain' }), { 'x-tenant': MASK, 'X-TENANT': MASK, accept: 'text/plain' });
      assert.equal(redact.url('/ws?X-Tenant=acme&x-tenant=acme&ACCOUNTNO=7&q=1'), '/ws?X-Tenant=***&x-tenant=***&ACCOUNTNO=***&q=1');
      assert.equal(redact.url('wss://api.test/feed?accountNo=7'), 'wss://api.test/feed?accountNo=***');
    }
  });

  it('JSON fields at any depth', () => {
    for (const redact of [listedMixed, listedLower]) {
      const masked = JSON.parse(redact.message(JSON.stringify({ ACCOUNTNO: 'a1', user: { accountno: 'a2', AccountNo: 'a3', 'X-TENANT': 't1' }, rows: [{ 'x-tenant': 't2' }], other: 'kept' })));
      assert.deepEqual(masked, { ACCOUNTNO: MASK, user: { accountno: MASK, AccountNo: MASK, 'X-TENANT': MASK }, rows: [{ 'x-tenant': MASK }], other: 'kept' });
    }
    assert.equal(createRedactor([]).message('{"AccountNo":"a1"}'), '{"AccountNo":"a1"}', 'nothing listed: JSON is left as sent');
  });
});

describe('the server-wide queue budget (transport/pressure.ts)', () => {
  it('each admitted message is charged; the next sum resets the budget to what is left', () => {
    const pressure = new Pressure(1000);
    assert.deepEqual([pressure.admit(600), pressure.admit(600), pressure.admit(400), pressure.admit(1)], [true, false, true, false]);
    assert.equal(pressure.budget, 0);
    const peer = (bufferedAmount: number, closed = false): Pressured => ({ bufferedAmount, closed, checkBehind: () => true });
    pressure.watch([peer(300), peer(200)]);
    pressure.check(0);
    assert.deepEqual([pressure.queued, pressure.budget], [500, 500]);
    assert.equal(pressure.admit(501), false);
    assert.equal(pressure.admit(500), true);
  });

  it('clients that caught up or closed leave the behind set at the next round; the others stay', () => {
    const pressure = new Pressure(1000);
    const stuck: Pressured = { bufferedAmount: 2000, closed: false, checkBehind: () => true };
    const caughtUp: Pressured = { bufferedAmount: 0, closed: false, checkBehind: () => false };
    const closed: Pressured = { bufferedAmount: 0, closed: true, checkBehind: () => true };
    for (const p of [stuck, caughtUp, closed]) pressure.behind.add(p);
    pressure.watch([stuck, caughtUp, closed]);
    pressure.check(0);
    assert.deepEqual([...pressure.behind], [stuck]);
    assert.equal(pressure.budget, -1000, 'over the cap: nothing more may wait');
    assert.equal(pressure.admit(1), false);
  });

  /** A WebSocket peer over a socket that never empties its queue: what is sent is counted, nothing leaves. */
  function queuedPeer(pressure: Pressure, bufferedAmount: number) {
    const sent: Buffer[] = [];
    const socket = {
      extensions: 'permessage-deflate', // no TCP short cut: every write goes through socket.send, seen here
      readyState: 1,
      OPEN: 1,
      CLOSING: 2,
      CLOSED: 3,
      bufferedAmount,
      send: (data: Buffer) => sent.push(data),
      pause: () => undefined,
      resume: () => undefined,
    };
    const clock = new ManualClock(0);
    const settings: PeerSettings = { maxBufferedBytes: 1 << 30, slowClientGrace: 10_000, clock, realClock: clock, broadcasts: new BroadcastWriter(clock), pressure, peers: new Set(), onPeerError: () => undefined };
    const peer = new WsPeer({ id: 'c1', endpoint: '/ws', url: '/ws', socket: socket as unknown as WebSocket, settings });
    return { peer, sent };
  }

  it('a peer with bytes queued charges every message it queues, by its size, whatever way it is sent', () => {
    const pressure = new Pressure(1000);
    const { peer, sent } = queuedPeer(pressure, 1);
    peer.send('x'.repeat(400), 'test');
    assert.equal(peer.offer(Buffer.alloc(400)), true);
    assert.equal(peer.offer(Buffer.alloc(400)), false, 'the budget is spent: dropped');
    peer.sendData(Buffer.alloc(300), true, 'test');
    peer.sendData(Buffer.alloc(200), true, 'test');
    assert.deepEqual(sent.map((b) => b.length), [400, 400, 200]);
    assert.equal(peer.counters.dropped, 2);
    assert.equal(pressure.budget, 0);
  });

  it('a peer whose queue is empty is never charged: its write leaves at once', () => {
    const pressure = new Pressure(100);
    const { peer, sent } = queuedPeer(pressure, 0);
    for (let i = 0; i < 3; i++) assert.equal(peer.offer(Buffer.alloc(400)), true);
    assert.equal(sent.length, 3);
    assert.equal(pressure.budget, 100);
  });
});

describe('the transport\'s timers run on the real clock they are given (util/clock.ts)', () => {
  it('the queued-bytes guard sums on the rounds of its clock, and stops', () => {
    const clock = new ManualClock(0);
    const pressure = new Pressure(1000, clock);
    const peer = { bufferedAmount: 300, closed: false, checkBehind: () => true };
    pressure.watch([peer]);
    pressure.start(() => clock.now());
    clock.advance(249);
    assert.equal(pressure.queued, 0, 'no round before its time');
    clock.advance(1);
    assert.equal(pressure.queued, 300);
    pressure.stop();
    peer.bufferedAmount = 500;
    clock.advance(1000);
    assert.deepEqual([pressure.queued, clock.pending], [300, 0], 'no round, and no timer, after stop');
    pressure.stop();
    new Pressure(1, clock).stop();
    pressure.start(() => clock.now());
    pressure.start(() => clock.now());
    assert.equal(clock.pending, 1, 'started twice: one round, not two');
    pressure.stop();
  });

  it('an evicted client whose close is not answered is destroyed a second later on the real clock', () => {
    const clock = new ManualClock(0);
    const calls: string[] = [];
    const socket = { extensions: '', readyState: 1, OPEN: 1, CLOSING: 2, CLOSED: 3, bufferedAmount: 0, close: (code: number) => calls.push(`close ${code}`), terminate: () => calls.push('terminate') };
    const settings: PeerSettings = { maxBufferedBytes: 1, slowClientGrace: 0, clock, realClock: clock, broadcasts: new BroadcastWriter(clock), pressure: new Pressure(1), peers: new Set(), onPeerError: () => undefined };
    const peer = new WsPeer({ id: 'c1', endpoint: '/ws', url: '/ws', socket: socket as unknown as WebSocket, settings });
    peer.evict();
    clock.advance(999);
    assert.deepEqual(calls, ['close 1013']);
    clock.advance(1);
    assert.deepEqual(calls, ['close 1013', 'terminate']);
  });
});

describe('permessage-deflate settings reach ws as written', () => {
  it('a zero threshold (compress every message) and other zero or false values are kept', () => {
    assert.deepEqual(wsDeflateOptions({ threshold: 0 }), { threshold: 0 });
    assert.deepEqual(wsDeflateOptions({ threshold: 0, level: 0, serverNoContextTakeover: false }), { threshold: 0, serverNoContextTakeover: false, zlibDeflateOptions: { level: 0 } });
    assert.deepEqual(wsDeflateOptions({ threshold: 512, memLevel: 4 }), { threshold: 512, zlibDeflateOptions: { memLevel: 4 } });
    assert.deepEqual([wsDeflateOptions(true), wsDeflateOptions(false), wsDeflateOptions(undefined)], [{}, false, false]);
    assert.notEqual(deflateKey({ threshold: 0 }), deflateKey(true), 'threshold 0 is its own ws server, not the default one');
  });

  it('fields left out or undefined are not passed; zlib gets only the level and memory level given', () => {
    assert.deepEqual(wsDeflateOptions({ threshold: 5, level: undefined, memLevel: undefined, clientMaxWindowBits: undefined }), { threshold: 5 });
    assert.deepEqual(wsDeflateOptions({ memLevel: 3, level: undefined }), { zlibDeflateOptions: { memLevel: 3 } });
    assert.deepEqual(wsDeflateOptions({ level: 9, memLevel: 1 }), { zlibDeflateOptions: { level: 9, memLevel: 1 } });
    assert.deepEqual(wsDeflateOptions({}), {});
  });

  it('the key of a setting is its options\' JSON (off "false", ws\'s defaults "{}"), so equal settings share one ws server', () => {
    assert.deepEqual([deflateKey(undefined), deflateKey(false), deflateKey(true), deflateKey({}), deflateKey({ threshold: 0, level: undefined })], ['false', 'false', '{}', '{}', '{"threshold":0}']);
    assert.equal(deflateKey({ level: 3, threshold: 10 }), '{"threshold":10,"zlibDeflateOptions":{"level":3}}');
    const servers = new WsServers({ maxPayload: 1024, handleProtocols: () => false });
    const tuned = { threshold: 0 };
    assert.equal(servers.for(true), servers.for({}), 'on with the defaults: one server');
    assert.equal(servers.for(undefined), servers.for(false), 'off: one server');
    assert.notEqual(servers.for(false), servers.for(true));
    assert.equal(servers.for(tuned), servers.for({ threshold: 0 }), 'an equal setting, another object');
    assert.notEqual(servers.for(tuned), servers.for(true));
    assert.equal(servers.for(tuned).options.perMessageDeflate && typeof servers.for(tuned).options.perMessageDeflate, 'object');
    assert.equal(servers.for(false).options.perMessageDeflate, false);
    assert.deepEqual([servers.for(true).options.maxPayload, servers.for(true).options.allowSynchronousEvents, servers.for(true).options.noServer, servers.for(true).options.clientTracking], [1024, false, true, false]);
    const asked = new WsServers({ maxPayload: 1, handleProtocols: (protocols) => [...protocols].reverse()[0] ?? false });
    assert.equal(asked.for(false).options.handleProtocols?.(new Set(['a', 'b']), {} as never), 'b', 'the transport\'s choice of subprotocol');
  });
});

describe('a binary prefix (rules/match.ts)', () => {
  it('matches the first bytes only, never the same bytes further in', () => {
    const cafe = compileWhen({ binary: { prefix: 'cafe' } });
    const frame = (...bytes: number[]) => new Message(Buffer.from(bytes), true);
    assert.ok(cafe(frame(0xca, 0xfe)));
    assert.ok(cafe(frame(0xca, 0xfe, 0x00, 0x01)));
    for (const bytes of [[0x00, 0xca, 0xfe], [0x01, 0x02, 0xca, 0xfe, 0x03], [0xca], [0xfe, 0xca], []]) assert.ok(!cafe(frame(...bytes)), `matched ${Buffer.from(bytes).toString('hex')}`);
    assert.ok(!cafe(new Message(Buffer.from([0xca, 0xfe]), false)), 'a text frame is not binary');
  });
});

describe('the state store forgets the least recently used key (state/positions.ts)', () => {
  it('a key used most recently survives, the one used least recently is forgotten', () => {
    const store = new Positions({ maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) store.set('s', key, key);
    assert.equal(store.get('s', 'a'), 'a'); // a is now the most recent: b is the least
    store.set('s', 'd', 'd');
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => store.get('s', k)), ['a', undefined, 'c', 'd']);
    assert.deepEqual(store.sizes(), { s: 3 });
  });

  it('counting a caller (next) is a use; setting a held key again neither grows the scope nor evicts', () => {
    const store = new Positions({ maxKeys: 2 });
    assert.equal(store.next('s', 'ann'), 0);
    assert.equal(store.next('s', 'bob'), 0);
    assert.equal(store.next('s', 'ann'), 1); // bob is now the least recently used
    store.set('s', 'ann', 5);
    assert.deepEqual(store.sizes(), { s: 2 }, 'the same key again is not a new one');
    assert.equal(store.next('s', 'eve'), 0);
    assert.deepEqual([store.get('s', 'ann'), store.get('s', 'bob'), store.get('s', 'eve')], [5, undefined, 1]);
  });

  it('each scope has its own keys and its own cap', () => {
    const store = new Positions({ maxKeys: 1 });
    store.set('one', 'k', 1);
    store.set('two', 'k', 2);
    assert.deepEqual([store.get('one', 'k'), store.get('two', 'k')], [1, 2]);
    store.reset('one');
    assert.deepEqual(store.sizes(), { two: 1 });
  });
});
