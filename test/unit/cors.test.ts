/**
 * The one CORS builder (src/security/cors.ts), for the mock's side (routes, Server-Sent Events) and the admin
 * API: which origin an answer names, when it grants credentials, and what a preflight says.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { corsGrant, exposeWrittenHeaders, preflightHeaders, type CorsPolicy } from '../../src/security/cors.ts';

const open: CorsPolicy = { origins: [], credentials: false };
const openWithCookies: CorsPolicy = { origins: [], credentials: true };
const listed: CorsPolicy = { origins: ['http://app.test'], credentials: false };
const listedWithCookies: CorsPolicy = { origins: ['http://app.test', '*'], credentials: true };
const star: CorsPolicy = { origins: ['*'], credentials: true };

const DEV = 'http://localhost:5173';
const grantOf = (origin: string | undefined, policy: CorsPolicy, side: 'mock' | 'admin' = 'mock') => {
  const { origin: allowed, credentials } = corsGrant(origin, policy, side);
  return [allowed, credentials];
};
const asking = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('CORS', () => {
  it('the mock side: any origin echoed without a list, `*` with one, only the listed otherwise; never credentials unless cors.credentials', () => {
    assert.deepEqual(grantOf('http://elsewhere.example', open), ['http://elsewhere.example', false]);
    assert.deepEqual(grantOf(DEV, open), [DEV, false], 'loopback, but credentials are off');
    assert.deepEqual(grantOf('http://app.test', listed), ['http://app.test', false], 'listed, but credentials are off');
    assert.deepEqual(grantOf('http://elsewhere.example', listed), [undefined, false]);
    assert.deepEqual(grantOf('http://elsewhere.example', { origins: ['*'], credentials: false }), ['*', false]);
  });

  it('cors.credentials: listed origins by name; without a list (or with `*`) loopback origins only, the rest as before', () => {
    for (const origin of [DEV, 'http://127.0.0.1:8080', 'http://[::1]:3001', 'https://app.localhost', 'http://127.9.9.9']) {
      assert.deepEqual(grantOf(origin, openWithCookies), [origin, true], origin);
      assert.deepEqual(grantOf(origin, star), [origin, true], `${origin} with *`);
    }
    for (const origin of ['http://elsewhere.example', 'http://localhost.evil.test', 'http://128.0.0.1', 'null', 'file://', 'chrome-extension://localhost']) {
      assert.deepEqual(grantOf(origin, openWithCookies), [origin, false], origin);
      assert.deepEqual(grantOf(origin, star), ['*', false], `${origin} with *`);
    }
    assert.deepEqual(grantOf('http://app.test', listedWithCookies), ['http://app.test', true]);
    assert.deepEqual(grantOf('http://elsewhere.example', listedWithCookies), ['*', false]);
    assert.deepEqual(grantOf(DEV, { origins: ['http://app.test'], credentials: true }), [undefined, false], 'a list leaves loopback out unless it names it');
  });

  it('the admin API: only listed origins (or `*`), credentials only to those listed by name, never to loopback by default', () => {
    assert.deepEqual(grantOf(DEV, open, 'admin'), [undefined, false]);
    assert.deepEqual(grantOf(DEV, openWithCookies, 'admin'), [undefined, false], 'the admin API has no loopback grant');
    assert.deepEqual(grantOf('http://app.test', listed, 'admin'), ['http://app.test', false]);
    assert.deepEqual(grantOf('http://app.test', listedWithCookies, 'admin'), ['http://app.test', true]);
    assert.deepEqual(grantOf(DEV, star, 'admin'), ['*', false], '`*` never carries credentials');
  });

  it('headers: Vary: Origin always; credentials name the origin and never `*`', () => {
    assert.deepEqual(corsGrant(undefined, open, 'mock').headers, { Vary: 'Origin' }, 'without Origin the answer still varies by it');
    assert.deepEqual(corsGrant('http://elsewhere.example', listed, 'mock').headers, { Vary: 'Origin' });
    assert.deepEqual(corsGrant(DEV, open, 'mock').headers, { 'Access-Control-Allow-Origin': DEV, Vary: 'Origin', 'Access-Control-Expose-Headers': '*' });
    assert.deepEqual(corsGrant(DEV, openWithCookies, 'mock').headers, { 'Access-Control-Allow-Origin': DEV, Vary: 'Origin', 'Access-Control-Allow-Credentials': 'true' });
    for (const policy of [open, openWithCookies, listed, listedWithCookies, star]) {
      for (const origin of [DEV, 'http://app.test', 'http://elsewhere.example']) {
        for (const side of ['mock', 'admin'] as const) {
          const { headers } = corsGrant(origin, policy, side);
          if (headers['Access-Control-Allow-Credentials'] !== undefined) assert.equal(headers['Access-Control-Allow-Origin'], origin, `${origin} ${side} ${JSON.stringify(policy)}`);
          assert.equal(headers['Vary'], 'Origin');
        }
      }
    }
  });

  it('preflight: the methods given, the asked headers named back on the mock side, the admin API its own; nothing for a refused origin', () => {
    const ask = asking({ origin: DEV, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-trace' });
    assert.deepEqual(preflightHeaders(corsGrant(DEV, openWithCookies, 'mock'), ask, ['GET', 'POST']), {
      'Access-Control-Allow-Origin': DEV,
      Vary: 'Origin',
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Max-Age': '600',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Headers': 'content-type, x-trace',
    });
    assert.equal(preflightHeaders(corsGrant(DEV, open, 'mock'), asking({ origin: DEV }), ['GET'])['Access-Control-Allow-Headers'], undefined, 'nothing asked, nothing named');
    assert.equal(preflightHeaders(corsGrant('http://app.test', listed, 'admin'), ask, ['POST'])['Access-Control-Allow-Headers'], 'Authorization, Content-Type');
    assert.deepEqual(preflightHeaders(corsGrant('http://elsewhere.example', listed, 'mock'), ask, ['GET']), { Vary: 'Origin' });
  });

  it('a credentialed answer names the headers it was written with, whichever way they were set', async () => {
    const handlers: Array<(response: ServerResponse) => void> = [
      (response) => {
        response.setHeader('X-Total-Count', '3');
        response.writeHead(200, { 'content-type': 'text/plain', ETag: '"a"', 'Set-Cookie': 'sid=1' });
        response.end('ok');
      },
      (response) => {
        response.setHeader('Location', '/orders/7');
        response.statusCode = 201;
        response.end();
      },
      (response) => {
        response.writeHead(200, ['X-Raw', '1', 'Link', '</next>']);
        response.end();
      },
    ];
    const server = createServer((_request, response) => {
      const grant = corsGrant(DEV, openWithCookies, 'mock');
      for (const [name, value] of Object.entries(grant.headers)) response.setHeader(name, value);
      exposeWrittenHeaders(response);
      handlers.shift()?.(response);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const exposed = async (): Promise<string[]> => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false });
      request.end();
      const [answer] = (await once(request, 'response')) as [IncomingMessage];
      answer.resume();
      return String(answer.headers['access-control-expose-headers']).split(', ').sort();
    };
    try {
      assert.deepEqual(await exposed(), ['content-type', 'etag', 'x-total-count']);
      assert.deepEqual(await exposed(), ['location']);
      assert.deepEqual(await exposed(), ['link', 'x-raw']);
    } finally {
      server.close();
    }
  });
});
