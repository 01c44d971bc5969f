/** What the HTTP side reports (admin stats, the dashboard): plain data, no imports, shared with the browser. */

/**
 * One answered request, for the dashboard's request list and the route's "last request"; also a WebSocket
 * upgrade or a Server-Sent Events connect (`protocol`), accepted or refused, so the list shows every door.
 */
export interface HttpRequestRecord {
  /** Its place in the list since the start (1, 2, …): what the dashboard has already shown. */
  readonly n: number;
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The route that answered; undefined for a 404, a preflight or the fallback. */
  readonly route: string | undefined;
  readonly ms: number;
  /** A WebSocket upgrade (101, or the refusal's status) or a Server-Sent Events connect (200, or the refusal's); absent for HTTP. */
  readonly protocol?: 'websocket' | 'sse';
  /** The client an accepted upgrade or connect became. */
  readonly client?: string;
}

export interface HttpRouteFigures {
  readonly name: string;
  /** The route in one line: `GET /api/orders/:id -> respond 200 (json body)`. */
  readonly explain: string;
  readonly methods: readonly string[];
  readonly path: string;
  readonly hits: number;
  readonly failures: number;
  readonly last: HttpRequestRecord | undefined;
}

export interface HttpFigures {
  /** Requests answered since start: by routes, the fallback, 404s and preflights. */
  readonly requests: number;
  readonly routes: readonly HttpRouteFigures[];
  /** The last 100 requests answered (with WebSocket upgrades and Server-Sent Events connects), newest first. */
  readonly recent: readonly HttpRequestRecord[];
}
