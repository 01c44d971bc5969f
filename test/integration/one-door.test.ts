/**
 * One door, through a real server: the same bad origin, bad token and full door are refused the same way on a
 * WebSocket upgrade, a Server-Sent Events connect and the admin API (one access check, src/security/access.ts);
 * a 429 from `http.rateLimit` carries CORS headers for an allowed origin (one error writer); and the one list of
 * mockwave's own paths (src/util/own-paths.ts) is what route loading refuses and what is answered before any
 * route.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { checkConfig, validateConfig } from '../../src/config/validate.ts';
import { metaAt } from '../../src/errors/refusal.ts';
import type { HttpRoutes } from '../../src/http/index.ts';
import { createLogger } from '../../src/log/logger.ts';
import { dispatchRequests } from '../../src/server/http-side.ts';
import type { EndpointRegistry } from '../../src/server/registry.ts';
import type { SseSide } from '../../src/sse/side.ts';
import { RequestTarget } from '../../src/util/request-target.ts';
import { OWN_PATHS } from '../../src/util/own-paths.ts';
import type { MockwaveConfigInput } from '../../src/index.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';

const APP = 'http://app.test';
const EVIL = 'http://evil.test';
const TOKEN = 'door-token-1';
const WS_ENDPOINT = { path: '/ws', streams: [] };
const SSE_ENDPOINT = { path: '/events', protocol: 'sse' as const, streams: [{ name: 'tick', interval: 60_000, data: { n: 1 } }] };
const DOORS: MockwaveConfigInput = { endpoints: [WS_ENDPOINT, { ...SSE_ENDPOINT, sse: { heartbeat: 0 } }], websocket: { heartbeatInterval: 0 } };

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

function parsed(status: number, body: string, headers: IncomingHttpHeaders): Answer {
  const error = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
  return { status, code: error?.code, message: error?.message, headers };
}

/** A WebSocket upgrade that is expected to be refused: its status and the catalog error of its body. */
async function upgrade(running: RunningServer, headers: Record<string, string>): Promise<Answer> {
  try {
    const client = await wsConnect(running.ws('/ws'), { headers });
    await client.close();
    throw new Error('the upgrade was let in');
  } catch (error) {
    const refused = error as { status?: number; body?: string };
    if (refused.status === undefined) throw error;
    return parsed(refused.status, refused.body ?? '{}', {});
  }
}

