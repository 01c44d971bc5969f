/**
 * CORS through a real server, called with fetch sending Origin (and Cookie) as a browser on another port
 * would: HTTP routes, Server-Sent Events and the admin API share one builder (src/security/cors.ts). Node's
 * fetch does not enforce CORS, so the tests read the headers a browser would judge; Chromium judging them
 * is in test/interop/browser.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MockwaveConfigInput } from '../../src/index.ts';
import { loadConfig } from '../../src/sources/load.ts';
import { startServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const DEV = 'http://localhost:5173';
const FOREIGN = 'http://app.example';

/** A login that sets a cookie, a page that reads it (and a header a front end reads), and an event stream. */
const APP: MockwaveConfigInput = {
  endpoints: [{ path: '/events', protocol: 'sse', sse: { heartbeat: 0 }, streams: [{ name: 'ticker', interval: 50, data: { n: '{{counter}}' } }] }],
  http: {
    routes: [
      { name: 'login', method: 'POST', path: '/api/login', then: [{ respond: { status: 204, headers: { 'set-cookie': 'session=s-42; Path=/; SameSite=Lax' } } }] },
      { name: 'me', method: 'GET', path: '/api/me', when: { cookies: { session: '^s-' } }, then: [{ respond: { headers: { 'x-total-count': '1' }, body: { session: '{{request.cookies.session}}' } } }] },
      { name: 'anonymous', method: 'GET', path: '/api/me', then: [{ respond: { status: 401, body: { error: 'log in first' } } }] },
    ],
  },
};

const cors = (response: Response) => ({
  origin: response.headers.get('access-control-allow-origin'),
  credentials: response.headers.get('access-control-allow-credentials'),
  vary: response.headers.get('vary'),
});

