/**
 * The state through the admin API (docs/state.md): the whole of it (figures, scopes, the global document),
 * one scope, one key of a scope; replaced, changed or forgotten. Paths are checked by the store itself, so a
 * path refused here is refused for the same reason as in a `setState` step (400 `MW_STATE_REFUSED`).
 */
import { z } from 'zod';
import { MockwaveError } from '../errors/catalog.ts';
import { GLOBAL_SCOPE, isScopeName, pathParts, readAt, type StateChange } from '../state/index.ts';
import { ADMIN_SOURCE } from '../util/source.ts';
import { jsonBody } from './body.ts';
import { query, type AdminRoute } from './route.ts';

const changeBody = z.strictObject({
  set: z.record(z.string(), z.unknown()).optional(),
  merge: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  increment: z.record(z.string(), z.number()).optional(),
  append: z.record(z.string(), z.unknown()).optional(),
  delete: z.array(z.string()).optional(),
});

const documentBody = z.record(z.string(), z.unknown(), { error: 'expected the scope\'s whole document: a JSON object' });

/** The scope named by the path (percent-decoded: `client:<id>` may be sent encoded); 404 for a name of no kind. */
function scopeParam(params: Readonly<Record<string, string>>): string {
  let scope = params['scope'] ?? '';
  try {
    scope = decodeURIComponent(scope);
  } catch {
    // Kept as sent: it is then refused below unless it is a scope's name as it stands.
  }
  if (!isScopeName(scope)) throw new MockwaveError('MW_UNKNOWN_STATE_SCOPE', `No state scope ${JSON.stringify(scope)}: a scope is global, client:<id>, caller:<key> or scope:<name>`);
  return scope;
}

const ONE = /^\/admin\/state\/(?<scope>[^/]+)$/;

export const STATE_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    pattern: /^\/admin\/state$/,
    handler: ({ view }) => ({ status: 200, data: { figures: view.state.figures(), scopes: view.state.list(), global: view.state.get(GLOBAL_SCOPE) ?? {} } }),
  },
  {
    method: 'GET',
    pattern: ONE,
    handler: ({ view, params, request }) => {
      const scope = scopeParam(params);
      const key = query(request, 'key');
      if (key === undefined) return { status: 200, data: { scope, state: view.state.get(scope) ?? {} } };
      const value = readAt(view.state.get(scope), pathParts(key));
      return { status: 200, data: { scope, key, found: value !== undefined, value: value ?? null } };
    },
  },
  {
    method: 'PUT',
    pattern: ONE,
    handler: async ({ view, params, request }) => {
      const scope = scopeParam(params);
      const key = query(request, 'key');
      if (key !== undefined) view.state.change(scope, { set: { [key]: await jsonBody(request, z.unknown()) } }, ADMIN_SOURCE);
      else view.state.replace(scope, await jsonBody(request, documentBody), ADMIN_SOURCE);
      return { status: 200, data: { scope, state: view.state.get(scope) ?? {} } };
    },
  },
  {
    method: 'PATCH',
    pattern: ONE,
    handler: async ({ view, params, request }) => {
      const scope = scopeParam(params);
      view.state.change(scope, (await jsonBody(request, changeBody)) as StateChange, ADMIN_SOURCE);
      return { status: 200, data: { scope, state: view.state.get(scope) ?? {} } };
    },
  },
  {
    method: 'DELETE',
    pattern: ONE,
    handler: ({ view, params, request }) => {
      const scope = scopeParam(params);
      const key = query(request, 'key');
      if (key === undefined) view.state.reset(scope, ADMIN_SOURCE);
      else view.state.change(scope, { delete: [key] }, ADMIN_SOURCE);
      return { status: 200, data: { scope, state: view.state.get(scope) ?? {} } };
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/admin\/state$/,
    handler: ({ view }) => {
      view.state.reset(undefined, ADMIN_SOURCE);
      return { status: 200, data: { reset: true } };
    },
  },
];
