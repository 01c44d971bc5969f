/**
 * The proxy's routes: `<path>/<name>[/rest][?query]` -> that route's upstream. Only configured routes are
 * ever connected to; an unknown name is refused at the handshake. When the client offers subprotocols, the
 * upstream is opened before the client's handshake completes, so the upstream's choice can be returned.
 */
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import type { ProxyRouteConfig } from './schema.ts';
import type { Acceptor, Prepared, RelayPeer } from '../transport/transport.ts';
import type { Peer } from '../hub/peer.ts';
import { bridge, type BridgeContext, type RouteStats } from './bridge.ts';
import { refusal } from '../errors/refusal.ts';
import { encodedSeparatorProblem } from '../util/encoded-path.ts';
import { clientProtocols, openUpstream, tlsOptions, upstreamHeaders, upstreamUrl, type Consumed } from './upstream.ts';
import { acceptedTarget } from '../util/request-target.ts';
import { systemClock, type Clock } from '../util/clock.ts';

export interface ProxyOptions {
  readonly path: string;
  readonly routes: readonly ProxyRouteConfig[];
  readonly maxPayload: number;
  /** Whether a token the client presented is one mockwave accepted itself (then it is not forwarded). */
  readonly consumed: Consumed;
  readonly context: BridgeContext;
  /**
   * The clock of an early upstream's deadline: real time by design (default `systemClock`), since the
   * client's handshake completes, or fails, in real time whatever clock the mock runs on.
   */
  readonly realClock?: Clock | undefined;
  /**
   * Told of each client the proxy accepts (the journal: its opening, with the scope it named, and its
   * messages through the peer's observers); what it returns is told of the client's leaving.
   */
  readonly observe?: ((peer: Peer, request: IncomingMessage) => (code: number, reason: string) => void) | undefined;
}

export type ProxyMatch =
  | { readonly kind: 'route'; readonly acceptor: Acceptor }
  | { readonly kind: 'unknown'; readonly name: string }
  | { readonly kind: 'invalid'; readonly reason: string };

function newStats(): RouteStats {
  return { connections: 0, active: 0, failures: 0, clientGoneEarly: 0, messagesToUpstream: 0, bytesToUpstream: 0, messagesToClient: 0, bytesToClient: 0, dropped: 0 };
}

export class ProxyRouter {
  readonly path: string;
  readonly #options: ProxyOptions;
  readonly #routes = new Map<string, { config: ProxyRouteConfig; stats: RouteStats; tls: ReturnType<typeof tlsOptions> }>();
  /** Upstreams opened during a handshake, handed to the bridge once the client is accepted. */
  readonly #early = new WeakMap<IncomingMessage, WebSocket>();

  constructor(options: ProxyOptions) {
    this.#options = options;
    this.path = options.path.replace(/\/+$/, '');
    for (const route of options.routes) this.#routes.set(route.name, { config: route, stats: newStats(), tls: tlsOptions(route) });
  }

  /** Undefined when the path is not under the proxy. */
  match(pathname: string): ProxyMatch | undefined {
    if (!pathname.startsWith(`${this.path}/`)) return undefined;
    const rest = pathname.slice(this.path.length + 1);
    const slash = rest.indexOf('/');
    const name = slash === -1 ? rest : rest.slice(0, slash);
    const route = this.#routes.get(name);
    if (route === undefined) return { kind: 'unknown', name };
    const tail = slash === -1 ? '' : rest.slice(slash);
    // The part passed on must not climb out of the route's path once the upstream decodes it.
    const encoded = encodedSeparatorProblem(tail);
    if (encoded !== undefined) return { kind: 'invalid', reason: `the path after the route name ${encoded}` };
    return { kind: 'route', acceptor: this.#acceptor(route, tail) };
  }

  get activeConnections(): number {
    let n = 0;
    for (const { stats } of this.#routes.values()) n += stats.active;
    return n;
  }

  stats(): Record<string, RouteStats> {
    return Object.fromEntries([...this.#routes].map(([name, { stats }]) => [name, { ...stats }]));
  }

  #acceptor(route: { config: ProxyRouteConfig; stats: RouteStats; tls: ReturnType<typeof tlsOptions> }, rest: string): Acceptor {
    const { config, stats, tls } = route;
    const { consumed } = this.#options;
    const open = (request: IncomingMessage): WebSocket => {
      const query = acceptedTarget(request).url.searchParams;
      const upstream = openUpstream(config, upstreamUrl(config, rest, query, consumed), request, tls, this.#options.maxPayload, consumed);
      // Errors are handled by whoever holds the upstream (prepare, then the bridge); this keeps one that
      // falls between the two from being an unhandled 'error' event.
      upstream.on('error', () => undefined);
      return upstream;
    };
    return {
      endpoint: `${this.path}/${config.name}`,
      perMessageDeflate: config.perMessageDeflate,
      prepare: (request) => {
        if (!config.forwardAuth || clientProtocols(request, consumed).length === 0) return undefined;
        return new Promise<Prepared>((resolve) => {
          const upstream = open(request);
          const refuse = (reason: string): void => {
            stats.failures += 1;
            upstream.terminate();
            resolve({ ok: false, refusal: refusal('MW_PROXY_UPSTREAM_FAILED', `Proxy route ${config.name} failed: ${reason}`) });
          };
          upstream.once('open', () => {
            this.#early.set(request, upstream);
            // If the client's own handshake then fails, nobody claims this upstream: close it.
            const unclaimed = (): void => {
              if (this.#early.get(request) !== upstream) return;
              this.#early.delete(request);
              upstream.terminate();
            };
            (this.#options.realClock ?? systemClock).setTimeout(unclaimed, config.connectTimeout, { unref: true });
            resolve({ ok: true, protocol: upstream.protocol === '' ? undefined : upstream.protocol });
          });
          upstream.once('unexpected-response', (_req, response) => {
            response.resume();
            refuse(`upstream answered HTTP ${response.statusCode ?? '?'}`);
          });
          upstream.once('error', (error: Error) => refuse(error.message));
        });
      },
      accept: (peer: RelayPeer, request: IncomingMessage) => {
        const upstream = this.#early.get(request) ?? open(request);
        this.#early.delete(request);
        const left = this.#options.observe?.(peer, request);
        const connection = bridge(peer, upstream, upstreamHeaders(config, request, consumed), config, stats, { ...this.#options.context, maxQueueBytes: config.maxQueueBytes ?? this.#options.maxPayload });
        if (left === undefined) return connection;
        return {
          onMessage: connection.onMessage,
          onClose(client, code, reason) {
            connection.onClose(client, code, reason);
            left(code, reason);
          },
        };
      },
    };
  }
}
