/**
 * Plain HTTP connections that pipeline requests faster than they read the answers. Node's server has a guard
 * of its own, which is not enough: it stops reading a connection while answers wait for their turn, but
 * starts again as soon as they leave that queue for the socket, whose buffer then grows without bound (it
 * looks at the socket's `writableNeedDrain` only when the next request arrives, and resumes without it); and
 * it parses a whole read (64 KiB, some 1,600 small GETs) before pausing, handing every request of it over at
 * once, each as an `IncomingMessage` and a `ServerResponse` that Node keeps until that answer has left for the
 * socket (HTTP/1.1 answers in order: one request held keeps every later one of its connection held too).
 * `maxRequestsPerSocket` bounds a connection's requests over its life, not what is outstanding. So:
 *
 * - per connection, at most `MAX_ACTIVE_PER_CONNECTION` requests are being answered at once; the others wait
 *   their turn in order. As its answers end, a connection's waiting requests are handed over, up to
 *   `HANDED_PER_TURN` (128) in one turn of the event loop; the rest on the next turn (the real clock's
 *   `nextTurn`, one call for every connection due), so a connection's backlog yields to other connections'
 *   input between batches instead of holding the event loop, yet gets through a read in some 13 turns (at 16
 *   a turn, a connection waiting behind hundreds of others outlived Node's `headersTimeout` with half a
 *   request in its parser, and was closed with a 408);
 * - server-wide (per guard), at most `MAX_WAITING_REQUESTS` (2,048) requests wait. Past that the guard
 *   hurries until fewer than half of that wait: every connection's waiting requests are handed over as soon
 *   as answers of its own end, in the same turn, as bare `node:http` does, so a connection's read is answered
 *   into its socket's buffer and let go before the next connection's read is parsed. Without this bound, 500
 *   connections that each pipelined a read of GETs had 800,000 requests (some 520 MB of request and answer
 *   objects) waiting at once for their turns. What the server holds of pipelined requests is then at most
 *   the bound, plus the read that went over it, plus the 16 of each connection being answered (a route with a
 *   `delay`), plus what Node holds of answers the kernel has not taken (as bare `node:http` does; bounded by
 *   the next point and by `slowClientGrace`). `test/integration/http-pipelining.test.ts` reads Node's own
 *   count of requests parsed and not finished;
 * - the connection is not read while requests wait, or while its socket holds more than its high-water mark
 *   of unsent bytes (`writableNeedDrain`: the client is not reading); reading resumes once answers have
 *   left and the socket has drained. A client that stops reading its answers therefore stops being read
 *   itself, and its requests stop at the TCP window, costing the server nothing;
 * - a held connection whose unsent answers do not move for `slowClientGrace` is destroyed, freeing what it
 *   holds, as a WebSocket client behind on its messages is evicted (`ws-peer.ts`); the same `Pressure` round
 *   checks both.
 *
 * A request that does not wait costs two WeakMap lookups, a shared `close` listener on its answer (no closure,
 * no `once` wrapper) and a look at the socket's state; a waiting one an array slot besides. The state is kept
 * per socket in a WeakMap and the listeners are shared functions, so a connection makes no closures of its
 * own, and the guard's one hand-over function serves every connection due on the next turn.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, LoopClock } from '../util/clock.ts';
import { HANDED_PER_TURN, MAX_ACTIVE_PER_CONNECTION, MAX_WAITING_REQUESTS } from './constants.ts';
import type { Pressure, Pressured } from './pressure.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface HttpConnectionSettings {
  readonly handler: Handler;
  /** The server's clock: since when a held connection's answers have not moved. */
  readonly clock: Clock;
  /** The real clock, whose next turn hands waiting requests over. */
  readonly realClock: LoopClock;
  /** ms a connection may leave its answers unread before it is destroyed. */
  readonly slowClientGrace: number;
  /** The round that looks at every connection that is behind (WebSocket clients too). */
  readonly pressure: Pressure;
}

/** What one guard (one server) has waiting, over all its connections. */
class Backlog {
  /** Requests waiting for their turn, over all connections. */
  waiting = 0;
  /**
   * Set when `waiting` goes over `MAX_WAITING_REQUESTS`, cleared when it is back under half of it: meanwhile
   * every connection's waiting requests are handed over as soon as answers of its own end, not a turn later.
   */
  hurry = false;
  /** Connections whose waiting requests are handed over on the next turn. */
  due: HttpConnection[] = [];
  readonly realClock: LoopClock;
  /** The one function the next turn calls, for every connection due. */
  readonly handOverDue = (): void => {
    const due = this.due;
    this.due = [];
    for (const connection of due) {
      connection.scheduled = false;
      connection.turnLeft = HANDED_PER_TURN;
      connection.handOver();
    }
  };

  constructor(realClock: LoopClock) {
    this.realClock = realClock;
  }

  /** `count` requests no longer wait (handed over, or their connection closed). */
  release(count: number): void {
    this.waiting -= count;
    if (this.hurry && this.waiting <= MAX_WAITING_REQUESTS / 2) this.hurry = false;
  }

  schedule(connection: HttpConnection): void {
    connection.scheduled = true;
    if (this.due.push(connection) === 1) this.realClock.nextTurn(this.handOverDue);
  }
}

