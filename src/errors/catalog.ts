/**
 * The one error catalog. Every error mockwave reports to a user (config problem, protocol error, admin
 * failure, refused handshake) has a stable code here. `docs/errors.md` documents each code and a test keeps
 * the two in sync, so a code never appears in the wild without an explanation.
 */
export interface ErrorSpec {
  /** One sentence: when this error happens. Mirrored in docs/errors.md. */
  readonly summary: string;
  /** HTTP status for admin responses and refused upgrades. */
  readonly httpStatus?: number;
  /** WebSocket close code when the error ends a connection. */
  readonly closeCode?: number;
}

export const ERROR_CATALOG = {
  MW_CONFIG_INVALID: { summary: 'The configuration failed validation; every problem is listed with its path.', httpStatus: 400 },
  MW_CONFIG_FILE_UNREADABLE: { summary: 'A configuration file named on the command line or in MOCKWAVE_CONFIG could not be read.', httpStatus: 400 },
  MW_CONFIG_FILE_SYNTAX: { summary: 'A configuration or .env file is not valid YAML or JSON.', httpStatus: 400 },
  MW_USAGE: { summary: 'The command line could not be parsed (unknown flag, missing value).' },
  MW_INVALID_JSON: { summary: 'A client sent text that is not valid JSON on an endpoint whose dialect expects JSON.' },
  MW_REFUSED: { summary: 'A rule\'s `refuse` step answered the client\'s message with the dialect\'s error (a subscribe before a login, say); the message is not acted on.' },
  MW_INVALID_MESSAGE: { summary: 'A client message is valid JSON but not of the shape the dialect expects (not an object, missing or wrong-typed field).' },
  MW_UNKNOWN_MESSAGE_TYPE: { summary: "A client message's `type` is not one the dialect knows." },
  MW_UNKNOWN_EVENT: { summary: 'A client subscribed to, unsubscribed from or requested a stream the endpoint does not have.' },
  MW_BINARY_NOT_SUPPORTED: { summary: 'A client sent a binary frame that is not UTF-8 JSON to an endpoint whose dialect expects JSON.' },
  MW_UNKNOWN_ENDPOINT: { summary: 'A WebSocket upgrade asked for a path where no endpoint is configured.', httpStatus: 404 },
  MW_WEBSOCKET_DISABLED: { summary: 'A WebSocket upgrade arrived while `websocket.enabled` is false.', httpStatus: 404 },
  MW_SHUTTING_DOWN: { summary: 'The server is stopping: new upgrades are refused and open connections are closed.', httpStatus: 503, closeCode: 1001 },
  MW_PAYLOAD_TOO_LARGE: { summary: 'A client message exceeded `websocket.maxPayload`; the connection is closed.', closeCode: 1009 },
  MW_HEARTBEAT_TIMEOUT: { summary: 'A client did not answer a protocol ping before the next heartbeat and was dropped.', closeCode: 1006 },
  MW_INVALID_PATH: { summary: 'A path passed on to another server (the WebSocket proxy, a `forward` step, `http.fallback`) holds an encoded "/", "\\" or "." that the other server could decode into another path; it is refused, not forwarded.', httpStatus: 400 },
  MW_UNKNOWN_ROUTE: { summary: 'A WebSocket upgrade under the proxy path named a route that is not configured.', httpStatus: 404 },
  MW_PROXY_UPSTREAM_FAILED: { summary: "A proxy route's upstream was unreachable, refused, answered with an HTTP error or timed out.", httpStatus: 502, closeCode: 1014 },
  MW_PROXY_DISABLED: { summary: 'A WebSocket upgrade asked for a path under the proxy path while the proxy is off.', httpStatus: 404 },
  MW_PROXY_QUEUE_FULL: { summary: 'A proxied client sent more than the route\'s `maxQueue` messages or `maxQueueBytes` bytes before its upstream opened; it is closed.', closeCode: 1013 },
  MW_RATE_LIMITED: { summary: 'A client sent messages faster than `websocket.rateLimit`; it keeps flooding, it is closed.', closeCode: 1008 },
  MW_TOO_MANY_SUBSCRIPTIONS: { summary: 'A client tried to subscribe to more than `websocket.maxSubscriptions` topics.' },
  MW_UNAUTHORIZED: { summary: 'Authentication is on and the request or handshake carried no valid token.', httpStatus: 401 },
  MW_FORBIDDEN_ORIGIN: { summary: "A browser's Origin is not in `cors.origins`.", httpStatus: 403 },
  MW_FORBIDDEN_HOST: { summary: 'Bound to loopback, the server got an HTTP request whose Host is not a loopback name (a DNS-rebinding page); it is refused.', httpStatus: 403 },
  MW_UNSUPPORTED_MEDIA_TYPE: { summary: 'An admin request body was not declared as JSON (Content-Type: application/json).', httpStatus: 415 },
  MW_TOO_MANY_CONNECTIONS: { summary: '`websocket.maxConnections` clients are already connected.', httpStatus: 503 },
  MW_BAD_REQUEST: { summary: 'An admin request body is not JSON, or not of the shape the route takes.', httpStatus: 400 },
  MW_MALFORMED_REQUEST: { summary: 'A connection sent bytes that are not an HTTP request; it is answered and closed.', httpStatus: 400 },
  MW_HEADERS_TOO_LARGE: { summary: 'A request or handshake had more header bytes than Node accepts (16 KiB); it is answered and closed.', httpStatus: 431 },
  MW_HANDSHAKE_TIMEOUT: { summary: 'A connection did not finish sending its request headers within `websocket.handshakeTimeout`.', httpStatus: 408 },
  MW_BODY_TOO_LARGE: { summary: 'An admin request body is larger than 1 MiB.', httpStatus: 413 },
  MW_TOO_MANY_LIVE_VIEWS: { summary: '`dashboard.maxLiveConnections` live views (/admin/live and client message logs) are already open.', httpStatus: 503 },
  MW_UNKNOWN_CLIENT: { summary: 'An admin request named a client id that is not connected.', httpStatus: 404 },
  MW_INTERNAL: { summary: 'A bug in mockwave, not a mistake of the caller: the admin API answers 500 with the message.', httpStatus: 500 },
  MW_SLOW_CLIENT: { summary: 'A client stayed behind on its messages past the grace period and was closed.', closeCode: 1013 },
  MW_STREAM_EXISTS: { summary: 'The admin API was asked to create a stream whose name the endpoint already has (use PUT to change it).', httpStatus: 409 },
  MW_RELOAD_UNAVAILABLE: { summary: 'A configuration reload was asked of a server that was not started from configuration files (the library API without a `reload` option).', httpStatus: 409 },
  MW_VERIFY_FAILED: { summary: 'A verification (POST /admin/verify, `server.verify()`) did not hold: the answer says what was expected and found, with the closest entries and, for each, the parts that differ.', httpStatus: 417 },
  MW_WAIT_TIMED_OUT: { summary: 'A wait (POST /admin/wait, `server.waitFor()`) saw no matching entry within its timeout: the answer has the closest entries and what differs in each.', httpStatus: 417 },
  MW_TOO_MANY_WAITS: { summary: 'POST /admin/wait while 256 waits are already held.', httpStatus: 503 },
  MW_JOURNAL_OFF: { summary: 'The journal was asked about (`/admin/journal`, `/admin/verify`, `/admin/wait`, `server.journal()`, `verify()`, `waitFor()`) while it is off, as it is by default: start with `--journal` (or `journal: { enabled: true }`).', httpStatus: 409 },
  MW_ADMIN_NOT_FOUND: { summary: 'No admin route matches the request path.', httpStatus: 404 },
  MW_METHOD_NOT_ALLOWED: { summary: 'The admin route exists but not for this HTTP method.', httpStatus: 405 },
  MW_UNKNOWN_STREAM: { summary: 'The library or admin API named a stream no endpoint has.', httpStatus: 404 },
  MW_AMBIGUOUS_STREAM: { summary: 'The library or admin API named a stream that several endpoints have, without saying which endpoint.', httpStatus: 409 },
  MW_NOT_RUNNING: { summary: 'An operation needs a started server (publish, stop twice is fine) and the server is not running.', httpStatus: 409 },
  MW_ALREADY_STARTED: { summary: '`start()` was called on a server that is already started or starting.' },
  MW_HTTP_NO_ROUTE: { summary: 'An HTTP request matched no HTTP route (and there is no `http.fallback`); the answer names the closest routes.', httpStatus: 404 },
  MW_HTTP_METHOD_NOT_ALLOWED: { summary: 'HTTP routes exist for the path, but none for the request\'s method; the answer lists them (Allow).', httpStatus: 405 },
  MW_HTTP_BODY_TOO_LARGE: { summary: 'An HTTP request body is larger than `http.maxBodyBytes`.', httpStatus: 413 },
  MW_HTTP_BODY_TIMEOUT: { summary: 'An HTTP request body did not arrive within `http.bodyTimeout`.', httpStatus: 408 },
  MW_HTTP_BAD_REQUEST: { summary: 'An HTTP request a route cannot take: a JSON body nested deeper than 100 levels, a sequence caller key over 256 characters, or a `collection` item that is not a JSON object.', httpStatus: 400 },
  MW_FAULT_REFUSED: { summary: 'A fault profile refuses new connections to the endpoint for now (`faults.refuse`, status 503).', httpStatus: 503 },
  MW_FAULT_RATE_LIMITED: { summary: 'A fault profile refuses new connections to the endpoint for now (`faults.refuse`, status 429).', httpStatus: 429 },
  MW_HTTP_RATE_LIMITED: { summary: 'A client address sent HTTP requests faster than `http.rateLimit`; answered 429 with Retry-After.', httpStatus: 429 },
  MW_HTTP_ROUTE_FAILED: { summary: 'An HTTP route failed to answer (a template that throws, a file that cannot be read); the reason is logged.', httpStatus: 500 },
  MW_HTTP_UPSTREAM_FAILED: { summary: 'A `forward` step or `http.fallback` could not reach the real API, or it broke off.', httpStatus: 502 },
  MW_UNKNOWN_HTTP_ROUTE: { summary: 'The admin API named an HTTP route that does not exist.', httpStatus: 404 },
  MW_HTTP_ROUTE_EXISTS: { summary: 'The admin API was asked to add an HTTP route whose name is taken (use PUT to change it).', httpStatus: 409 },
  MW_HTTP_ROUTE_NOT_ALLOWED: { summary: 'A route added through the admin API sends a `file` from outside `http.adminFilesDir` (any file while it is unset, or a `.env` file), or forwards to a host not in `http.forwardAllow`.', httpStatus: 400 },
  MW_ITEM_NOT_FOUND: { summary: 'A `collection` step was asked for an item (GET, PUT, PATCH or DELETE on its path) that the collection does not hold.', httpStatus: 404 },
  MW_ITEM_EXISTS: { summary: 'A `collection` step was asked to create an item whose id the collection already holds (PUT or PATCH changes it).', httpStatus: 409 },
  MW_STATE_REFUSED: { summary: 'A state change (a `setState` step, `PUT`/`PATCH /admin/state`) names a path that may not be written (`__proto__`, an empty part) or would take a scope past `stateStore.maxScopeBytes`; nothing of it is applied.', httpStatus: 400 },
  MW_UNKNOWN_STATE_SCOPE: { summary: '`/admin/state/<scope>` named a scope that is not `global`, `client:<id>`, `caller:<key>` or `scope:<name>`.', httpStatus: 404 },
  MW_LISTEN_FAILED: { summary: 'The HTTP server could not listen (port in use, permission denied, bad host).' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class MockwaveError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number | undefined;
  readonly closeCode: number | undefined;
  /** Structured details, e.g. the list of configuration problems. */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: { details?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MockwaveError';
    this.code = code;
    const spec: ErrorSpec = ERROR_CATALOG[code];
    this.httpStatus = spec.httpStatus;
    this.closeCode = spec.closeCode;
    this.details = options.details ?? [];
  }
}

/** The close code an error implies, from the catalog: no close code is written at a call site. */
export function closeCodeOf(code: ErrorCode): number {
  const spec: ErrorSpec = ERROR_CATALOG[code];
  if (spec.closeCode === undefined) throw new TypeError(`${code} implies no close code`);
  return spec.closeCode;
}

export function isMockwaveError(value: unknown, code?: ErrorCode): value is MockwaveError {
  return value instanceof MockwaveError && (code === undefined || value.code === code);
}
