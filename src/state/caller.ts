/**
 * Who an HTTP caller is, for state: `stateStore.caller` names a header or a cookie (`cookie:session`), and
 * every request and every WebSocket or Server-Sent Events connection that carries it reads and writes that
 * caller's scope (`caller:<value>`). A browser sends its cookies with the WebSocket upgrade too, so what a
 * login route sets for a caller, the caller's socket sees.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { cookieValue } from '../util/cookies.ts';

export const callerSchema = z
  .string()
  .regex(/^(header:[A-Za-z0-9-]+|cookie:[A-Za-z0-9_.-]+)$/, { message: 'expected header:<name> or cookie:<name>' })
  .describe('What tells HTTP callers apart for state (header:<name> or cookie:<name>): requests and WebSocket/SSE connections carrying the same value share the scope caller:<value>.');

/** A request's caller scope (`caller:<value>`), or undefined when it carries none. */
export type CallerOf = (headers: IncomingHttpHeaders) => string | undefined;

/** Values longer than this are named by their SHA-256 instead: a scope's name stays short, whatever a cookie holds. */
const MAX_KEPT = 128;

const NO_CALLER: CallerOf = () => undefined;

const hashed = (value: string): string => `caller:#${createHash('sha256').update(value).digest('base64url')}`;

/** A caller's scope: its value, or its hash when the value is long or a secret. */
const scopeNamer = (hidden: boolean) => (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : hidden || value.length > MAX_KEPT ? hashed(value) : `caller:${value}`;

/**
 * How `spec` (`header:<name>` or `cookie:<name>`; none: no callers) reads a request's caller. `hidden`: the
 * value is a secret (a `session` cookie, an `authorization` header: the caller names it), so its scope is named by its
 * SHA-256, never by the value: scope names are shown by the admin API, the journal and the dashboard, and
 * written to the state file.
 */
export function callerOf(spec: string | undefined, { hidden }: { readonly hidden: boolean } = { hidden: false }): CallerOf {
  if (spec === undefined) return NO_CALLER;
  const scopeName = scopeNamer(hidden);
  const at = spec.indexOf(':');
  const kind = spec.slice(0, at);
  const name = spec.slice(at + 1);
  if (kind === 'header') {
    const header = name.toLowerCase();
    return (headers) => {
      const value = headers[header];
      return scopeName(Array.isArray(value) ? value[0] : value);
    };
  }
  return (headers) => scopeName(cookieValue(headers.cookie, name));
}
