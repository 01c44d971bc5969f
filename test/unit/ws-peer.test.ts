/**
 * The WebSocket peer (transport/ws-peer.ts) over a stand-in ws socket: which path a message takes to the wire
 * (our frame on the TCP socket, or ws's send when the connection compresses), what is counted and shown to the
 * tap, the byte cap and the server-wide budget, a client behind (its reads paused, let go with 1013 after the
 * grace period, its socket destroyed when the close goes unanswered), and the socket's events as the
 * connection's logic sees them.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import type { Peer } from '../../src/hub/peer.ts';
import { BroadcastWriter } from '../../src/transport/frame-writer.ts';
import { Pressure } from '../../src/transport/pressure.ts';
import { SLOW_CLIENT_REASON } from '../../src/transport/constants.ts';
import { WsPeer, type PeerSettings } from '../../src/transport/ws-peer.ts';
import { ManualClock } from '../../src/util/clock.ts';

/** What a stand-in TCP socket was given. */
class FakeTcp {
  readonly remoteAddress = '10.0.0.9';
  readonly writes: Buffer[] = [];
  corks = 0;
  write(chunk: Buffer): boolean {
    this.writes.push(chunk);
    return true;
  }
  cork(): void {
    this.corks += 1;
  }
  uncork(): void {}
}

/** A ws socket as far as the peer uses one; `bufferedAmount` is what the client has not read. */
class FakeSocket extends EventEmitter {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  extensions: string;
  _socket: FakeTcp | undefined = new FakeTcp();
  readonly sent: { data: Buffer; binary: boolean }[] = [];
  readonly closes: [number | undefined, string | undefined][] = [];
  paused = false;
  terminated = false;