/** A plain request (from `localAddress`, for the per-address rate limit); an event stream let in is cut at its head. */
function get(port: number, path: string, headers: Record<string, string>, localAddress = '127.0.0.1'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, localAddress, agent: false, timeout: 5000 }, (res) => {
      if (res.headers['content-type']?.startsWith('text/event-stream') === true) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, code: undefined, message: undefined, headers: res.headers });
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.headers['content-type']?.includes('json') === true ? parsed(res.statusCode ?? 0, body, res.headers) : { status: res.statusCode ?? 0, code: undefined, message: body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** The three doors' answers to the same request headers. */
async function atEveryDoor(running: RunningServer, headers: Record<string, string>): Promise<Record<'websocket' | 'sse' | 'admin', Answer>> {
  return {
    websocket: await upgrade(running, headers),
    sse: await get(running.info.port, '/events', { accept: 'text/event-stream', ...headers }),
    admin: await get(running.info.port, '/admin/websocket/stats', headers),
  };
}

describe('one door: the same refusal whichever way a client comes in', () => {
  it('an origin not in cors.origins: 403 MW_FORBIDDEN_ORIGIN with the same message, on WebSocket, SSE and the admin API', async () => {
    const running = await startServer({ ...DOORS, cors: { origins: [APP] } });
    const answers = await atEveryDoor(running, { origin: EVIL });
    for (const [door, answer] of Object.entries(answers)) {
      assert.deepEqual([answer.status, answer.code, answer.message], [403, 'MW_FORBIDDEN_ORIGIN', `Origin ${EVIL} is not allowed`], door);
    }
    await (await wsConnect(running.ws('/ws'), { headers: { origin: APP } })).close();
    const listed = [await get(running.info.port, '/events', { origin: APP, accept: 'text/event-stream' }), await get(running.info.port, '/admin/websocket/stats', { origin: APP })];
    assert.deepEqual(listed.map((a) => a.status), [200, 200], 'a listed origin comes in');
  });

  it('a wrong token: 401 MW_UNAUTHORIZED on WebSocket, SSE and the admin API; the HTTP answers challenge with Bearer', async () => {
    const running = await startServer({ ...DOORS, auth: { enabled: true, tokens: [TOKEN] } });
    for (const headers of [{}, { authorization: 'Bearer not-the-token' }] as Record<string, string>[]) {
      const answers = await atEveryDoor(running, headers);
      for (const [door, answer] of Object.entries(answers)) assert.deepEqual([answer.status, answer.code], [401, 'MW_UNAUTHORIZED'], `${door} with ${JSON.stringify(headers)}`);
      assert.deepEqual([answers.sse.headers['www-authenticate'], answers.admin.headers['www-authenticate']], ['Bearer', 'Bearer']);
    }
    const client = await wsConnect(running.ws(`/ws?token=${TOKEN}`));
    await client.close();
    assert.equal((await get(running.info.port, '/admin/websocket/stats', { authorization: `Bearer ${TOKEN}` })).status, 200, 'the right token opens the admin API');
  });

  it('a full door: 503 MW_TOO_MANY_CONNECTIONS on WebSocket and SSE (the admin API has no connection limit)', async () => {
    const running = await startServer({
      ...DOORS,
      websocket: { heartbeatInterval: 0, maxConnections: 1 },
      endpoints: [WS_ENDPOINT, { ...SSE_ENDPOINT, sse: { heartbeat: 0, maxConnections: 1 } }],
    });
    const first: WsTestClient = await wsConnect(running.ws('/ws'));
    const stream = await fetch(running.http('/events'), { headers: { accept: 'text/event-stream' } });
    assert.equal(stream.status, 200);
    const ws = await upgrade(running, {});
    const sse = await get(running.info.port, '/events', { accept: 'text/event-stream' });
    assert.deepEqual([ws.status, ws.code, ws.message], [503, 'MW_TOO_MANY_CONNECTIONS', 'The server already has 1 clients (websocket.maxConnections)']);
    assert.deepEqual([sse.status, sse.code, sse.message], [503, 'MW_TOO_MANY_CONNECTIONS', '/events already has 1 Server-Sent Events clients (sse.maxConnections)']);
    assert.equal((await get(running.info.port, '/admin/websocket/stats', {})).status, 200);
    await stream.body?.cancel();
    await first.close();
  });
});

describe('one error writer', () => {
  it('a 429 from http.rateLimit carries the CORS headers for an allowed origin, and none for a refused one', async () => {
    const running = await startServer({
      ...DOORS,
      cors: { origins: [APP] },
      http: { rateLimit: { requestsPerSecond: 0.01, burst: 1 }, routes: [{ method: 'GET', path: '/api/x', then: [{ respond: { body: { ok: true } } }] }] },
    });
    const port = running.info.port;
    assert.equal((await get(port, '/api/x', { origin: APP }, '127.0.0.2')).status, 200);
    const limited = await get(port, '/api/x', { origin: APP }, '127.0.0.2');
    assert.deepEqual([limited.status, limited.code, limited.headers['access-control-allow-origin'], limited.headers['vary']], [429, 'MW_HTTP_RATE_LIMITED', APP, 'Origin']);
    assert.match(limited.headers['retry-after'] ?? '', /^[1-9]\d*$/);
    assert.equal((await get(port, '/api/x', { origin: EVIL }, '127.0.0.3')).status, 200, 'the route itself answers any origin (CORS decides what a page may read)');
    const foreign = await get(port, '/api/x', { origin: EVIL }, '127.0.0.3');
    assert.deepEqual([foreign.status, foreign.headers['access-control-allow-origin']], [429, undefined]);
    const sse = await get(port, '/events', { origin: APP, accept: 'text/event-stream' }, '127.0.0.2');
    assert.deepEqual([sse.status, sse.headers['access-control-allow-origin']], [429, APP], 'an SSE connect over the limit too');
  });

  it('a request whose answer fails is a 500 MW_INTERNAL in the envelope, with CORS headers, and the server goes on', async () => {
    const config = validateConfig({ cors: { origins: [APP] } });
    let calls = 0;
    const failing = () => {
      calls += 1;
      if (calls === 1) throw new Error('the handler broke');
    };
    // No routes, no SSE endpoints: every request is the admin handler's, here one that throws once.
    const handle = dispatchRequests((_request, response) => {
      failing();
      response.end('fine');
    }, { routes: { size: 0, claims: () => false } as unknown as HttpRoutes, config, registry: {} as EndpointRegistry, sse: {} as SseSide, logger: createLogger({ level: 'silent' }), meta: () => metaAt(0, 'req-fault') });
    const server = createServer((request, response) => handle(request, response, RequestTarget.read(request.url) as RequestTarget));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    after(() => server.close());
    const { port } = server.address() as AddressInfo;
    const failed = await get(port, '/admin/websocket/stats', { origin: APP });
    assert.deepEqual([failed.status, failed.code, failed.message, failed.headers['access-control-allow-origin']], [500, 'MW_INTERNAL', 'Internal error: the handler broke', APP]);
    assert.equal((await get(port, '/admin/websocket/stats', {})).message, 'fine');
  });

  it('every error answer is the catalog envelope: a route 404 keeps its closest routes beside it', async () => {
    const running = await startServer({ http: { routes: [{ method: 'GET', path: '/api/orders', then: [{ respond: { body: [] } }] }] } });
    const response = await fetch(running.http('/api/order'));
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 404);
    assert.deepEqual(Object.keys(body).sort(), ['closest', 'error', 'meta', 'success']);
    assert.deepEqual([body['success'], (body['error'] as { code: string }).code, body['closest']], [false, 'MW_HTTP_NO_ROUTE', ['GET /api/orders']]);
  });
});

