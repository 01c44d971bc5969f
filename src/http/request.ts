/**
 * An HTTP request as routes see it: method, path, query, headers, cookies and its body (read by body.ts). The
 * body is a `Message`, so a route's body matcher reads it exactly as a rule reads a WebSocket message.
 */
import type { IncomingMessage } from 'node:http';
import { MockwaveError } from '../errors/catalog.ts';
import { deeperThan, MAX_DEPTH } from '../util/json-depth.ts';
import { cookiesOf } from '../util/cookies.ts';
import { Message } from '../util/message.ts';
import type { RequestTarget } from '../util/request-target.ts';
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

/** Own-property records only: a query or header named `__proto__` stays a key. */
function record(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of entries) if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value, enumerable: true });
  return out;
}

/** Whether the bytes start, after white space, with `{` or `[`. */
function startsNested(data: Buffer): boolean {
  for (const byte of data) {
    if (byte === 0x7b || byte === 0x5b) return true;
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return false;
}

/**
 * Whether the bytes hold more than `MAX_DEPTH` opening brackets: a value nested deeper than that needs one
 * per level. Counted with the buffer's own search, which stops at the first bracket past the limit.
 */
function manyBrackets(data: Buffer): boolean {
  let count = 0;
  for (const bracket of BRACKETS) {
    for (let at = data.indexOf(bracket); at !== -1; at = data.indexOf(bracket, at + 1)) {
      count += 1;
      if (count > MAX_DEPTH) return true;
    }
  }
  return false;
}

const BRACKETS = [0x7b, 0x5b] as const;

/**
 * Refuses (400) a JSON body nested deeper than `MAX_DEPTH`, before a matcher or a template walks it: JSON.parse
 * reads 100,000 levels, but a recursive walk of them (`{{json request.body}}`) overflows the stack.
 */
function checkBodyDepth(body: Message): void {
  // Only an object or an array can nest, and only with more brackets than the limit: any other body (none,
  // as on a GET; text; a number; a small JSON document) is not parsed or walked here, so a request pays for
  // JSON.parse (and a thrown error for text) only when something reads its body.
  if (!startsNested(body.data) || !manyBrackets(body.data)) return;
  const json = body.json();
  if (json.ok && deeperThan(json.value)) throw new MockwaveError('MW_HTTP_BAD_REQUEST', `Request body nests deeper than ${MAX_DEPTH} levels`);
}

/** The query, cookies of a request that has none: shared, and frozen since it is. */
const NONE: Readonly<Record<string, string>> = Object.freeze({});

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
  readonly #target: RequestTarget;
  #query: Readonly<Record<string, string>> | undefined;
  #headers: Readonly<Record<string, string>> | undefined;
  #cookies: Readonly<Record<string, string>> | undefined;
  #depthChecked = false;

  /** `target`: the request's target, read once by the transport (its URL made only if the query is read). */
  constructor(request: IncomingMessage, target: RequestTarget, body: Buffer) {
    this.method = request.method ?? 'GET';
    this.path = target.path;
    this.body = new Message(body, false);
    this.raw = request;
    this.#target = target;
  }

  /** Refuses (400) a body nested deeper than `MAX_DEPTH`, once, before the first reader that walks it. */
  checkDepth(): void {
    if (this.#depthChecked) return;
    checkBodyDepth(this.body);
    this.#depthChecked = true;
  }

  get search(): string {
    return this.#target.search;
  }

  get query(): Readonly<Record<string, string>> {
    return (this.#query ??= this.#target.search === '' ? NONE : record(this.#target.url.searchParams));
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
 * empty record shared). Two parts cost a parse and are read only for a route whose templates may read them,
 * as decided at load (`TemplateReads`): the body's JSON, and the query (which makes the request's URL).
 */
export function templateRequest(view: HttpRequestView, params: Readonly<Record<string, string>>, reads: TemplateReads): NonNullable<RenderContext['request']> {
  const body = reads.readsBody ? (view.body.isJson ? view.body.value : view.body.text) : undefined;
  const query = reads.readsQuery ? view.query : NONE;
  return { method: view.method, path: view.path, params, query, headers: view.headers, cookies: view.cookies, body };
}

/** Which costly parts of a request a route's templates may read, decided once at load (src/templates/reads.ts). */
export interface TemplateReads {
  /** The body (else it is not parsed for them). */
  readonly readsBody: boolean;
  /** The query (else the request's URL is not made for them). */
  readonly readsQuery: boolean;
}