  constructor(extensions = '') {
    super();
    this.extensions = extensions;
  }
  send(data: Buffer, options: { binary: boolean }, written?: () => void): void {
    this.sent.push({ data, binary: options.binary });
    written?.();
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  close(code?: number, reason?: string): void {
    this.closes.push([code, reason]);
    this.readyState = this.CLOSING;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = this.CLOSED;
  }
}

interface Setup {
  peer: WsPeer;
  socket: FakeSocket;
  settings: PeerSettings & { clock: ManualClock; realClock: ManualClock };
  errors: (Error & { code?: string })[];
  messages: { data: Buffer; isBinary: boolean }[];
  closes: { code: number; reason: string }[];
}

function setup(options: { extensions?: string; pressure?: Pressure } = {}): Setup {
  const socket = new FakeSocket(options.extensions);
  const errors: Setup['errors'] = [];
  const realClock = new ManualClock(0);
  const settings = {
    maxBufferedBytes: 1000,
    slowClientGrace: 500,
    clock: new ManualClock(1_000_000),
    realClock,
    broadcasts: new BroadcastWriter(realClock),
    pressure: options.pressure ?? new Pressure(1 << 20),
    peers: new Set<WsPeer>(),
    onPeerError: (_peer: Peer, error: Error & { code?: string }) => void errors.push(error),
  };
  const peer = new WsPeer({ id: 'c1', endpoint: '/ws', url: '/ws?x=1', socket: socket as unknown as WebSocket, settings });
  settings.peers.add(peer);
  const messages: Setup['messages'] = [];
  const closes: Setup['closes'] = [];
  peer.attach({ onMessage: (_p, data, isBinary) => void messages.push({ data, isBinary }), onClose: (_p, code, reason) => void closes.push({ code, reason }) });
  return { peer, socket, settings, errors, messages, closes };
}

/** The payload of an unmasked frame of under 126 bytes, and whether it is binary. */
function unframe(wire: Buffer | undefined): [string, boolean] {
  assert.ok(wire !== undefined, 'a frame was written');
  return [wire.subarray(2).toString(), wire[0] === 0x82];
}

describe('the WebSocket peer: the path to the wire', () => {
  it('without compression a reply is our frame on the TCP socket, counted and shown to the tap', () => {
    const { peer, socket } = setup();
    const seen: string[] = [];
    peer.observers = [(_peer, direction, data, isBinary) => seen.push(`${direction} ${data.toString()} ${isBinary}`)];
    peer.send('hello', 'test');
    assert.deepEqual(unframe(socket._socket?.writes[0]), ['hello', false]);
    assert.equal(socket.sent.length, 0, 'not through ws');
    assert.deepEqual([peer.counters.messagesOut, peer.counters.bytesOut], [1, 5]);
    assert.deepEqual(seen, ['out hello false']);
    assert.deepEqual([peer.remoteAddress, peer.compressed, peer.open, peer.closed], ['10.0.0.9', false, true, false]);
    assert.equal(peer.alive, true, 'alive until a heartbeat goes unanswered');
    socket.bufferedAmount = 1234;
    assert.equal(peer.bufferedAmount, 1234, 'what the guard sums');
  });

  it('broadcasts of one turn after the first are corked until the turn ends', () => {
    const { peer, socket, settings } = setup();
    peer.offer(Buffer.from('a'));
    peer.offer(Buffer.from('b'));
    peer.offer(Buffer.from('c'));
    assert.equal(socket._socket?.corks, 1);
    settings.realClock.advance(0);
    assert.equal(socket._socket?.writes.length, 3);
  });

  it('a compressed connection sends everything through ws, text as text and binary as binary', () => {
    const { peer, socket } = setup({ extensions: 'permessage-deflate' });
    assert.equal(peer.compressed, true);
    peer.send(Buffer.from('a'), 'test');
    assert.equal(peer.offer(Buffer.from('b'), true), true);
    assert.equal(peer.offer(Buffer.from('c')), true);
    assert.deepEqual(socket.sent.map((s) => [s.data.toString(), s.binary]), [['a', false], ['b', true], ['c', false]]);
    assert.equal(socket._socket?.writes.length, 0);
  });

  it('a broadcast offer goes through the server\'s broadcast writer onto the TCP socket', () => {
    const { peer, socket } = setup();
    assert.equal(peer.offer(Buffer.from('tick'), true), true);
    assert.deepEqual(unframe(socket._socket?.writes[0]), ['tick', true]);
    assert.deepEqual([peer.counters.messagesOut, peer.counters.bytesOut], [1, 4]);
  });

  it('sendData and relay go through ws with their kind; relay says when its message has left', () => {
    const { peer, socket } = setup();
    const seen: boolean[] = [];
    peer.observers = [(_peer, _direction, _data, isBinary) => seen.push(isBinary)];
    peer.sendData(Buffer.from('bin'), true, 'test');
    let written = false;
    peer.relay(Buffer.from('txt'), false, () => (written = true));
    assert.deepEqual(socket.sent.map((s) => [s.data.toString(), s.binary]), [['bin', true], ['txt', false]]);
    assert.equal(written, true);
    assert.deepEqual([peer.counters.messagesOut, peer.counters.bytesOut, seen], [2, 6, [true, false]]);
  });

  it('nothing is sent on a socket that is not open, and the remote address of a gone socket is unknown', () => {
    const { peer, socket } = setup();
    socket.readyState = socket.CLOSING;
    assert.deepEqual([peer.open, peer.closed], [false, true]);
    peer.send('x', 'test');
    peer.sendData(Buffer.from('x'), false, 'test');
    peer.relay(Buffer.from('x'), false);
    assert.equal(peer.offer(Buffer.from('x')), false);
    assert.deepEqual([socket.sent.length, socket._socket?.writes.length, peer.counters.messagesOut], [0, 0, 0]);
    socket.readyState = socket.CLOSED;
    assert.equal(peer.closed, true);
    socket._socket = undefined;
    assert.equal(peer.remoteAddress, 'unknown');
  });

  it('a socket without ws\'s private TCP field is written through ws', () => {
    const socket = new FakeSocket();
    socket._socket = undefined;
    const realClock = new ManualClock(0);
    const peer = new WsPeer({
      id: 'c2',
      endpoint: '/ws',
      url: '/ws',
      socket: socket as unknown as WebSocket,
      settings: { maxBufferedBytes: 10, slowClientGrace: 10, clock: realClock, realClock, broadcasts: new BroadcastWriter(realClock), pressure: new Pressure(100), peers: new Set(), onPeerError: () => {} },
    });
    peer.send('x', 'test');
    assert.deepEqual(socket.sent.map((s) => s.data.toString()), ['x']);
  });
});

describe('the WebSocket peer: a client that does not read', () => {
  it('with nothing queued a message always leaves, without charging the server-wide budget', () => {
    const pressure = new Pressure(10);
    const { peer, socket } = setup({ pressure });
    peer.send('a message longer than the budget', 'test');
    assert.deepEqual([socket._socket?.writes.length, pressure.budget, peer.counters.dropped], [1, 10, 0]);
  });

  it('a queue within the cap is charged to the budget; once it is spent, messages are dropped and counted', () => {
    const pressure = new Pressure(100);
    const { peer, socket } = setup({ pressure });
    socket.bufferedAmount = 1000;
    assert.equal(peer.offer(Buffer.alloc(60)), true);
    assert.equal(peer.offer(Buffer.alloc(60)), false);
    peer.sendData(Buffer.alloc(60), true, 'test');
    peer.send(Buffer.alloc(40), 'test');
    assert.deepEqual([socket._socket?.writes.length, socket.sent.length, peer.counters.dropped, pressure.budget], [2, 0, 2, 0]);
    assert.equal(socket.paused, false, 'within its cap, its reads go on');
  });

  it('over the cap: dropped, its reads paused, watched by the guard; let go with 1013 after the grace period, destroyed 1 s later', () => {
    const { peer, socket, settings, errors } = setup();
    socket.bufferedAmount = 1001;
    assert.equal(peer.offer(Buffer.from('x')), false);
    assert.deepEqual([peer.counters.dropped, socket.paused, settings.pressure.behind.has(peer)], [1, true, true]);
    settings.clock.advance(500);
    assert.equal(peer.checkBehind(settings.clock.now()), true, 'still behind');
    assert.deepEqual(socket.closes, [], 'within the grace period');
    settings.clock.advance(1);
    assert.equal(peer.checkBehind(settings.clock.now()), true);
    assert.deepEqual(socket.closes, [[1013, SLOW_CLIENT_REASON]]);
    assert.deepEqual([peer.closeSent, peer.closeReason], [1013, SLOW_CLIENT_REASON]);
    assert.equal(errors[0]?.code, 'MW_SLOW_CLIENT');
    assert.equal(errors[0]?.message, `${SLOW_CLIENT_REASON}: over 1000 bytes queued for 500 ms`);
    settings.realClock.advance(999);
    assert.equal(socket.terminated, false, 'the close has 1 s to be answered');
    settings.realClock.advance(1);
    assert.equal(socket.terminated, true);
  });

  it('the grace period counts from when it first fell behind, not from each refused message', () => {
    const { peer, socket, settings, errors } = setup();
    socket.bufferedAmount = 5000;
    peer.offer(Buffer.from('x'));
    settings.clock.advance(300);
    peer.offer(Buffer.from('y'));
    settings.clock.advance(201);
    peer.checkBehind(settings.clock.now());
    assert.equal(socket.closes.length, 1);
    peer.evict();
    assert.equal(socket.closes.length, 1, 'a closed client is not evicted twice');
    assert.equal(errors.length, 1, 'nor reported twice');
  });

  it('a client never behind is not behind, whatever its queue; one that catches up by itself reads again', () => {
    const { peer, socket, settings } = setup();
    socket.bufferedAmount = 5000;
    assert.equal(peer.checkBehind(settings.clock.now() + 10_000), false);
    assert.equal(socket.closes.length, 0);
    peer.offer(Buffer.from('x'));
    assert.equal(socket.paused, true);
    socket.bufferedAmount = 0;
    peer.offer(Buffer.from('y'));
    assert.equal(socket.paused, false);
  });

  it('a client that catches up reads again and is behind no more; one its logic paused stays paused', () => {
    const { peer, socket, settings } = setup();
    socket.bufferedAmount = 5000;
    peer.offer(Buffer.from('x'));
    assert.equal(socket.paused, true);
    peer.resume();
    assert.equal(socket.paused, true, 'resumed by its logic while behind: still not read');
    socket.bufferedAmount = 1000;
    assert.equal(peer.checkBehind(settings.clock.now() + 10_000), false);
    assert.deepEqual([socket.paused, socket.closes.length], [false, 0]);
    assert.equal(peer.checkBehind(settings.clock.now() + 10_000), false, 'no longer behind');

    peer.pause();
    socket.bufferedAmount = 5000;
    peer.offer(Buffer.from('x'));
    socket.bufferedAmount = 0;
    assert.equal(peer.offer(Buffer.from('y')), true, 'nothing queued: it leaves');
    assert.equal(socket.paused, true, 'its logic still holds it');
    peer.resume();
    assert.equal(socket.paused, false);
  });

  it('a relayed message that takes the queue over the cap puts the client behind (its reads paused)', () => {
    const { peer, socket, settings } = setup();
    socket.bufferedAmount = 1000;
    peer.relay(Buffer.from('x'), false);
    assert.equal(socket.paused, false, 'at the cap, not over it');
    assert.equal(settings.pressure.behind.has(peer), false, 'not watched');
    socket.bufferedAmount = 1001;
    peer.relay(Buffer.from('y'), false);
    assert.deepEqual([socket.sent.length, socket.paused, settings.pressure.behind.has(peer)], [2, true, true]);
  });
});

describe('the WebSocket peer: the socket\'s events', () => {
  it('a message is counted, shown to the tap and handed to the logic as one Buffer; a pong marks it alive', () => {
    const { peer, socket, messages } = setup();
    const seen: string[] = [];
    peer.observers = [(_peer, direction, data, isBinary) => seen.push(`${direction} ${data.toString()} ${isBinary}`)];
    socket.emit('message', [Buffer.from('ab'), Buffer.from('c')], false);
    socket.emit('message', Buffer.from('de'), true);
    assert.deepEqual(messages.map((m) => [m.data.toString(), m.isBinary]), [['abc', false], ['de', true]]);
    assert.deepEqual([peer.counters.messagesIn, peer.counters.bytesIn], [2, 5]);
    assert.deepEqual(seen, ['in abc false', 'in de true']);
    peer.alive = false;
    socket.emit('pong');
    assert.equal(peer.alive, true);
  });

  it('a broken frame: the code ws sent is remembered, the socket destroyed 1 s later, and the close reported with that code', () => {
    const { peer, socket, settings, errors, closes } = setup();
    const error = Object.assign(new Error('Invalid UTF-8 sequence'), { code: 'WS_ERR_INVALID_UTF8' });
    socket.emit('error', error);
    assert.deepEqual([peer.closeSent, peer.closeReason, errors], [1007, 'Invalid UTF-8 sequence', [error]]);
    settings.realClock.advance(1000);
    assert.equal(socket.terminated, true);
    settings.pressure.behind.add(peer);
    socket.emit('close', 1006, Buffer.from(''));
    assert.deepEqual(closes, [{ code: 1007, reason: 'Invalid UTF-8 sequence' }]);
    assert.deepEqual([settings.peers.has(peer), settings.pressure.behind.has(peer)], [false, false]);
  });

  it('an error without a protocol code is reported only; a second protocol error keeps the first code', () => {
    const { peer, socket, settings, errors } = setup();
    socket.emit('error', new Error('read ECONNRESET'));
    socket.emit('error', Object.assign(new Error('odd'), { code: 'SOMETHING_ELSE' }));
    assert.deepEqual([peer.closeSent, errors.length], [undefined, 2]);
    settings.realClock.advance(1000);
    assert.equal(socket.terminated, false);
    socket.emit('error', Object.assign(new Error('too big'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }));
    socket.emit('error', Object.assign(new Error('bad opcode'), { code: 'WS_ERR_INVALID_OPCODE' }));
    assert.deepEqual([peer.closeSent, peer.closeReason], [1009, 'too big']);
  });

  it('a close handshake is reported with the client\'s code and reason; an abrupt end before any close of ours as 1006', () => {
    const a = setup();
    a.socket.emit('close', 1000, Buffer.from('bye'));
    assert.deepEqual(a.closes, [{ code: 1000, reason: 'bye' }]);
    const b = setup();
    b.socket.emit('close', 1006, Buffer.from(''));
    assert.deepEqual(b.closes, [{ code: 1006, reason: '' }]);
    const c = setup();
    c.peer.close(4000, 'done');
    c.socket.emit('close', 1000, Buffer.from('ok'));
    assert.deepEqual(c.closes, [{ code: 1000, reason: 'ok' }], 'answered: the client\'s own close');
  });

  it('close sends once, remembering the code (1005 when none) and reason', () => {
    const { peer, socket } = setup();
    peer.close();
    assert.deepEqual([peer.closeSent, peer.closeReason, socket.closes], [1005, '', [[undefined, undefined]]]);
    peer.close(1000, 'again');
    assert.equal(socket.closes.length, 1, 'closing already');
    socket.readyState = socket.CLOSED;
    peer.close(1000, 'again');
    assert.equal(socket.closes.length, 1, 'closed');
    assert.equal(peer.closeSent, 1005);
    peer.terminate();
    assert.equal(socket.terminated, true);
  });
});
