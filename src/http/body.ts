/**
 * A request's body: read whole with a size cap and a deadline (a client that trickles its body cannot hold a
 * request open for ever), skipped when nobody reads it, or left unread with the connection closed after the
 * answer when it is refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MockwaveError } from '../errors/catalog.ts';
import type { Deadline, Deadlines } from '../util/deadlines.ts';
import { hasBody } from '../util/request-body.ts';

export interface BodyLimits {
  readonly maxBytes: number;
  /**
   * How long the whole body may take to arrive (`http.bodyTimeout`), on one timer shared by every request
   * being read; none: no deadline of its own (Node's `requestTimeout` still ends it).
   */
  readonly deadlines?: Deadlines | undefined;
  /** The refusal of a body over `maxBytes` (`declared`: its Content-Length, when that already says so). */
  readonly tooLarge?: ((declared: number | undefined) => MockwaveError) | undefined;
}

const routeBodyTooLarge = (maxBytes: number) => (declared: number | undefined): MockwaveError =>
  new MockwaveError('MW_HTTP_BODY_TOO_LARGE', declared === undefined ? `Request body is over http.maxBodyBytes (${maxBytes})` : `Request body of ${declared} bytes is over http.maxBodyBytes (${maxBytes})`);

/**
 * Called once, with the whole body or with why it was refused; `context` is what the caller passed to
 * `readBody`, so one function made once serves every request (the caller makes no closure per request).
 */
export type BodyRead<C> = (context: C, ...read: [body: Buffer, error: undefined] | [body: undefined, error: Error]) => void;

/** The body being read on a request, found there by the listeners, which are shared by every request. */
const READING = Symbol('mockwave.bodyReading');

type Reading<C> = {
  readonly limits: BodyLimits;
  readonly context: C;
  readonly done: BodyRead<C>;
  readonly chunks: Buffer[];
  size: number;
  deadline: Deadline | undefined;
};

type BeingRead = IncomingMessage & { [READING]?: Reading<unknown> | undefined };

/**
 * Reads the whole body, refusing one over `maxBytes` (413) or one not complete by its deadline (408), and
 * calls `done` once. A refused body is not read any further: whoever answers closes the connection
 * (`closeAfterAnswer`), since what is left of it may never end (an endless chunked body read and thrown away
 * costs a core). Written with shared listeners and a callback, not a promise: this is on every POST's path,
 * where a promise, its reactions and a closure per listener cost a microsecond a request (what is left per
 * request is the state below and its deadline's closure).
 */
export function readBody<C>(request: IncomingMessage, limits: BodyLimits, context: C, done: BodyRead<C>): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) return done(context, undefined, tooLargeFor(limits, declared));
  const reading: Reading<C> = { limits, context, done, chunks: [], size: 0, deadline: undefined };
  const deadlines = limits.deadlines;
  if (deadlines !== undefined) {
    reading.deadline = deadlines.add(() => stopReading(request, new MockwaveError('MW_HTTP_BODY_TIMEOUT', `Request body not complete within http.bodyTimeout (${deadlines.ms} ms)`)));
  }
  (request as BeingRead)[READING] = reading as Reading<unknown>;
  request.on('data', onBodyData);
  request.on('end', onBodyEnd);
  request.on('error', onBodyError);
}

function tooLargeFor(limits: BodyLimits, declared: number | undefined): MockwaveError {
  return (limits.tooLarge ?? routeBodyTooLarge(limits.maxBytes))(declared);
}

/** Ends the reading (once): the deadline dropped, `done` called with the body or the error. */
function settle(request: BeingRead, ...read: [body: Buffer, error: undefined] | [body: undefined, error: Error]): void {
  const reading = request[READING];
  if (reading === undefined) return;
  request[READING] = undefined;
  if (reading.deadline !== undefined) reading.limits.deadlines?.remove(reading.deadline);
  reading.done(reading.context, ...read);
}