describe("mockwave's own paths", () => {
  const at = (path: string) => ({ http: { routes: [{ method: 'GET', path, then: [{ respond: { body: 'a route' } }] }] } });

  it('the one list is what route loading refuses, from a configuration and through the admin API alike', async () => {
    const running = await startServer({ http: { routes: [] } });
    for (const own of OWN_PATHS) {
      const paths = own.path === '/' ? ['/'] : [own.path, `${own.path}/x`];
      for (const path of paths) {
        const loaded = checkConfig(at(path));
        assert.equal(loaded.ok, false, `a configuration with a route at ${path}`);
        const problem = loaded.ok ? '' : (loaded.problems[0] ?? '');
        assert.match(problem, /^http\.routes\[0\]\.path: /);
        const added = await fetch(running.http('/admin/http/routes'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(at(path).http.routes[0]) });
        const refused = ((await added.json()) as { error: { message: string } }).error.message;
        assert.deepEqual([added.status, refused], [400, `Invalid HTTP route: path: ${problem.replace(/^http\.routes\[0\]\.path: /, '')}`], path);
      }
    }
    assert.equal(checkConfig(at('/api/x')).ok, true, 'a path of its own');
    assert.equal(checkConfig({ ...at('/'), dashboard: { enabled: false } }).ok, true, 'the root, with the dashboard off');
  });

  it('each own path is answered by mockwave before a route that covers every path', async () => {
    const running = await startServer(at('/*'));
    const answered = async (path: string) => (await get(running.info.port, path, {})).message !== 'a route';
    assert.ok(await answered('/admin/websocket/stats'));
    assert.ok(await answered('/metrics'));
    assert.ok(await answered('/dashboard/app.js'));
    assert.ok(await answered('/'), 'the root, while the dashboard is on');
    assert.ok(!(await answered('/api/anything')), 'anything else is the route\'s');
  });
});