class HttpConnection implements Pressured {
  readonly socket: Socket;
  readonly settings: HttpConnectionSettings;
  readonly backlog: Backlog;
  /** Requests handed to the handler whose answers have not ended. */
  active = 0;
  /** Answers of requests parsed and not handed over yet, oldest first (each knows its request). */
  waiting: ServerResponse[] = [];
  /** Reading paused by this guard (Node may pause the socket for reasons of its own besides). */
  held = false;
  /** A hand-over of waiting requests is scheduled. */
  scheduled = false;
  /** Requests that may still be handed over as answers end before the rest wait for a turn (`HANDED_PER_TURN` a turn). */
  turnLeft = 0;
  /** While held: since when no byte of its answers has left (reset by every answer and every byte that leaves). */
  behindSince: number | undefined;
  /** The socket's unsent bytes at the last check. */
  lastPending = 0;

  constructor(socket: Socket, settings: HttpConnectionSettings, backlog: Backlog) {
    this.socket = socket;
    this.settings = settings;
    this.backlog = backlog;
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  /**
   * The `Pressure` round, for a held connection: the client is behind when its socket has unsent bytes that
   * have not moved since the last round (the kernel's buffers toward it are full). Nothing unsent means the
   * answers are still being made (a slow route), which is not the client's doing.
   */
  checkBehind(now: number): boolean {
    if (!this.held) {
      this.behindSince = undefined;
      return false;
    }
    const pending = this.socket.writableLength;
    if (pending === 0 || pending !== this.lastPending || this.behindSince === undefined) {
      this.lastPending = pending;
      this.behindSince = now;
      return true;
    }
    if (now - this.behindSince <= this.settings.slowClientGrace) return true;
    this.socket.destroy();
    return false;
  }

  /** Reads again, or stops reading, as the connection's state now says. */
  update(): void {
    const socket = this.socket;
    const behind = this.waiting.length > 0 || this.active >= MAX_ACTIVE_PER_CONNECTION || socket.writableNeedDrain;
    if (behind && !this.held) {
      this.held = true;
      socket.pause();
      this.settings.pressure.behind.add(this);
    } else if (!behind && this.held && !socket.destroyed) {
      this.held = false;
      socket.resume();
    }
  }

  run(request: IncomingMessage, response: ServerResponse): void {
    this.active += 1;
    // A shared listener: `once` would wrap it in a closure per request. A response closes once.
    response.on('close', onAnswerEnd);
    this.settings.handler(request, response);
  }

  /** Hands waiting requests over while there is room, and this turn's share (or the server's hurry) allows. */
  handOver(): void {
    const waiting = this.waiting;
    const backlog = this.backlog;
    let handed = 0;
    while (this.active < MAX_ACTIVE_PER_CONNECTION && handed < waiting.length && (this.turnLeft > 0 || backlog.hurry) && !this.socket.destroyed) {
      const response = waiting[handed] as ServerResponse;
      handed += 1;
      this.turnLeft -= 1;
      this.run(response.req, response);
    }
    if (handed > 0) {
      waiting.splice(0, handed);
      backlog.release(handed);
    }
    // No answer of its own in flight to call for the rest: the next turn does.
    if (this.active === 0 && waiting.length > 0 && !this.scheduled) backlog.schedule(this);
    this.update();
  }
}

const CONNECTIONS = new WeakMap<Socket, HttpConnection>();

function onAnswerEnd(this: ServerResponse): void {
  const connection = CONNECTIONS.get(this.req.socket);
  if (connection === undefined) return;
  connection.active -= 1;
  if (connection.behindSince !== undefined) connection.behindSince = connection.settings.clock.now();
  if (connection.waiting.length > 0) {
    const backlog = connection.backlog;
    // Past the server-wide bound, no more requests wait for a later turn: this connection's go on now.
    if (backlog.waiting > MAX_WAITING_REQUESTS) backlog.hurry = true;
    if (backlog.hurry || connection.turnLeft > 0) {
      connection.handOver();
      return;
    }
    if (!connection.scheduled) backlog.schedule(connection);
  }
  connection.update();
}

function onDrain(this: Socket): void {
  CONNECTIONS.get(this)?.update();
}

/** Node's server resumes a socket it paused itself whenever its own queue allows: held here, it stays paused. */
function onResume(this: Socket): void {
  if (CONNECTIONS.get(this)?.held === true) this.pause();
}

function onClose(this: Socket): void {
  const connection = CONNECTIONS.get(this);
  if (connection === undefined) return;
  connection.backlog.release(connection.waiting.length);
  connection.waiting = [];
}

/** The server's request handler, behind the per-connection guard. */
export function guardConnections(settings: HttpConnectionSettings): Handler {
  const backlog = new Backlog(settings.realClock);
  return (request, response) => {
    const socket = request.socket;
    let connection = CONNECTIONS.get(socket);
    if (connection === undefined) {
      connection = new HttpConnection(socket, settings, backlog);
      CONNECTIONS.set(socket, connection);
      socket.on('drain', onDrain);
      socket.on('resume', onResume);
      socket.once('close', onClose);
    }
    if (connection.active < MAX_ACTIVE_PER_CONNECTION && connection.waiting.length === 0) connection.run(request, response);
    else {
      connection.waiting.push(response);
      backlog.waiting += 1;
    }
    connection.update();
  };
}

/** Leaves a socket to another protocol (a WebSocket upgrade on a connection that served requests before). */
export function releaseConnection(socket: Socket): void {
  const connection = CONNECTIONS.get(socket);
  if (connection === undefined) return;
  CONNECTIONS.delete(socket);
  connection.held = false;
  connection.backlog.release(connection.waiting.length);
  connection.waiting = [];
  socket.off('drain', onDrain);
  socket.off('resume', onResume);
  socket.off('close', onClose);
}
