/**
 * The per-connection guard of plain HTTP (transport/http-connections.ts) over stand-in sockets and responses:
 * 16 requests answered at once and the rest in order on a later turn, the connection not read while any wait
 * or its socket needs to drain, a held connection whose answers do not move destroyed after the grace period,
 * and a socket handed to another protocol left alone.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { MAX_ACTIVE_PER_CONNECTION } from '../../src/transport/constants.ts';
import { guardConnections, releaseConnection } from '../../src/transport/http-connections.ts';
import { Pressure } from '../../src/transport/pressure.ts';
import { ManualClock } from '../../src/util/clock.ts';

class FakeSocket extends EventEmitter {
  writableLength = 0;
  writableNeedDrain = false;
  destroyed = false;
  paused = false;
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    this.emit('resume');
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }
}

function setup() {
  const clock = new ManualClock(0);
  const realClock = new ManualClock(0);
  const pressure = new Pressure(1 << 20);
  const handled: { n: number; response: ServerResponse }[] = [];
  const handler = guardConnections({ handler: (request, response) => void handled.push({ n: (request as unknown as { n: number }).n, response }), clock, realClock, slowClientGrace: 500, pressure });
  const socket = new FakeSocket();
  let n = 0;
  /** A request on the socket, handed to the guard. */
  const request = (on: FakeSocket = socket): void => {
    const req = { n: n++, socket: on } as unknown as IncomingMessage;
    const response = Object.assign(new EventEmitter(), { req });
    handler(req, response as unknown as ServerResponse);
  };
  /** The answer to the `index`-th request handed over ends. */
  const answer = (index: number): void => void (handled[index]?.response as unknown as EventEmitter).emit('close');
  return { clock, realClock, pressure, handled, socket, request, answer };
}

describe('the HTTP connection guard', () => {
  it('answers 16 requests of a connection at once; the rest wait, in order, and are handed over on a later turn as answers end', () => {
    const { realClock, handled, socket, request, answer, pressure } = setup();
    for (let i = 0; i < MAX_ACTIVE_PER_CONNECTION; i++) request();
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION);
    assert.equal(socket.paused, true, 'at the limit, the connection is not read');
    request();
    request();
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION, 'the 17th and 18th wait');
    assert.ok([...pressure.behind].length === 1, 'the held connection is watched by the round');
    answer(0);
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION, 'not handed over in the same turn');
    answer(1);
    assert.equal(realClock.pending, 1, 'one hand-over scheduled for both');
    realClock.advance(0);
    assert.deepEqual(handled.slice(MAX_ACTIVE_PER_CONNECTION).map((h) => h.n), [16, 17]);
    assert.equal(socket.paused, true, '16 being answered again');
    answer(2);
    assert.equal(socket.paused, false, 'room again and nothing waits: read on');
    assert.equal(realClock.pending, 0);
  });

  it('a connection with requests in flight but under the limit is read on', () => {
    const { socket, request, handled, pressure } = setup();
    request();
    assert.deepEqual([handled.length, socket.paused, pressure.behind.size], [1, false, 0]);
    request();
    assert.deepEqual([handled.length, socket.paused], [2, false]);
  });

  it('hand-overs go on turn after turn, never past 16 being answered, and stop when nothing waits', () => {
    const { realClock, handled, socket, request, answer } = setup();
    for (let i = 0; i < MAX_ACTIVE_PER_CONNECTION + 4; i++) request();
    answer(0);
    realClock.advance(0);
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION + 1, 'one ended, one handed over');
    answer(1);
    realClock.advance(0);
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION + 2, 'a second turn');
    for (const i of [2, 3, 4, 5]) answer(i);
    realClock.advance(0);
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION + 4, 'the last two, and nothing more');
    assert.equal(socket.paused, false);
  });

  it('a request that arrives while others wait for their hand-over waits behind them, even with room', () => {
    const { realClock, handled, request, answer } = setup();
    for (let i = 0; i < MAX_ACTIVE_PER_CONNECTION + 2; i++) request();
    answer(0);
    answer(1);
    answer(2);
    request();
    realClock.advance(0);
    assert.deepEqual(handled.slice(MAX_ACTIVE_PER_CONNECTION).map((h) => h.n), [16, 17, 18]);
  });

  it('a held connection with nothing unsent (its answers still being made) is never destroyed', () => {
    const { clock, socket, request, pressure } = setup();
    for (let i = 0; i <= MAX_ACTIVE_PER_CONNECTION; i++) request();
    const [guarded] = [...pressure.behind];
    assert.ok(guarded !== undefined);
    for (let i = 0; i < 5; i++) {
      assert.equal(guarded.checkBehind(clock.now()), true);
      clock.advance(1000);
    }
    assert.equal(socket.destroyed, false);
  });

  it('a destroyed socket whose close has not been emitted yet hands nothing more over', () => {
    const { realClock, handled, socket, request, answer } = setup();
    for (let i = 0; i <= MAX_ACTIVE_PER_CONNECTION; i++) request();
    socket.destroyed = true;
    answer(0);
    realClock.advance(0);
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION);
  });

  it('a connection whose socket needs to drain is not read until it drains; Node resuming it is undone meanwhile', () => {
    const { socket, request, handled } = setup();
    socket.writableNeedDrain = true;
    request();
    assert.deepEqual([handled.length, socket.paused], [1, true]);
    socket.resume();
    assert.equal(socket.paused, true, 'held: paused again');
    socket.writableNeedDrain = false;
    socket.emit('drain');
    assert.equal(socket.paused, false);
  });
});

