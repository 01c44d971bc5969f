/** What the HTTP side reports (admin stats, the dashboard): plain data, no imports, shared with the browser. */

/** One answered request, for the dashboard's log and the route's "last request". */
export interface HttpRequestRecord {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The route that answered; undefined for a 404, a preflight or the fallback. */
  readonly route: string | undefined;
  readonly ms: number;
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
  /** The last 100 requests answered, newest first. */
  readonly recent: readonly HttpRequestRecord[];
}
