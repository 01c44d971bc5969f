/**
 * Tokens for WebSocket clients and the admin API. A client may present one as `Authorization: Bearer <t>`,
 * as `?token=<t>` (browsers cannot set headers on a WebSocket) or as a subprotocol `bearer.<t>`. Tokens are
 * compared in constant time so response timing says nothing about how much of a guess was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { acceptedTarget } from '../util/request-target.ts';

function digest(value: string): Buffer {
  // Hashing first gives equal-length inputs, which timingSafeEqual needs, without leaking the length.
  return createHash('sha256').update(value).digest();
}

export function tokenMatches(candidate: string, tokens: readonly string[]): boolean {
  const given = digest(candidate);
  let ok = false;
  for (const token of tokens) ok = timingSafeEqual(given, digest(token)) || ok;
  return ok;
}

export const BEARER_PROTOCOL = 'bearer.';

/** Every token the request presents, in the order header, query, subprotocol. */
export function presentedTokens(request: IncomingMessage, options: { query: boolean; protocol: boolean }): string[] {
  const found: string[] = [];
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^bearer\s+/i.test(header)) found.push(header.replace(/^bearer\s+/i, '').trim());
  if (options.query) {
    const token = acceptedTarget(request).url.searchParams.get('token');
    if (token !== null) found.push(token);
  }
  if (options.protocol) {
    for (const protocol of (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())) {
      if (protocol.startsWith(BEARER_PROTOCOL)) found.push(protocol.slice(BEARER_PROTOCOL.length));
    }
  }
  return found;
}
