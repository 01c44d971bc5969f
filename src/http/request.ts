/**
 * An HTTP request as routes see it: method, path, query, headers, cookies and its body, read once with a
 * size cap and a deadline (a client that trickles its body cannot hold a request open for ever). The body
 * is a `Message`, so a route's body matcher reads it exactly as a rule reads a WebSocket message.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MockwaveError } from '../errors/catalog.ts';
import type { Deadlines } from '../util/deadlines.ts';
import { deeperThan, MAX_DEPTH } from '../util/json-depth.ts';
import { Message } from '../util/message.ts';
import type { RenderContext } from '../templates/index.ts';

export interface HttpRequestView {
  readonly method: string;
  readonly path: string;
  /** The query as written (`?a=1`, or ''), for forwarding it unchanged. */
  readonly search: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names; repeated headers joined with ", " as HTTP allows. */
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: Readonly<Record<string, string>>;
  readonly body: Message;
  /** The raw request, for forwarding. */
  readonly raw: IncomingMessage;
}

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
 * Reads the whole body, refusing one over `maxBytes` (413) or one not complete by its deadline (408). A
 * refused body is not read any further: whoever answers closes the connection (`closeAfterAnswer`), since
 * what is left of it may never end (an endless chunked body read and thrown away costs a core).
 */
export function readBody(request: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const tooLarge = limits.tooLarge ?? routeBodyTooLarge(limits.maxBytes);
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limits.maxBytes) {
      reject(tooLarge(declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const deadlines = limits.deadlines;
    const deadline = deadlines?.add(() => fail(new MockwaveError('MW_HTTP_BODY_TIMEOUT', `Request body not complete within http.bodyTimeout (${deadlines.ms} ms)`)));
    const stop = (): void => {
      if (deadline !== undefined) deadlines?.remove(deadline);
    };
    const fail = (error: Error): void => {
      stop();
      request.off('data', onData);
      request.pause();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) fail(tooLarge(undefined));
      else chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      stop();
      resolve(Buffer.concat(chunks));
    });
    request.once('error', (error) => fail(error));
  });
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

function ignore(): void {}

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
 * socket by `lingeringClose`). The request is marked as read and paused, so Node does not read the rest to
 * throw it away (it does that for a body nobody read, and an endless body never ends). Its idle timeout
 * (which Node's server answers by destroying the socket) lets go a client that does not take its answer.
 */
export function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  request.on('data', ignore);
  request.pause();
  if (!response.headersSent) response.setHeader('connection', 'close');
  const socket = request.socket;
  socket.destroySoon = lingeringClose;
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

function cookiesOf(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (name !== '' && !Object.hasOwn(out, name)) Object.defineProperty(out, name, { value: part.slice(at + 1).trim(), enumerable: true });
  }
  return out;
}

/** Own-property records only: a query or header named `__proto__` stays a key. */
function record(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of entries) if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value, enumerable: true });
  return out;
}

/** Whether the bytes start, after white space, with `{` or `[`. */
function mayNest(data: Buffer): boolean {
  for (const byte of data) {
    if (byte === 0x7b || byte === 0x5b) return true;
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return false;
}

/**
 * Refuses (400) a JSON body nested deeper than `MAX_DEPTH`, before a matcher or a template walks it: JSON.parse
 * reads 100,000 levels, but a recursive walk of them (`{{json request.body}}`) overflows the stack.
 */
function checkBodyDepth(body: Message): void {
  // Only an object or an array can nest: any other body (none, as on a GET; text; a number) is not parsed
  // here, so a request pays for JSON.parse (and a thrown error for text) only when something reads its body.
  if (!mayNest(body.data)) return;
  const json = body.json();
  if (json.ok && deeperThan(json.value)) throw new MockwaveError('MW_HTTP_BAD_REQUEST', `Request body nests deeper than ${MAX_DEPTH} levels`);
}

/** The query, cookies of a request that has none: shared, and frozen since it is. */
const NONE: Readonly<Record<string, string>> = Object.freeze({});

/** The body of a request that declares none: shared, never written to. */
export const NO_BODY: Buffer = Buffer.alloc(0);

/** Whether a request declares a body (a length over zero, or chunked): one that does not is not read at all. */
export function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/**
 * The request as routes see it. Only method and path are read at once: the query, headers, cookies and the
 * body's JSON are made when a matcher, a step or a template first reads them, and kept (a route that reads
 * none of them pays for none, as a bare handler would not).
 */
export class RequestView implements HttpRequestView {
  readonly method: string;
  readonly path: string;
  readonly body: Message;
  readonly raw: IncomingMessage;
  readonly #url: URL;
  #query: Readonly<Record<string, string>> | undefined;
  #headers: Readonly<Record<string, string>> | undefined;
  #cookies: Readonly<Record<string, string>> | undefined;
  #depthChecked = false;

  /** `url`: the request's URL, parsed once by whoever routed it. */
  constructor(request: IncomingMessage, url: URL, body: Buffer) {
    this.method = request.method ?? 'GET';
    this.path = url.pathname;
    this.body = new Message(body, false);
    this.raw = request;
    this.#url = url;
  }

  /** Refuses (400) a body nested deeper than `MAX_DEPTH`, once, before the first reader that walks it. */
  checkDepth(): void {
    if (this.#depthChecked) return;
    checkBodyDepth(this.body);
    this.#depthChecked = true;
  }

  get search(): string {
    return this.#url.search;
  }

  get query(): Readonly<Record<string, string>> {
    return (this.#query ??= this.#url.search === '' ? NONE : record(this.#url.searchParams));
  }

  /**
   * Node's own header object (lower-case names, repeats joined; a `__proto__` header is dropped): only a
   * `set-cookie` sent by the client is a list there, and is joined as the rest are.
   */
  get headers(): Readonly<Record<string, string>> {
    if (this.#headers !== undefined) return this.#headers;
    const raw = this.raw.headers;
    this.#headers = raw['set-cookie'] === undefined ? (raw as Record<string, string>) : record(Object.entries(raw).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
    return this.#headers;
  }

  get cookies(): Readonly<Record<string, string>> {
    return (this.#cookies ??= this.raw.headers.cookie === undefined ? NONE : cookiesOf(this.headers['cookie']));
  }
}

/**
 * What templates see as `request`: plain own properties (templates read own properties only). Not getters:
 * an object literal with accessors per request made V8 keep its young objects through scavenges (10-40 ms
 * each under load, against 1 ms). The parts are cheap as the view makes them (Node's own header object, one
 * empty record shared); the body's JSON is read only for a route whose templates may read it (`readsBody`).
 */
export function templateRequest(view: HttpRequestView, params: Readonly<Record<string, string>>, readsBody: boolean): NonNullable<RenderContext['request']> {
  const body = readsBody ? (view.body.isJson ? view.body.value : view.body.text) : undefined;
  return { method: view.method, path: view.path, params, query: view.query, headers: view.headers, cookies: view.cookies, body };
}
