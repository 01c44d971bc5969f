/**
 * The SSE peer (transport/sse-peer.ts) over a stand-in response and socket: how an event reaches the wire
 * (one HTTP/1.1 chunk on the socket, or the response's own write), what is counted, the byte cap, the
 * server-wide budget, the grace period of a client behind, and that a server's chunk of its last broadcast
 * is its own.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { Pressure } from '../../src/transport/pressure.ts';
import { EventChunks, SsePeer, type SsePeerSettings } from '../../src/sse/peer.ts';
import { ManualClock } from '../../src/util/clock.ts';

/** A response whose socket keeps what is written to it; `queued` is what the client has not read. */
function fakeResponse(options: { chunked?: boolean } = {}) {
  const socketWrites: Buffer[] = [];
  const responseWrites: (string | Buffer)[] = [];
  const state = { queued: 0, ended: undefined as string | undefined, destroyed: false, flushed: false };
  const socket = { remoteAddress: '10.0.0.7', write: (chunk: Buffer) => socketWrites.push(chunk) };
  const response = {
    chunkedEncoding: options.chunked ?? true,
    socket,
    get writableLength() {
      return state.queued;
    },
    get writableEnded() {
      return state.ended !== undefined;
    },
    get destroyed() {
      return state.destroyed;
    },
    flushHeaders: () => void (state.flushed = true),
    write: (chunk: string | Buffer) => responseWrites.push(chunk),
    end: (text?: string) => void (state.ended = text ?? ''),
    destroy: () => void (state.destroyed = true),
  };
  return { response: response as unknown as ServerResponse, socketWrites, responseWrites, state };
}

function settingsOf(overrides: Partial<SsePeerSettings> = {}): SsePeerSettings & { clock: ManualClock } {
  return { maxBufferedBytes: 1000, slowClientGrace: 500, clock: new ManualClock(0), pressure: new Pressure(1 << 20), chunks: new EventChunks(), ...overrides } as SsePeerSettings & { clock: ManualClock };
}

function peerOf(response: ServerResponse, settings: SsePeerSettings): SsePeer {
  return new SsePeer({ id: 'client-1', endpoint: '/events', url: '/events?x=1', response, settings });
}

const event = (text: string): Buffer => Buffer.from(`data: ${text}\n\n`);

describe('the SSE peer: what reaches the wire', () => {
  it('flushes the head at once; an event is one chunk on the socket (size in hex, bytes, CRLF), counted and shown to the tap', () => {
    const { response, socketWrites, state } = fakeResponse();
    const peer = peerOf(response, settingsOf());
    assert.equal(state.flushed, true);
    const seen: string[] = [];
    peer.observers = [(_peer, direction, data) => seen.push(`${direction} ${data.toString().trim()}`)];
    assert.equal(peer.offer(event('hello')), true);
    assert.equal(socketWrites[0]?.toString(), 'd\r\ndata: hello\n\n\r\n');
    assert.deepEqual([peer.counters.messagesOut, peer.counters.bytesOut], [1, 13]);
    assert.deepEqual(seen, ['out data: hello']);
    assert.deepEqual([peer.remoteAddress, peer.compressed], ['10.0.0.7', false]);
  });

  it('send, sendData and relay are offers; a comment is a chunk too but not a message', () => {
    const { response, socketWrites } = fakeResponse();
    const peer = peerOf(response, settingsOf());
    peer.send('data: a\n\n', 'test');
    peer.sendData(event('b'), false, 'test');
    peer.relay(event('c'));
    peer.write(': keep-alive\n\n');
    assert.deepEqual(socketWrites.map((b) => b.toString()), ['9\r\ndata: a\n\n\r\n', '9\r\ndata: b\n\n\r\n', '9\r\ndata: c\n\n\r\n', 'e\r\n: keep-alive\n\n\r\n']);
    assert.equal(peer.counters.messagesOut, 3);
  });

  it('without chunked encoding (HTTP/1.0) everything goes through the response as it is', () => {
    const { response, socketWrites, responseWrites } = fakeResponse({ chunked: false });
    const peer = peerOf(response, settingsOf());
    peer.offer(event('x'));
    peer.write(': c\n\n');
    assert.deepEqual([socketWrites.length, responseWrites.map(String)], [0, ['data: x\n\n', ': c\n\n']]);
  });

  it('close ends the stream with a comment naming the code; nothing is written after', () => {
    const { response, socketWrites, state } = fakeResponse();
    const peer = peerOf(response, settingsOf());
    peer.close(1001, 'server shutting down');
    assert.equal(state.ended, ': closed by the server (1001 server shutting down)\n\n');
    assert.equal(peer.closed, true);
    assert.equal(peer.offer(event('late')), false);
    peer.write(': late\n\n');
    assert.equal(socketWrites.length, 0);
    const quiet = fakeResponse();
    peerOf(quiet.response, settingsOf()).close();
    assert.equal(quiet.state.ended, '', 'no code: ended without a comment');
  });
});

