/**
 * The admin HTTP API. Routes are a table of method + path pattern -> handler over an AdminView, an interface
 * the server provides; the admin layer never reaches into server internals. Every response, errors included,
 * is in the guide's envelope with a requestId.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { MockwaveError } from '../errors/catalog.ts';
import { closeCodeSchema, closeReasonSchema } from '../rules/schema.ts';
import { metaAt, refusal, refusalOf, type Refusal } from '../errors/refusal.ts';
import { acceptedTarget, type RequestTarget } from '../util/request-target.ts';
import { ownPathAt } from '../util/own-paths.ts';
import { answerPreflight, applyCors } from '../security/cors.ts';
import { answerRefusal } from '../security/refusal-answer.ts';
import { jsonBody } from './body.ts';
import { bodyPending, closeAfterAnswer, skipBody } from '../http/body.ts';
import { dashboardFiles, wantsHtml } from './dashboard.ts';
import { sendData, sendLines } from './envelope.ts';
import { LiveViews } from './live.ts';
import type { AdminView } from './view.ts';
import { query, type AdminRoute, type Result } from './route.ts';
import { FAULT_ROUTES } from './fault-routes.ts';
import { STATE_ROUTES } from './state-routes.ts';

export type { WebSocketStats } from './snapshot.ts';
export type { AdminView } from './view.ts';


/**
 * A stream's or an HTTP route's name from the path, sent percent-encoded (the dashboard encodes every name):
 * stream names may hold any character, and default route names hold spaces and slashes.
 */
function nameParam(params: Readonly<Record<string, string>>): string {
  try {
    return decodeURIComponent(params['name'] ?? '');
  } catch {
    return params['name'] ?? '';
  }
}


/** A verification or wait that did not hold: 417 in the error envelope, with what was found beside it. */
function heldOrRefused(outcome: { readonly ok: boolean; readonly message: string } & Record<string, unknown>, code: 'MW_VERIFY_FAILED' | 'MW_WAIT_TIMED_OUT'): Result {
  const { ok, message, ...fields } = outcome;
  return ok ? { status: 200, data: { message, ...fields } } : { refused: refusal(code, message), fields };
}

const publishBody = z.union([
  z.strictObject({ event: z.string().min(1), data: z.unknown().optional(), endpoint: z.string().min(1).optional() }),
  z.strictObject({ clientId: z.string().min(1), message: z.unknown() }),
  z.strictObject({ endpoint: z.string().min(1), message: z.unknown() }),
], { error: 'expected {event, data?, endpoint?}, {clientId, message} or {endpoint, message}' });

const closeBody = z.strictObject({
  code: closeCodeSchema.default(1000),
  reason: closeReasonSchema.default(''),
});


const ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    pattern: /^\/$/,
    handler: ({ view, request }) => {
      if (!view.dashboard || !wantsHtml(request.headers.accept)) return { status: 200, data: view.describe() };
      const page = dashboardFiles().get('index.html');
      if (page === undefined) return { status: 200, contentType: 'text/plain; charset=utf-8', text: 'The dashboard is not built: run `npm run build`. The API is at /admin/websocket/stats.\n' };
      return { status: 200, ...page };
    },
  },
  {
    method: 'GET',
    pattern: /^\/dashboard\/(?<file>app\.js|app\.css)$/,
    handler: ({ view, params }) => {
      const file = view.dashboard ? dashboardFiles().get(params['file'] ?? '') : undefined;
      if (file === undefined) throw new MockwaveError('MW_ADMIN_NOT_FOUND', `No dashboard file ${params['file']}`);
      return { status: 200, ...file };
    },
  },
  { method: 'GET', pattern: /^\/admin\/live$/, handler: ({ live }) => {
    live.admit();
    return { stream: (response) => live.snapshots(response) };
  } },
  {
    method: 'GET',
    pattern: /^\/admin\/live\/clients\/(?<id>[^/]+)$/,
    handler: ({ live, params }) => ({ stream: live.clientLog(params['id'] ?? '') }),
  },
  { method: 'GET', pattern: /^\/admin\/live\/requests$/, handler: ({ live }) => ({ stream: live.requests() }) },
  {
    method: 'POST',
    pattern: /^\/admin\/websocket\/streams\/(?<name>[^/]+)\/(?<action>pause|resume|tick)$/,
    handler: ({ view, request, response, params }) => {
      skipBody(request, response);
      return { status: 200, data: view.controlStream(nameParam(params), query(request, 'endpoint'), params['action'] as 'pause' | 'resume' | 'tick') };
    },
  },
  {
    method: 'GET',
    pattern: /^\/admin\/websocket\/streams\/(?<name>[^/]+)\/render$/,
    handler: ({ view, request, params }) => ({ status: 200, data: view.controlStream(nameParam(params), query(request, 'endpoint'), 'render') }),
  },
  { method: 'GET', pattern: /^\/admin\/websocket\/stats$/, handler: ({ view }) => ({ status: 200, data: view.stats() }) },
  {
    method: 'GET',
    pattern: /^\/metrics$/,
    handler: async ({ view }) => {
      const { contentType, text } = await view.metrics();
      return { status: 200, text, contentType };
    },
  },
  { method: 'GET', pattern: /^\/admin\/websocket\/clients$/, handler: ({ view }) => ({ status: 200, data: view.clients() }) },
  {
    method: 'GET',
    pattern: /^\/admin\/websocket\/clients\/(?<id>[^/]+)$/,
    handler: ({ view, params }) => {
      const client = view.clients().find((c) => c.id === params['id']);
      if (client === undefined) throw new MockwaveError('MW_UNKNOWN_CLIENT', `No connected client ${params['id']}`);
      return { status: 200, data: client };
    },
  },
  {
    method: 'POST',
    pattern: /^\/admin\/websocket\/publish$/,
    handler: async ({ view, request }) => {
      const body = await jsonBody(request, publishBody);
      if ('event' in body) {
        // Sent whatever it is (a tester may need an invalid message); the answer says when it breaks the stream's schema.
        const problem = view.schemaProblem(body.event, body.endpoint, body.data);
        return { status: 200, data: { delivered: view.publish(body.event, body.data, body.endpoint), ...(problem === undefined ? {} : { schemaProblem: problem }) } };
      }
      return { status: 200, data: { delivered: view.sendTo('clientId' in body ? { clientId: body.clientId } : { endpoint: body.endpoint }, body.message) } };
    },
  },
  {
    method: 'POST',
    pattern: /^\/admin\/config\/reload$/,
    handler: ({ view, request, response }) => {
      skipBody(request, response);
      const state = query(request, 'state') ?? 'keep';
      if (state !== 'keep' && state !== 'reset') throw new MockwaveError('MW_BAD_REQUEST', `?state= is keep (the default) or reset, not ${JSON.stringify(state.slice(0, 40))}`);
      return { status: 200, data: view.reload(state === 'reset') };
    },
  },
  { method: 'GET', pattern: /^\/admin\/websocket\/streams$/, handler: ({ view }) => ({ status: 200, data: view.streams() }) },
  {
    method: 'GET',
    pattern: /^\/admin\/websocket\/streams\/(?<name>[^/]+)$/,
    handler: ({ view, params, request }) => ({ status: 200, data: view.stream(nameParam(params), query(request, 'endpoint')) }),
  },
  {
    method: 'POST',
    pattern: /^\/admin\/websocket\/streams$/,
    handler: async ({ view, request }) => {
      const body = await jsonBody(request, z.record(z.string(), z.unknown(), { error: 'expected a stream definition object' }));
      const { endpoint, ...definition } = body;
      return { status: 201, data: view.putStream(definition, typeof endpoint === 'string' ? endpoint : query(request, 'endpoint'), 'create') };
    },
  },
  {
    method: 'PUT',
    pattern: /^\/admin\/websocket\/streams\/(?<name>[^/]+)$/,
    handler: async ({ view, request, params }) => {
      const body = await jsonBody(request, z.record(z.string(), z.unknown(), { error: 'expected a stream definition object' }));
      const { endpoint, ...definition } = body;
      return { status: 200, data: view.putStream(definition, typeof endpoint === 'string' ? endpoint : query(request, 'endpoint'), 'replace', nameParam(params)) };
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/admin\/websocket\/streams\/(?<name>[^/]+)$/,
    handler: ({ view, request, params }) => {
      view.removeStream(nameParam(params), query(request, 'endpoint'));
      return { status: 200, data: { removed: nameParam(params) } };
    },
  },
  { method: 'GET', pattern: /^\/admin\/http\/routes$/, handler: ({ view }) => ({ status: 200, data: view.httpRoutes() }) },
  {
    method: 'POST',
    pattern: /^\/admin\/http\/routes$/,
    handler: async ({ view, request }) => ({ status: 201, data: view.putHttpRoute(await jsonBody(request, z.record(z.string(), z.unknown(), { error: 'expected an HTTP route object' })), 'create') }),
  },
  {
    method: 'PUT',
    pattern: /^\/admin\/http\/routes\/(?<name>[^/]+)$/,
    handler: async ({ view, request, params }) => ({ status: 200, data: view.putHttpRoute(await jsonBody(request, z.record(z.string(), z.unknown(), { error: 'expected an HTTP route object' })), 'replace', nameParam(params)) }),
  },
  {
    method: 'DELETE',
    pattern: /^\/admin\/http\/routes\/(?<name>[^/]+)$/,
    handler: ({ view, params }) => {
      view.removeHttpRoute(nameParam(params));
      return { status: 200, data: { removed: nameParam(params) } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/admin\/journal$/,
    handler: ({ view, request }) => ({ status: 200, data: view.journal(Object.fromEntries(acceptedTarget(request).url.searchParams)) }),
  },
  { method: 'GET', pattern: /^\/admin\/journal\/export$/, handler: ({ view, request }) => ({ stream: sendLines(view.exportJournal(Object.fromEntries(acceptedTarget(request).url.searchParams))) }) },
  { method: 'POST', pattern: /^\/admin\/journal\/find$/, handler: async ({ view, request }) => ({ status: 200, data: { entries: view.findInJournal(await jsonBody(request, z.unknown())) } }) },
  { method: 'POST', pattern: /^\/admin\/verify$/, handler: async ({ view, request }) => heldOrRefused(view.verifyJournal(await jsonBody(request, z.unknown())), 'MW_VERIFY_FAILED') },
  {
    method: 'POST',
    pattern: /^\/admin\/wait$/,
    handler: async ({ view, request, response }) => {
      const body = await jsonBody(request, z.unknown());
      // A caller that leaves stops its wait at once: its listener and timer are not held until the timeout.
      return heldOrRefused(await view.waitInJournal(body, (cancel) => response.once('close', cancel)), 'MW_WAIT_TIMED_OUT');
    },
  },
  { method: 'DELETE', pattern: /^\/admin\/journal$/, handler: ({ view, request }) => ({ status: 200, data: view.clearJournal(query(request, 'scope')) }) },
  {
    method: 'POST',
    pattern: /^\/admin\/websocket\/clients\/(?<id>[^/]+)\/close$/,
    handler: async ({ view, request, params }) => {
      const body = await jsonBody(request, closeBody);
      view.close(params['id'] ?? '', body.code, body.reason);
      return { status: 200, data: { closed: params['id'], code: body.code } };
    },
  },
  {
    method: 'POST',
    pattern: /^\/admin\/websocket\/clients\/(?<id>[^/]+)\/terminate$/,
    handler: ({ view, params }) => {
      view.terminate(params['id'] ?? '');
      return { status: 200, data: { terminated: params['id'] } };
    },
  },
  ...STATE_ROUTES,
  ...FAULT_ROUTES,
];

export function createAdminHandler(view: AdminView): (request: IncomingMessage, response: ServerResponse, target: RequestTarget) => void {
  const live = new LiveViews(view, { maxConnections: view.maxLiveConnections });
  return (request, response, target) => {
    const meta = metaAt(view.now(), view.requestId());
    const cors = view.cors(request);
    applyCors(response, cors);
    const method = request.method ?? 'GET';
    const pathname = target.path.replace(/(?<=.)\/+$/, '');
    const refuse = (refused: Refusal, headers?: Readonly<Record<string, string>>): void => void answerRefusal(response, refused, { meta, cors, headers });
    const fail = (refused: Refusal): void => {
      // Refused before its body has all arrived (too large, or never read): the rest is not read, the connection closes.
      if (bodyPending(request)) closeAfterAnswer(request, response);
      refuse(refused);
    };
    const matches = ROUTES.map((route) => ({ route, match: route.pattern.exec(pathname) })).filter((m) => m.match !== null);
    if (method === 'OPTIONS' && matches.length > 0) {
      skipBody(request, response);
      const allowed = [...new Set([...matches.map((m) => m.route.method), 'OPTIONS'])];
      answerPreflight(response, cors, request, allowed, { Allow: allowed.join(', ') });
      return;
    }
    // What reaches this handler at / is the dashboard's or the server's description: the token guards it either way.
    const refused = view.guard(request) ?? (ownPathAt(pathname, true)?.adminToken === true ? view.refuse(request) : undefined);
    if (refused !== undefined) {
      skipBody(request, response);
      fail(refused);
      return;
    }
    if (matches.length === 0) {
      skipBody(request, response);
      refuse(refusal('MW_ADMIN_NOT_FOUND', `No route for ${method} ${pathname}`));
      return;
    }
    const hit = matches.find((m) => m.route.method === method || (method === 'HEAD' && m.route.method === 'GET'));
    if (hit === undefined) {
      skipBody(request, response);
      const allowed = [...new Set(matches.map((m) => m.route.method))].join(', ');
      refuse(refusal('MW_METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname} (allowed: ${allowed})`), { Allow: allowed });
      return;
    }
    if (hit.route.method === 'GET' || hit.route.method === 'DELETE') skipBody(request, response);
    Promise.resolve()
      .then(() => hit.route.handler({ view, live, request, response, params: hit.match?.groups ?? {} }))
      .then((result) => {
        if ('stream' in result) result.stream(response);
        else if ('refused' in result) answerRefusal(response, result.refused, { meta, cors, fields: result.fields });
        else if ('text' in result) {
          response.writeHead(result.status, { 'Content-Type': result.contentType, 'Cache-Control': 'no-store' });
          response.end(result.text);
        } else sendData(response, result.status, result.data, meta);
      }, (error: unknown) => fail(refusalOf(error)))
      // An answer that cannot be written (a bug) ends this response, never the process.
      .catch(() => response.destroy());
  };
}
