/**
 * The ws servers of one transport, in noServer mode: one per distinct compression setting, since ws fixes it
 * per server. They belong to the transport, as does the memory of which setting object has which server.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer } from 'ws';
import { deflateKey, wsDeflateOptions, type Deflate, type DeflateSettings } from './deflate.ts';

export interface WsServerOptions {
  readonly maxPayload: number;
  /** The subprotocol to answer with, or false for none. */
  handleProtocols(protocols: Set<string>, request: IncomingMessage): string | false;
}

export class WsServers {
  readonly #options: WsServerOptions;
  readonly #byKey = new Map<string, WebSocketServer>();
  /** The server of each setting object seen: an endpoint's setting is one object, asked for at every handshake. */
  readonly #bySetting = new WeakMap<DeflateSettings, WebSocketServer>();

  constructor(options: WsServerOptions) {
    this.#options = options;
  }

  /** The ws server for a compression setting, made on first use. */
  for(deflate: Deflate | undefined): WebSocketServer {
    const seen = typeof deflate === 'object' ? this.#bySetting.get(deflate) : undefined;
    if (seen !== undefined) return seen;
    const key = deflateKey(deflate);
    let wss = this.#byKey.get(key);
    if (wss === undefined) {
      wss = new WebSocketServer({
        noServer: true,
        maxPayload: this.#options.maxPayload,
        clientTracking: false,
        // One message of a client per event-loop turn, the next on setImmediate: a client that pipes a flood
        // of small messages (1,600 in one 64 KiB read) no longer has them all handled before anyone else is
        // read. Ten such clients cost a bystander's ping a p99 of 478 ms (max 5.6 s) with ws's synchronous
        // events and 85 ms (max 101 ms) without, on the same loaded machine; the ping-pong and templated-reply
        // benchmarks, one message in flight per client, did not get slower (docs/reliability.md).
        allowSynchronousEvents: false,
        perMessageDeflate: wsDeflateOptions(deflate),
        handleProtocols: (protocols, request) => this.#options.handleProtocols(protocols, request),
      });
      this.#byKey.set(key, wss);
    }
    if (typeof deflate === 'object') this.#bySetting.set(deflate, wss);
    return wss;
  }
}