describe('the SSE peer: a client that does not read', () => {
  it('a queue within the cap is charged to the server-wide budget, and dropped once the budget is spent', () => {
    const pressure = new Pressure(100);
    const { response, socketWrites, state } = fakeResponse();
    const peer = peerOf(response, settingsOf({ pressure }));
    state.queued = 1;
    assert.deepEqual([peer.offer(Buffer.alloc(60)), peer.offer(Buffer.alloc(60)), peer.offer(Buffer.alloc(40))], [true, false, true]);
    assert.deepEqual([socketWrites.length, peer.counters.dropped, pressure.budget], [2, 1, 0]);
  });

  it('over the cap, events are dropped and counted; still behind after the grace period, the client is let go', () => {
    const settings = settingsOf();
    const { response, state } = fakeResponse();
    const peer = peerOf(response, settings);
    state.queued = 1001;
    assert.equal(peer.offer(event('x')), false);
    assert.equal(peer.counters.dropped, 1);
    assert.ok(settings.pressure.behind.has(peer), 'the guard\'s rounds watch it');
    settings.clock.advance(500);
    assert.equal(peer.checkBehind(settings.clock.now()), true, 'within the grace period');
    assert.equal(state.destroyed, false);
    settings.clock.advance(1);
    peer.checkBehind(settings.clock.now());
    assert.equal(state.destroyed, true);
  });

  it('a client that catches up is behind no more', () => {
    const settings = settingsOf();
    const { response, state } = fakeResponse();
    const peer = peerOf(response, settings);
    state.queued = 5000;
    peer.offer(event('x'));
    state.queued = 10;
    assert.equal(peer.checkBehind(settings.clock.now() + 10_000), false);
    assert.equal(state.destroyed, false);
  });
});

describe('the chunk of a broadcast belongs to its server', () => {
  it('two servers in one process: a broadcast of one does not evict the other\'s chunk', () => {
    const serverA = settingsOf();
    const serverB = settingsOf();
    const [a1, a2, b1] = [fakeResponse(), fakeResponse(), fakeResponse()];
    const fromA = event('tick of server A');
    const fromB = event('tick of server B');
    peerOf(a1.response, serverA).offer(fromA);
    // Server B broadcasts while server A is between two of its subscribers.
    peerOf(b1.response, serverB).offer(fromB);
    peerOf(a2.response, serverA).offer(fromA);
    assert.equal(a2.socketWrites[0], a1.socketWrites[0], 'server A\'s second subscriber gets the very chunk its first got');
    assert.equal(b1.socketWrites[0]?.toString(), `${fromB.length.toString(16)}\r\n${fromB.toString()}\r\n`);
  });
});

describe('the SSE peer: edges', () => {
  it('the tap sees an event as text; a Buffer sent is the chunk every subscriber shares, not a copy', () => {
    const settings = settingsOf();
    const [a, b] = [fakeResponse(), fakeResponse()];
    const [peerA, peerB] = [peerOf(a.response, settings), peerOf(b.response, settings)];
    const seen: boolean[] = [];
    peerA.observers = [(_peer, _direction, _data, isBinary) => seen.push(isBinary)];
    const tick = event('tick');
    peerA.send(tick, 'test');
    peerB.send(tick, 'test');
    assert.deepEqual(seen, [false]);
    assert.equal(a.socketWrites[0], b.socketWrites[0], 'one chunk built for the broadcast');
  });

  it('nothing queued: never charged to the server-wide budget; exactly at the cap: still admitted, and caught up', () => {
    const pressure = new Pressure(10);
    const settings = settingsOf({ pressure });
    const { response, state } = fakeResponse();
    const peer = peerOf(response, settings);
    assert.equal(peer.offer(event('longer than the budget')), true);
    assert.equal(pressure.budget, 10, 'a write that leaves at once costs the budget nothing');
    state.queued = 1000;
    pressure.budget = 1000;
    assert.equal(peer.offer(event('x')), true, 'at the cap, not over it');
    state.queued = 1001;
    assert.equal(peer.offer(event('x')), false);
    state.queued = 1000;
    assert.equal(peer.checkBehind(settings.clock.now() + 10_000), false, 'back at the cap: caught up');
    assert.equal(state.destroyed, false);
  });

  it('behind, caught up (nothing queued), then behind again: the grace period starts anew', () => {
    const settings = settingsOf();
    const { response, state } = fakeResponse();
    const peer = peerOf(response, settings);
    state.queued = 1001;
    peer.offer(event('x'));
    settings.clock.advance(400);
    state.queued = 0;
    assert.equal(peer.offer(event('y')), true);
    state.queued = 1001;
    peer.offer(event('z'));
    settings.clock.advance(400);
    assert.equal(peer.checkBehind(settings.clock.now()), true);
    assert.equal(state.destroyed, false, '400 ms behind this time, not 800');
  });

  it('a client never behind, or already gone, is not let go by a round', () => {
    const settings = settingsOf();
    const fresh = fakeResponse();
    fresh.state.queued = 5000;
    assert.equal(peerOf(fresh.response, settings).checkBehind(10_000), false);
    assert.equal(fresh.state.destroyed, false);
    const gone = fakeResponse();
    const peer = peerOf(gone.response, settings);
    gone.state.queued = 5000;
    peer.offer(event('x'));
    gone.state.ended = '';
    assert.equal(peer.checkBehind(settings.clock.now() + 10_000), false);
    assert.equal(gone.state.destroyed, false);
  });

  it('close names the code alone when there is no reason; a second close writes nothing; an unknown socket has no address', () => {
    const a = fakeResponse();
    const ends: (string | undefined)[] = [];
    const response = Object.assign(a.response, { end: (text?: string) => void (ends.push(text), (a.state.ended = text ?? '')) });
    const peer = peerOf(response, settingsOf());
    peer.close(1001);
    peer.close(1000, 'again');
    assert.deepEqual(ends, [': closed by the server (1001)\n\n']);
    const b = fakeResponse();
    peerOf(b.response, settingsOf()).close(1001, '');
    assert.equal(b.state.ended, ': closed by the server (1001)\n\n');
    const c = fakeResponse();
    (c.response as unknown as { socket: unknown }).socket = null;
    assert.equal(peerOf(c.response, settingsOf()).remoteAddress, 'unknown');
  });
});
