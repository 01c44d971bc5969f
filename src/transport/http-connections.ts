/**
 * Plain HTTP connections that pipeline requests faster than they read the answers. Node's server has a guard
 * of its own, which is not enough: it stops reading a connection while answers wait for their turn, but
 * starts again as soon as they leave that queue for the socket, whose buffer then grows without bound (it
 * looks at the socket's `writableNeedDrain` only when the next request arrives, and resumes without it); and
 * it parses a whole read (64 KiB, some 1,800 small GETs) before pausing, handing every request of it over at
 * once. `maxRequestsPerSocket` bounds a connection's requests over its life, not what is outstanding. So,
 * per connection:
 *
 * - at most `MAX_ACTIVE_PER_CONNECTION` requests are being answered at once; the others wait their turn in
 *   order, and are handed over on the event loop's next turn (the real clock's `nextTurn`), so a connection's
 *   backlog yields to other connections' input between batches instead of holding the event loop;
 * - the connection is not read while requests wait, or while its socket holds more than its high-water mark
 *   of unsent bytes (`writableNeedDrain`: the client is not reading); reading resumes once answers have
 *   left and the socket has drained. A client that stops reading its answers therefore stops being read
 *   itself, and its requests stop at the TCP window, costing the server nothing;
 * - a held connection whose unsent answers do not move for `slowClientGrace` is destroyed, freeing what it
 *   holds, as a WebSocket client behind on its messages is evicted (`ws-peer.ts`); the same `Pressure` round
 *   checks both.
 *
 * The state is kept per socket in a WeakMap and the listeners are shared functions, so a connection makes no
 * closures of its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, LoopClock } from '../util/clock.ts';
import { MAX_ACTIVE_PER_CONNECTION } from './constants.ts';
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

class HttpConnection implements Pressured {
  readonly socket: Socket;
  readonly settings: HttpConnectionSettings;
  /** Requests handed to the handler whose answers have not ended. */
  active = 0;
  /** Requests parsed and not handed over yet, oldest first. */
  waiting: [IncomingMessage, ServerResponse][] = [];
  /** Reading paused by this guard (Node may pause the socket for reasons of its own besides). */
  held = false;
  /** A hand-over of waiting requests is scheduled. */
  scheduled = false;
  /** While held: since when no byte of its answers has left (reset by every answer and every byte that leaves). */
  behindSince: number | undefined;
  /** The socket's unsent bytes at the last check. */
  lastPending = 0;

  constructor(socket: Socket, settings: HttpConnectionSettings) {
    this.socket = socket;
    this.settings = settings;
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
    response.once('close', onAnswerEnd);
    this.settings.handler(request, response);
  }
}

const CONNECTIONS = new WeakMap<Socket, HttpConnection>();

/** Hands waiting requests over while there is room. */
function handOver(this: Socket): void {
  const connection = CONNECTIONS.get(this);
  if (connection === undefined) return;
  connection.scheduled = false;
  while (connection.active < MAX_ACTIVE_PER_CONNECTION && connection.waiting.length > 0 && !this.destroyed) {
    const [request, response] = connection.waiting.shift() as [IncomingMessage, ServerResponse];
    connection.run(request, response);
  }
  connection.update();
}

function onAnswerEnd(this: ServerResponse): void {
  const socket = this.req.socket;
  const connection = CONNECTIONS.get(socket);
  if (connection === undefined) return;
  connection.active -= 1;
  if (connection.behindSince !== undefined) connection.behindSince = connection.settings.clock.now();
  if (connection.waiting.length > 0 && !connection.scheduled) {
    connection.scheduled = true;
    connection.settings.realClock.nextTurn(handOver.bind(socket));
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
  if (connection !== undefined) connection.waiting = [];
}

/** The server's request handler, behind the per-connection guard. */
export function guardConnections(settings: HttpConnectionSettings): Handler {
  return (request, response) => {
    const socket = request.socket;
    let connection = CONNECTIONS.get(socket);
    if (connection === undefined) {
      connection = new HttpConnection(socket, settings);
      CONNECTIONS.set(socket, connection);
      socket.on('drain', onDrain);
      socket.on('resume', onResume);
      socket.once('close', onClose);
    }
    if (connection.active < MAX_ACTIVE_PER_CONNECTION && connection.waiting.length === 0) connection.run(request, response);
    else connection.waiting.push([request, response]);
    connection.update();
  };
}

/** Leaves a socket to another protocol (a WebSocket upgrade on a connection that served requests before). */
export function releaseConnection(socket: Socket): void {
  const connection = CONNECTIONS.get(socket);
  if (connection === undefined) return;
  CONNECTIONS.delete(socket);
  connection.held = false;
  socket.off('drain', onDrain);
  socket.off('resume', onResume);
  socket.off('close', onClose);
}