/** Refuses the body: no more of it is read. */
function stopReading(request: BeingRead, error: Error): void {
  request.off('data', onBodyData);
  request.pause();
  settle(request, undefined, error);
}

function onBodyData(this: BeingRead, chunk: Buffer): void {
  const reading = this[READING];
  if (reading === undefined) return;
  reading.size += chunk.length;
  if (reading.size > reading.limits.maxBytes) stopReading(this, tooLargeFor(reading.limits, undefined));
  else reading.chunks.push(chunk);
}

function onBodyEnd(this: BeingRead): void {
  const chunks = this[READING]?.chunks;
  // Node's parser copies each chunk out of the socket's buffer, so a body of one chunk is used as it is.
  if (chunks !== undefined) settle(this, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), undefined);
}

function onBodyError(this: BeingRead, error: Error): void {
  stopReading(this, error);
}

/** Bodies this small that nobody reads are read and dropped, so the connection can serve the next request. */
const DISCARDED_BODY_BYTES = 64 * 1024;

/** ms a connection being closed may go without taking a byte of its answer before it is destroyed. */
const CLOSING_GRACE_MS = 2000;

/**
 * ms between ending our side of a closing connection and destroying it. Destroying a socket with unread
 * bytes from the client makes the kernel reset the connection, and a client still sending its body could
 * then lose the answer it has not read yet; so the answer and our FIN go first, and the rest of the body is
 * left unread for this long (Go's server waits 500 ms the same way) before the socket is destroyed.
 */
const LINGER_MS = 500;

/**
 * What a closing connection does instead of Node's `destroySoon()`: our side ends now, the socket a little
 * later. `socket.setTimeout` here and below is the socket's idle timeout (Node's server destroys a socket
 * that stays idle that long; each byte that moves starts it again), not a timer of ours: no clock keeps it.
 */
function lingeringClose(this: Socket): void {
  this.end();
  this.setTimeout(LINGER_MS);
}

/** Whether part of the request's body may still be on its way: answering now would leave it unread. */
export function bodyPending(request: IncomingMessage): boolean {
  return !request.complete && hasBody(request);
}

/**
 * Ends the connection with this answer, without reading what is left of the request. `Connection: close`
 * makes Node's server close the socket once the answer is flushed (with `destroySoon()`, replaced on this
 * socket by `lingeringClose`). The request is paused and marked as consumed, so Node does not read the rest
 * to throw it away (it does that for a body nobody read, and an endless body never ends). Its idle timeout
 * (which Node's server answers by destroying the socket) lets go a client that does not take its answer.
 */
export function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  request.pause();
  // A read now marks the request as consumed (Node's `_read` sets that): otherwise Node "dumps" it once the
  // answer is out, and a dumped request's body is read and thrown away for as long as it comes. Adding a
  // 'data' listener did not do it: the read that listener schedules does not call `_read` while the request
  // holds a buffer's worth already, which a client sending fast makes likely. What it returns is dropped.
  request.read();
  const socket = request.socket;
  socket.destroySoon = lingeringClose;
  if (!response.headersSent) response.setHeader('connection', 'close');
  // Its head already out and kept alive: closed once the answer is written, as Node would have.
  else response.once('finish', () => socket.destroySoon());
  socket.setTimeout(CLOSING_GRACE_MS);
}

/**
 * For a request answered without its body: a small body (a declared length up to 64 KiB) is read and
 * dropped, keeping the connection; a larger or chunked one is not read at all and the connection closes
 * after the answer.
 */
export function skipBody(request: IncomingMessage, response: ServerResponse): void {
  const small = request.headers['transfer-encoding'] === undefined && Number(request.headers['content-length'] ?? 0) <= DISCARDED_BODY_BYTES;
  if (small || !bodyPending(request)) request.resume();
  else closeAfterAnswer(request, response);
}

/** The body of a request that declares none: shared, never written to. */
export const NO_BODY: Buffer = Buffer.alloc(0);
