/**
 * The one reading of a request's target (the `/path?query` of its request line), for plain requests and
 * WebSocket upgrades alike. The transport reads it first and refuses a target that is not a URL (`//[`,
 * `http://x:99999/`), so everything after it may take the target as valid; nothing else parses `request.url`.
 *
 * `new URL()` costs a few microseconds and leaves garbage behind on every handshake, and most targets are a
 * plain path: their path is read without one and the URL is made only when something asks for the query.
 */
import type { IncomingMessage } from 'node:http';

const BASE = 'http://localhost';
/** Characters a path can hold that `URL` leaves as they are: then the path needs no URL to be read. */
const PLAIN_PATH = /^\/(?!\/)[\w\-.~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /\/\.\.?(\/|$)/;

export class RequestTarget {
  /** The target as the client wrote it. */
  readonly raw: string;
  /** Exactly what `new URL(raw, base).pathname` gives. */
  readonly path: string;
  #url: URL | undefined;

  private constructor(raw: string, path: string, url: URL | undefined) {
    this.raw = raw;
    this.path = path;
    this.#url = url;
  }

  /** The query as written (`?a=1`), or '': no URL is made for a target without one. */
  get search(): string {
    return this.raw.includes('?') ? this.url.search : '';
  }

  /** The whole target as a URL (query parameters), made on first use. It cannot throw: `read` checked it. */
  get url(): URL {
    this.#url ??= new URL(this.raw, BASE);
    return this.#url;
  }

  /** The target, or undefined when it is not a URL (the caller refuses it with 400). Never throws. */
  static read(raw: string | undefined): RequestTarget | undefined {
    const target = raw ?? '/';
    const end = target.search(/[?#]/);
    const path = end < 0 ? target : target.slice(0, end);
    // A target that starts with one "/" and no "//" is a path with a query: URL parses every such string.
    if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) return new RequestTarget(target, path, undefined);
    let url: URL;
    try {
      url = new URL(target, BASE);
    } catch {
      return undefined;
    }
    return new RequestTarget(target, url.pathname, url);
  }
}

/*
 * Read once per request: the transport's reading is the one every later reader (the router, tokens, the
 * admin API, the proxy) gets. Kept on the request itself under a symbol, so nothing is shared between servers
 * and nothing outlives the request. Not in a WeakMap: an entry per request keyed by a young object made
 * every scavenge walk the map's ephemerons and promote what they held (scavenges of 5-40 ms under load, and
 * a third of the HTTP side's time in the garbage collector).
 */
const TARGET: unique symbol = Symbol('mockwave.target');

type Read = IncomingMessage & { [TARGET]?: RequestTarget | null };

/** The request's target, or undefined when it is not a URL. */
export function targetOf(request: IncomingMessage): RequestTarget | undefined {
  let target = (request as Read)[TARGET];
  if (target === undefined) {
    target = RequestTarget.read(request.url) ?? null;
    (request as Read)[TARGET] = target;
  }
  return target ?? undefined;
}

/**
 * The target of a request the transport has already accepted. Past the transport every target is valid; a
 * request that reaches a handler some other way (a test's fake) with a bad one reads as `/`.
 */
export function acceptedTarget(request: IncomingMessage): RequestTarget {
  return targetOf(request) ?? (RequestTarget.read('/') as RequestTarget);
}
