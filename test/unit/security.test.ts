import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { originAllowed } from '../../src/security/origins.ts';
import { RateLimiter } from '../../src/security/rate-limit.ts';
import { accessRefusal, accessPolicy } from '../../src/security/access.ts';
import { presentedTokens, tokenMatches } from '../../src/security/tokens.ts';

const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;

describe('security', () => {
  it('compares tokens through fixed-length digests, whatever the lengths given', () => {
    assert.ok(tokenMatches('secret-token', ['other-token', 'secret-token']));
    assert.ok(!tokenMatches('secret-toke', ['secret-token']));
    assert.ok(!tokenMatches('', ['secret-token']));
    assert.ok(!tokenMatches('x'.repeat(10_000), ['secret-token']), 'a huge guess neither throws nor matches');
  });

  it('finds a token in the header, the query or a bearer subprotocol, as allowed', () => {
    const all = request('/ws?token=q-token', { authorization: 'Bearer h-token', 'sec-websocket-protocol': 'v1, bearer.p-token' });
    assert.deepEqual(presentedTokens(all, { query: true, protocol: true }), ['h-token', 'q-token', 'p-token']);
    assert.deepEqual(presentedTokens(all, { query: false, protocol: false }), ['h-token']);
    const settings = { cors: { origins: [] }, auth: { enabled: true, tokens: ['p-token'] } };
    assert.equal(accessRefusal(all, accessPolicy('websocket', settings), 0), undefined, 'a WebSocket may present it as a subprotocol');
    assert.equal(accessRefusal(all, accessPolicy('sse', settings), 0)?.code, 'MW_UNAUTHORIZED', 'a Server-Sent Events client may not');
  });

  it('checks origins (CORS: cors.test.ts)', () => {
    assert.ok(originAllowed('http://evil.test', []), 'no list: no check');
    assert.ok(originAllowed(undefined, ['http://app.test']), 'non-browser clients send no Origin');
    assert.ok(!originAllowed('http://evil.test', ['http://app.test']));
  });

  it('a token bucket allows a burst, then the rate', () => {
    const bucket = new RateLimiter(10, 3, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.refusedInARow, 1);
    assert.equal(bucket.take(100), true, 'one more after 100 ms at 10/s');
    assert.equal(bucket.take(100), false);
  });
});