describe('the HTTP connection guard: a client that does not read its answers', () => {
  it('held with unsent bytes that do not move for the grace period: destroyed; bytes that move or nothing unsent keep it', () => {
    const { clock, socket, request, pressure, answer } = setup();
    for (let i = 0; i <= MAX_ACTIVE_PER_CONNECTION; i++) request();
    const [guarded] = [...pressure.behind];
    assert.ok(guarded !== undefined);
    assert.equal(guarded.bufferedAmount, 0);
    assert.equal(guarded.checkBehind(clock.now()), true, 'nothing unsent: answers still being made');
    socket.writableLength = 100;
    assert.equal(guarded.checkBehind(clock.now()), true, 'first sight of unsent bytes');
    clock.advance(500);
    assert.equal(guarded.checkBehind(clock.now()), true, 'within the grace period');
    socket.writableLength = 90;
    clock.advance(400);
    assert.equal(guarded.checkBehind(clock.now()), true, 'bytes moved: the period starts again');
    clock.advance(400);
    assert.equal(guarded.checkBehind(clock.now()), true);
    answer(0);
    clock.advance(400);
    assert.equal(guarded.checkBehind(clock.now()), true, 'an answer ended: the period starts again');
    assert.equal(socket.destroyed, false);
    clock.advance(101);
    assert.equal(guarded.checkBehind(clock.now()), false);
    assert.equal(socket.destroyed, true);
    assert.equal(guarded.closed, true);
  });

  it('held again later with the same unsent bytes: the grace period starts anew, not from the earlier hold', () => {
    const { clock, realClock, socket, request, pressure, answer } = setup();
    for (let i = 0; i <= MAX_ACTIVE_PER_CONNECTION; i++) request();
    const [guarded] = [...pressure.behind];
    assert.ok(guarded !== undefined);
    socket.writableLength = 100;
    guarded.checkBehind(clock.now());
    answer(0);
    realClock.advance(0);
    answer(1);
    assert.equal(socket.paused, false, 'read again');
    assert.equal(guarded.checkBehind(clock.now()), false);
    clock.advance(10_000);
    request();
    assert.equal(socket.paused, true, 'held again');
    assert.equal(guarded.checkBehind(clock.now()), true);
    assert.equal(socket.destroyed, false);
  });

  it('a connection read again is behind no more; a destroyed one is not resumed and its waiting requests are dropped', () => {
    const { clock, realClock, socket, request, pressure, answer, handled } = setup();
    for (let i = 0; i <= MAX_ACTIVE_PER_CONNECTION; i++) request();
    const [guarded] = [...pressure.behind];
    assert.ok(guarded !== undefined);
    answer(0);
    realClock.advance(0);
    answer(1);
    assert.equal(socket.paused, false);
    assert.equal(guarded.checkBehind(clock.now()), false, 'not held');
    request();
    request();
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION + 2, '16 active again: the next waits');
    socket.destroy();
    answer(2);
    realClock.advance(0);
    assert.equal(handled.length, MAX_ACTIVE_PER_CONNECTION + 2, 'a destroyed connection hands nothing over');
    assert.equal(socket.paused, true, 'nor is it read again');
  });

  it('a socket released to another protocol is no longer held or guarded', () => {
    const { socket, request, handled } = setup();
    socket.writableNeedDrain = true;
    request();
    assert.equal(socket.paused, true);
    releaseConnection(socket as unknown as Socket);
    socket.resume();
    assert.equal(socket.paused, false, 'no longer paused again');
    socket.emit('drain');
    assert.equal(handled.length, 1);
    releaseConnection(socket as unknown as Socket);
    const other = new FakeSocket();
    releaseConnection(other as unknown as Socket);
    assert.equal(other.listenerCount('drain'), 0);
  });
});
