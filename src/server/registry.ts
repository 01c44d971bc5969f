/**
 * The endpoint registry: which endpoint a path reaches, which endpoint holds a stream, which peer has an
 * id. Every "unknown" or "ambiguous" error about endpoints, streams and clients is raised here, so the
 * library API, the admin API and the handshake say the same thing the same way.
 */
import type { EndpointInfo } from '../admin/snapshot.ts';
import { MockwaveError } from '../errors/catalog.ts';

export type { EndpointInfo } from '../admin/snapshot.ts';
import type { Peer } from '../hub/peer.ts';
import type { Stream } from '../streams/stream.ts';
import { bySpecificity, compilePathPattern, displayPath, type PathPattern } from '../util/path-pattern.ts';
import type { Endpoint } from '../endpoint/endpoint.ts';

export class EndpointRegistry {
  readonly all: readonly Endpoint[];
  readonly #peers: () => Iterable<Peer>;
  readonly #exact = new Map<string, Endpoint>();
  readonly #patterns: { pattern: PathPattern; endpoint: Endpoint }[] = [];

  constructor(endpoints: readonly Endpoint[], peers: () => Iterable<Peer>) {
    this.all = endpoints;
    this.#peers = peers;
    for (const endpoint of endpoints) {
      const pattern = compilePathPattern(endpoint.endpoint);
      if (pattern.exact) this.#exact.set(pattern.source.length > 1 ? pattern.source.replace(/\/+$/, '') : pattern.source, endpoint);
      else this.#patterns.push({ pattern, endpoint });
    }
    this.#patterns.sort((a, b) => bySpecificity(a.pattern, b.pattern));
  }

  /** The endpoint a request path reaches: an exact path first, then the most specific pattern. */
  match(pathname: string): Endpoint | undefined {
    const exact = this.#exact.get(pathname.length > 1 ? pathname.replace(/\/+$/, '') || '/' : pathname);
    if (exact !== undefined) return exact;
    return this.#patterns.find((p) => p.pattern.match(pathname) !== undefined)?.endpoint;
  }

  /** The endpoint configured at `path` (its pattern as written). */
  endpoint(path: string): Endpoint {
    const found = this.all.find((e) => e.endpoint === path);
    if (found === undefined) throw new MockwaveError('MW_UNKNOWN_ENDPOINT', `No endpoint ${path} (endpoints: ${this.paths()})`);
    return found;
  }

  /**
   * Where stream `name` lives: on the endpoint at `path` when given, else the one endpoint that has it.
   * `hint` tells the caller how to name an endpoint when several have the stream.
   */
  holding(name: string, path: string | undefined, hint: string): { endpoint: Endpoint; stream: Stream } {
    const candidates = path === undefined ? this.all.filter((e) => e.streams.has(name)) : [this.endpoint(path)].filter((e) => e.streams.has(name));
    if (candidates.length > 1) throw new MockwaveError('MW_AMBIGUOUS_STREAM', `Stream ${name} exists on several endpoints (${candidates.map((c) => c.endpoint).join(', ')}): ${hint}`);
    const endpoint = candidates[0];
    if (endpoint === undefined) throw new MockwaveError('MW_UNKNOWN_STREAM', `Unknown stream: ${name}${path === undefined ? '' : ` on endpoint ${path}`}`);
    return { endpoint, stream: endpoint.streams.get(name) as Stream };
  }

  /** Where a new stream goes: the endpoint at `path`, else the first. */
  target(path: string | undefined): Endpoint {
    if (path !== undefined) return this.endpoint(path);
    const first = this.all[0];
    if (first === undefined) throw new MockwaveError('MW_UNKNOWN_ENDPOINT', 'The server has no endpoint to add a stream to');
    return first;
  }

  peers(): Iterable<Peer> {
    return this.#peers();
  }

  peer(id: string): Peer {
    for (const peer of this.#peers()) if (peer.id === id) return peer;
    throw new MockwaveError('MW_UNKNOWN_CLIENT', `No connected client ${id}`);
  }

  paths(): string {
    return this.all.map((e) => e.endpoint).join(', ') || 'none';
  }

  /** What each endpoint serves, with its WebSocket URL under `base` (an http(s) URL). */
  describe(base: string | undefined): EndpointInfo[] {
    const wsBase = (base ?? '').replace(/^http/, 'ws');
    return this.all.map((e) => ({
      path: e.endpoint,
      dialect: e.dialect.name,
      // A Server-Sent Events endpoint is an http(s) address.
      url: `${e.config.protocol === 'sse' ? (base ?? '') : wsBase}${displayPath(e.endpoint)}`,
      streams: [...e.streams.values()].map((s) => ({ name: s.name, topic: s.topic, interval: s.schedule })),
      rules: e.explainRules(),
    }));
  }
}
