/**
 * The one access check of the doors a client comes in by: a WebSocket upgrade, a Server-Sent Events connect,
 * an admin API request. Each asks the same three questions in the same order (the Origin, the token, room for
 * one more client), so a client that may not come in learns the same thing whichever door it tries. The check
 * itself is pure, facts and a policy in and a catalog `Refusal` or nothing out; `accessFacts` reads the facts
 * of a request. What is particular to a door stays with it: WebSocket being off, the server shutting down, an
 * SSE endpoint's allowed method and events, the admin API's Host and media type (admin-guard.ts).
 */
import type { IncomingMessage } from 'node:http';
import { refusal, type Refusal } from '../errors/refusal.ts';
import { originAllowed } from './origins.ts';
import { presentedTokens, tokenMatches } from './tokens.ts';

export type Door = 'websocket' | 'sse' | 'admin';

interface DoorSpec {
  /** Where a token may be presented besides `Authorization: Bearer` (browsers cannot set WebSocket headers). */
  readonly ways: { readonly query: boolean; readonly protocol: boolean };
  /** What a refused token is told. */
  readonly tokenHint: string;
  /**
   * What a client is told when the door is full: the limit, and the place (the SSE endpoint's path). None for
   * the admin API, which has no connection limit (its live views have their own, MW_TOO_MANY_LIVE_VIEWS).
   */
  readonly full?: (max: number, place: string) => string;
}

const DOORS: Readonly<Record<Door, DoorSpec>> = {
  websocket: {
    ways: { query: true, protocol: true },
    tokenHint: 'A valid token is required: Authorization: Bearer <token>, ?token=<token> or the subprotocol bearer.<token>',
    full: (max) => `The server already has ${max} clients (websocket.maxConnections)`,
  },
  sse: {
    ways: { query: true, protocol: false },
    tokenHint: 'A valid token is required: Authorization: Bearer <token> or ?token=<token>',
    full: (max, place) => `${place} already has ${max} Server-Sent Events clients (sse.maxConnections)`,
  },
  admin: {
    ways: { query: true, protocol: false },
    tokenHint: 'The admin API needs a valid token: Authorization: Bearer <token>',
  },
};

/** What the check knows of a request. */
export interface AccessFacts {
  readonly origin: string | undefined;
  /** The tokens it presents, in the ways its door takes them. */
  readonly tokens: readonly string[];
  /** Clients in through this door now (for SSE: on this endpoint). */
  readonly connected: number;
}

/** What a door lets in. */
export interface AccessPolicy {
  readonly door: Door;
  /** `cors.origins`: empty, or holding `*`, lets every origin in. */
  readonly origins: readonly string[];
  /** The tokens that open it; undefined while `auth` is off. */
  readonly tokens: readonly string[] | undefined;
  /** Clients it takes at once; undefined for no limit (a door without one, the admin API, ignores it). */
  readonly maxConnections: number | undefined;
  /** The place named when it is full (the SSE endpoint's path). */
  readonly place?: string;
}

/** What of the configuration a door's policy is made of. */
export interface AccessSettings {
  readonly cors: { readonly origins: readonly string[] };
  readonly auth: { readonly enabled: boolean; readonly tokens: readonly string[]; readonly adminToken?: string | undefined };
}

/**
 * A door's policy from the configuration: every door takes the origins of `cors.origins` and, with `auth` on,
 * the client tokens; the admin API takes `auth.adminToken` instead when there is one. `maxConnections` and
 * `place`: the door's limit, and the place its message names.
 */
export function accessPolicy(door: Door, settings: AccessSettings, maxConnections?: number, place?: string): AccessPolicy {
  const { auth } = settings;
  const tokens = door === 'admin' && auth.adminToken !== undefined ? [auth.adminToken] : auth.tokens;
  return { door, origins: settings.cors.origins, tokens: auth.enabled ? tokens : undefined, maxConnections, ...(place === undefined ? {} : { place }) };
}

/**
 * The facts of a request at a door; `connected`: the clients in through it now. Its tokens are read only when
 * the policy asks for one: a query token needs the target parsed as a URL, which most handshakes are spared.
 */
export function accessFacts(request: IncomingMessage, policy: AccessPolicy, connected: number): AccessFacts {
  const tokens = policy.tokens === undefined ? [] : presentedTokens(request, DOORS[policy.door].ways);
  return { origin: request.headers.origin, tokens, connected };
}

/** Undefined when the request may come in, else why not: MW_FORBIDDEN_ORIGIN, MW_UNAUTHORIZED or MW_TOO_MANY_CONNECTIONS. */
export function checkAccess(facts: AccessFacts, policy: AccessPolicy): Refusal | undefined {
  const door = DOORS[policy.door];
  if (!originAllowed(facts.origin, policy.origins)) return refusal('MW_FORBIDDEN_ORIGIN', `Origin ${facts.origin ?? ''} is not allowed`);
  const tokens = policy.tokens;
  if (tokens !== undefined && !facts.tokens.some((token) => tokenMatches(token, tokens))) return refusal('MW_UNAUTHORIZED', door.tokenHint);
  const max = policy.maxConnections;
  if (max !== undefined && door.full !== undefined && facts.connected >= max) return refusal('MW_TOO_MANY_CONNECTIONS', door.full(max, policy.place ?? ''));
  return undefined;
}

/** The check on a request as it arrives at a door: its facts read, then checked. */
export function accessRefusal(request: IncomingMessage, policy: AccessPolicy, connected: number): Refusal | undefined {
  return checkAccess(accessFacts(request, policy, connected), policy);
}
