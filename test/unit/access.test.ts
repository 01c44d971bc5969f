/**
 * The one access check of every door (src/security/access.ts): each refusal kind with its catalog code,
 * status and message per door, the order of the questions, and which tokens each door reads.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { ERROR_CATALOG } from '../../src/errors/catalog.ts';
import { accessFacts, accessPolicy, checkAccess, type AccessFacts, type AccessSettings, type Door } from '../../src/security/access.ts';

const APP = 'http://app.test';
const settings: AccessSettings = { cors: { origins: [APP] }, auth: { enabled: true, tokens: ['client-token-1'] } };
const welcome: AccessFacts = { origin: APP, tokens: ['client-token-1'], connected: 0 };
const DOORS: readonly Door[] = ['websocket', 'sse', 'admin'];

describe('the access check', () => {
  it('lets in a listed origin with a valid token while there is room, at every door', () => {
    for (const door of DOORS) assert.equal(checkAccess(welcome, accessPolicy(door, settings, 2, '/events')), undefined, door);
    assert.equal(checkAccess({ ...welcome, origin: undefined }, accessPolicy('websocket', settings)), undefined, 'no Origin: not a browser');
  });

  it('an origin not listed: MW_FORBIDDEN_ORIGIN, 403, the same message at every door', () => {
    for (const door of DOORS) {
      const refused = checkAccess({ ...welcome, origin: 'http://evil.test' }, accessPolicy(door, settings));
      assert.deepEqual([refused?.code, refused?.status, refused?.message], ['MW_FORBIDDEN_ORIGIN', ERROR_CATALOG.MW_FORBIDDEN_ORIGIN.httpStatus, 'Origin http://evil.test is not allowed'], door);
    }
    const open = { ...settings, cors: { origins: [] } };
    assert.equal(checkAccess({ ...welcome, origin: 'http://evil.test' }, accessPolicy('sse', open)), undefined, 'no list: any origin');
    assert.equal(checkAccess({ ...welcome, origin: 'http://evil.test' }, accessPolicy('sse', { ...settings, cors: { origins: ['*'] } })), undefined, '`*`: any origin');
  });

  it('no valid token: MW_UNAUTHORIZED, 401, with the ways of presenting one that each door takes', () => {
    const hints: Record<Door, string> = {
      websocket: 'A valid token is required: Authorization: Bearer <token>, ?token=<token> or the subprotocol bearer.<token>',
      sse: 'A valid token is required: Authorization: Bearer <token> or ?token=<token>',
      admin: 'The admin API needs a valid token: Authorization: Bearer <token>',
    };
    for (const door of DOORS) {
      for (const tokens of [[], ['wrong-token']]) {
        const refused = checkAccess({ ...welcome, tokens }, accessPolicy(door, settings));
        assert.deepEqual([refused?.code, refused?.status, refused?.message], ['MW_UNAUTHORIZED', 401, hints[door]], `${door} with ${tokens.length} token(s)`);
      }
    }
    assert.equal(checkAccess({ ...welcome, tokens: ['wrong-token', 'client-token-1'] }, accessPolicy('websocket', settings)), undefined, 'any presented token may be the valid one');
    assert.equal(checkAccess({ ...welcome, tokens: [] }, accessPolicy('websocket', { ...settings, auth: { enabled: false, tokens: ['client-token-1'] } })), undefined, 'auth off');
  });

  it('the admin API takes auth.adminToken instead of the client tokens when it is set', () => {
    const withAdmin = { ...settings, auth: { ...settings.auth, adminToken: 'admin-token-1' } };
    assert.equal(checkAccess(welcome, accessPolicy('admin', withAdmin))?.code, 'MW_UNAUTHORIZED', 'a client token does not open the admin API');
    assert.equal(checkAccess({ ...welcome, tokens: ['admin-token-1'] }, accessPolicy('admin', withAdmin)), undefined);
    assert.equal(checkAccess({ ...welcome, tokens: ['admin-token-1'] }, accessPolicy('websocket', withAdmin))?.code, 'MW_UNAUTHORIZED', 'nor the admin token a WebSocket');
  });

  it('a full door: MW_TOO_MANY_CONNECTIONS, 503, naming its limit; the admin API has none', () => {
    const ws = checkAccess({ ...welcome, connected: 2 }, accessPolicy('websocket', settings, 2));
    assert.deepEqual([ws?.code, ws?.status, ws?.message], ['MW_TOO_MANY_CONNECTIONS', 503, 'The server already has 2 clients (websocket.maxConnections)']);
    const sse = checkAccess({ ...welcome, connected: 3 }, accessPolicy('sse', settings, 1, '/events'));
    assert.deepEqual([sse?.code, sse?.status, sse?.message], ['MW_TOO_MANY_CONNECTIONS', 503, '/events already has 1 Server-Sent Events clients (sse.maxConnections)']);
    assert.equal(checkAccess({ ...welcome, connected: 1 }, accessPolicy('websocket', settings, 2)), undefined, 'room for one more');
    assert.equal(checkAccess({ ...welcome, connected: 1000 }, accessPolicy('websocket', settings)), undefined, 'no limit set');
    assert.equal(checkAccess({ ...welcome, connected: 5 }, accessPolicy('admin', settings, 1)), undefined);
  });

  it('asks in one order: origin, then token, then room', () => {
    const everything: AccessFacts = { origin: 'http://evil.test', tokens: [], connected: 9 };
    const policy = accessPolicy('websocket', settings, 1);
    assert.equal(checkAccess(everything, policy)?.code, 'MW_FORBIDDEN_ORIGIN');
    assert.equal(checkAccess({ ...everything, origin: APP }, policy)?.code, 'MW_UNAUTHORIZED');
    assert.equal(checkAccess({ ...everything, origin: APP, tokens: ['client-token-1'] }, policy)?.code, 'MW_TOO_MANY_CONNECTIONS');
  });
});

describe('the facts of a request', () => {
  const request = (headers: Record<string, string>) => ({ headers, url: '/ws' }) as unknown as IncomingMessage;

  it('reads the Origin, the Bearer header, and the subprotocol only at the WebSocket door', () => {
    const asked = request({ origin: APP, authorization: 'Bearer from-header', 'sec-websocket-protocol': 'json, bearer.from-protocol' });
    assert.deepEqual(accessFacts(asked, accessPolicy('websocket', settings), 4), { origin: APP, tokens: ['from-header', 'from-protocol'], connected: 4 });
    assert.deepEqual(accessFacts(asked, accessPolicy('sse', settings), 0).tokens, ['from-header']);
    assert.deepEqual(accessFacts(asked, accessPolicy('admin', settings), 0).tokens, ['from-header']);
  });

  it('reads no token while auth is off (a query token would need the target parsed)', () => {
    const asked = request({ authorization: 'Bearer from-header' });
    assert.deepEqual(accessFacts(asked, accessPolicy('websocket', { ...settings, auth: { enabled: false, tokens: [] } }), 0).tokens, []);
  });
});