describe('CORS with credentials', () => {
  it('routes: with cors.credentials a loopback origin gets its cookie answer with credentials; a foreign one the answer without', async () => {
    const { http } = await startServer({ ...APP, cors: { credentials: true } });
    const login = await fetch(http('/api/login'), { method: 'POST', headers: { origin: DEV } });
    assert.equal(login.status, 204);
    assert.deepEqual(cors(login), { origin: DEV, credentials: 'true', vary: 'Origin' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.equal(cookie, 'session=s-42');
    const me = await fetch(http('/api/me'), { headers: { origin: DEV, cookie } });
    assert.deepEqual([me.status, await me.json()], [200, { session: 's-42' }], 'the route matched the cookie');
    assert.deepEqual(cors(me), { origin: DEV, credentials: 'true', vary: 'Origin' });
    // `*` is a plain name to a credentialed request: the headers it may read are named.
    assert.deepEqual(me.headers.get('access-control-expose-headers')?.split(', ').sort(), ['content-length', 'content-type', 'x-total-count']);
    const foreign = await fetch(http('/api/me'), { headers: { origin: FOREIGN, cookie } });
    assert.deepEqual(cors(foreign), { origin: FOREIGN, credentials: null, vary: 'Origin' });
    assert.equal(foreign.headers.get('access-control-expose-headers'), '*');
    const bare = await fetch(http('/api/me'));
    assert.deepEqual(cors(bare), { origin: null, credentials: null, vary: 'Origin' }, 'no Origin: still Vary, for caches');
  });

  it('routes: a credentialed preflight names the origin, the methods and the asked headers, never `*`', async () => {
    const { http } = await startServer({ ...APP, cors: { credentials: true } });
    const preflight = await fetch(http('/api/me'), { method: 'OPTIONS', headers: { origin: DEV, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-trace, content-type' } });
    assert.equal(preflight.status, 204);
    assert.deepEqual(cors(preflight), { origin: DEV, credentials: 'true', vary: 'Origin' });
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'x-trace, content-type');
  });

  it('routes: without cors.credentials nothing changes (the origin echoed, no credentials); with a list, only listed origins get them', async () => {
    const open = await startServer(APP);
    assert.deepEqual(cors(await fetch(open.http('/api/me'), { headers: { origin: DEV } })), { origin: DEV, credentials: null, vary: 'Origin' });
    const listed = await startServer({ ...APP, cors: { origins: [FOREIGN], credentials: true } });
    assert.deepEqual(cors(await fetch(listed.http('/api/me'), { headers: { origin: FOREIGN } })), { origin: FOREIGN, credentials: 'true', vary: 'Origin' });
    assert.deepEqual(cors(await fetch(listed.http('/api/me'), { headers: { origin: DEV } })), { origin: null, credentials: null, vary: 'Origin' }, 'a list leaves loopback out unless it names it');
  });

  it('Server-Sent Events: the stream and its preflight carry credentials for a loopback origin; an origin outside a list is refused', async () => {
    const { http } = await startServer({ ...APP, cors: { credentials: true } });
    const controller = new AbortController();
    const stream = await fetch(http('/events'), { headers: { origin: DEV, cookie: 'session=s-42' }, signal: controller.signal });
    assert.equal(stream.status, 200);
    assert.deepEqual(cors(stream), { origin: DEV, credentials: 'true', vary: 'Origin' });
    controller.abort();
    const preflight = await fetch(http('/events'), { method: 'OPTIONS', headers: { origin: DEV, 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' } });
    assert.equal(preflight.status, 204);
    assert.deepEqual(cors(preflight), { origin: DEV, credentials: 'true', vary: 'Origin' });
    assert.deepEqual([preflight.headers.get('access-control-allow-methods'), preflight.headers.get('access-control-allow-headers')], ['GET', 'last-event-id']);
    const strict = await startServer({ ...APP, cors: { origins: [FOREIGN], credentials: true } });
    const refused = await fetch(strict.http('/events'), { headers: { origin: DEV } });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'MW_FORBIDDEN_ORIGIN');
    assert.deepEqual(cors(refused), { origin: null, credentials: null, vary: 'Origin' });
  });

  it('the admin API: credentials only for origins listed in cors.origins, never for loopback by default; its guards stay', async () => {
    const open = await startServer({ ...APP, cors: { credentials: true } });
    const stats = await fetch(open.http('/admin/websocket/stats'), { headers: { origin: DEV } });
    assert.deepEqual(cors(stats), { origin: null, credentials: null, vary: 'Origin' });
    const listed = await startServer({ ...APP, cors: { origins: [FOREIGN], credentials: true } });
    const read = await fetch(listed.http('/admin/websocket/stats'), { headers: { origin: FOREIGN } });
    assert.equal(read.status, 200);
    assert.deepEqual(cors(read), { origin: FOREIGN, credentials: 'true', vary: 'Origin' });
    const preflight = await fetch(listed.http('/admin/websocket/publish'), { method: 'OPTIONS', headers: { origin: FOREIGN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-other' } });
    assert.deepEqual(cors(preflight), { origin: FOREIGN, credentials: 'true', vary: 'Origin' });
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'Authorization, Content-Type', 'the admin API names its own headers');
    assert.equal((await fetch(listed.http('/admin/websocket/stats'), { headers: { origin: DEV } })).status, 403, 'an origin outside the list is refused');
    const plain = await fetch(listed.http('/admin/websocket/publish'), { method: 'POST', headers: { origin: FOREIGN, 'content-type': 'text/plain' }, body: '{"stream":"ticker"}' });
    assert.equal(plain.status, 415, 'a body that is not declared JSON is still refused');
  });

  it('CORS_CREDENTIALS=true sets cors.credentials', () => {
    // An empty folder: no .env of the checkout's may take part.
    const cwd = tempDir('cors');
    assert.equal(loadConfig({ cwd, env: { CORS_CREDENTIALS: 'true' } }).config.cors.credentials, true);
    assert.equal(loadConfig({ cwd, env: {} }).config.cors.credentials, false);
  });
});
