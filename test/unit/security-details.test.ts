/**
 * The security helpers edge by edge (tokens, origins, the rate gate, the redactor's URLs, subprotocols and
 * depth): each assertion here kills a mutant the mutation run found alive (docs/reliability.md, "Mutation
 * testing"). The broad cases are in security.test.ts and guards.test.ts.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { originAllowed } from '../../src/security/origins.ts';
import { RateGate, RateLimiter } from '../../src/security/rate-limit.ts';
import { createRedactor, MASK } from '../../src/security/redact.ts';
import { accessFacts, accessPolicy, checkAccess } from '../../src/security/access.ts';
import { presentedTokens, tokenMatches } from '../../src/security/tokens.ts';

const request = (url: string | undefined, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;
const all = { query: true, protocol: true };

describe('tokens', () => {
  it('any listed token matches, whatever its place in the list; none listed matches nothing', () => {
    assert.ok(tokenMatches('b', ['a', 'b', 'c']));
    assert.ok(tokenMatches('a', ['a', 'b', 'c']), 'the first of several');
    assert.ok(!tokenMatches('d', ['a', 'b', 'c']));
    assert.ok(!tokenMatches('a', []));
  });

  it('reads Bearer in any case with any spacing; other schemes and bare values are not tokens', () => {
    assert.deepEqual(presentedTokens(request('/', { authorization: 'bearer   spaced ' }), all), ['spaced']);
    assert.deepEqual(presentedTokens(request('/', { authorization: 'BEARER up' }), all), ['up']);
    assert.deepEqual(presentedTokens(request('/', { authorization: 'Basic dXNlcjpwYXNz' }), all), []);
    assert.deepEqual(presentedTokens(request('/', { authorization: 'xBearer no' }), all), [], 'the scheme starts the header');
    assert.deepEqual(presentedTokens(request('/', { authorization: 'Bearer' }), all), [], 'a scheme with no token');
  });

  it('reads ?token= only from the query, and only bearer.* subprotocols, each offered one', () => {
    assert.deepEqual(presentedTokens(request('/ws?a=1&token=q1'), all), ['q1']);
    assert.deepEqual(presentedTokens(request('/ws?tokens=q1'), all), []);
    assert.deepEqual(presentedTokens(request(undefined), all), [], 'no URL at all');
    assert.deepEqual(presentedTokens(request('/', { 'sec-websocket-protocol': 'v1,bearer.p1 , bearer.p2,xbearer.p3' }), all), ['p1', 'p2']);
    assert.deepEqual(presentedTokens(request('/ws?token=q1', { 'sec-websocket-protocol': 'bearer.p1' }), { query: false, protocol: false }), []);
  });

  it('lets in any presented token that matches, and only then (the access check of every door)', () => {
    const admitted = (req: IncomingMessage, tokens: string[]): boolean => {
      const policy = accessPolicy('websocket', { cors: { origins: [] }, auth: { enabled: true, tokens } });
      return checkAccess(accessFacts(req, policy, 0), policy) === undefined;
    };
    const req = request('/ws?token=wrong', { authorization: 'Bearer right' });
    assert.ok(admitted(req, ['right']));
    assert.ok(!admitted(req, ['other']));
    assert.ok(!admitted(request('/ws'), ['right']), 'nothing presented');
  });
});

describe('origins', () => {
  it('an origin list allows exactly its origins; `*` allows any (the CORS answers are tested in cors.test.ts)', () => {
    assert.ok(originAllowed('http://app.test', ['http://other.test', 'http://app.test']));
    assert.ok(originAllowed('http://evil.test', ['http://app.test', '*']));
    assert.ok(!originAllowed('http://app.test:81', ['http://app.test']));
  });
});

describe('the rate gate', () => {
  it('one bucket per client; the default burst is twice the rate; refusals in a row are counted, and reset by an admitted message', () => {
    let now = 0;
    const gate = new RateGate<object>({ messagesPerSecond: 2, closeAfter: 5 }, () => now);
    const [a, b] = [{}, {}];
    assert.deepEqual([gate.admit(a), gate.admit(a), gate.admit(a), gate.admit(a)], [undefined, undefined, undefined, undefined], 'a burst of 4 (2 x 2/s)');
    assert.deepEqual([gate.admit(a), gate.admit(a)], [1, 2]);
    assert.equal(gate.admit(b), undefined, 'another client has its own bucket');
    now = 500; // one token back at 2/s
    assert.equal(gate.admit(a), undefined);
    assert.equal(gate.admit(a), 1, 'the count starts again after an admitted message');
  });

  it('a slow rate still allows one message; an explicit burst is used as given; tokens never exceed the burst', () => {
    let now = 0;
    const slow = new RateGate<object>({ messagesPerSecond: 0.1, closeAfter: 5 }, () => now);
    const c = {};
    assert.deepEqual([slow.admit(c), slow.admit(c)], [undefined, 1], 'burst of at least 1');
    const bucket = new RateLimiter(10, 2, 0);
    assert.deepEqual([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)], [true, true, false], 'ten idle seconds refill to the burst, not beyond');
    const gate = new RateGate<object>({ messagesPerSecond: 1, burst: 3, closeAfter: 5 }, () => now);
    const d = {};
    assert.deepEqual([gate.admit(d), gate.admit(d), gate.admit(d), gate.admit(d)], [undefined, undefined, undefined, 1]);
    now = 999;
    assert.equal(gate.admit(d), 2, 'not quite a whole token back');
    now = 2000;
    assert.equal(gate.admit(d), undefined);
  });
});

describe('the redactor', () => {
  const redact = createRedactor(['account']);

  it('catches the built-in words inside names, in any case', () => {
    for (const name of ['Authorization', 'X-Upstream-Auth', 'cookie', 'set-cookie', 'access_token', 'api_key', 'client_secret', 'password', 'passwd', 'x-signature', 'sig', 'sessionid', 'credentials', 'jwt', 'account']) assert.ok(redact.isSecret(name), name);
    for (const name of ['accept', 'content-type', 'user', 'symbol', 'q']) assert.ok(!redact.isSecret(name), name);
    assert.deepEqual(redact.headers({ Authorization: 'Bearer t', accept: 'x' }), { Authorization: MASK, accept: 'x' });
  });

  it('masks secret query parameters and user info in URLs, and leaves other URLs exactly as written', () => {
    assert.equal(redact.url('/ws?token=t&token=u&q=a%20b'), '/ws?token=***&q=a+b', 'a repeated secret is masked once, as one value');
    assert.equal(redact.url('/ws?q=a%20b'), '/ws?q=a%20b', 'nothing secret: not re-encoded');
    assert.equal(redact.url('wss://ann:pw@api.test/feed'), 'wss://***:***@api.test/feed');
    assert.equal(redact.url('wss://ann@api.test/feed'), 'wss://***@api.test/feed');
    assert.equal(redact.url('wss://:pw@api.test/feed'), 'wss://:***@api.test/feed', 'a password without a user name');
    assert.equal(redact.url('wss://api.test/feed?sig=s'), 'wss://api.test/feed?sig=***');
    assert.equal(redact.url('http://[bad'), 'http://[bad', 'an unreadable URL is left as it is');
    assert.equal(redact.url('/p/a?x=1#frag'), '/p/a?x=1#frag');
  });

  it('masks a bearer subprotocol\'s token, and only that', () => {
    assert.equal(redact.protocol('bearer.abc'), `bearer.${MASK}`);
    assert.equal(redact.protocol('graphql-ws'), 'graphql-ws');
    assert.equal(redact.protocol('xbearer.abc'), 'xbearer.abc');
  });

  it('masks listed JSON fields down to a depth, and leaves text that is not JSON, or has nothing listed, as sent', () => {
    assert.equal(redact.message('{ "account": "a1", "n": 1 }'), `{"account":"${MASK}","n":1}`);
    assert.equal(redact.message('{ "n": 1 }'), '{ "n": 1 }', 'nothing masked: the text as sent, spacing included');
    assert.equal(redact.message('not json {'), 'not json {');
    assert.equal(redact.message('"account"'), '"account"', 'a JSON string is not an object');
    assert.equal(redact.message('null'), 'null');
    const nested = (depth: number): unknown => (depth === 0 ? { account: 'deep' } : { next: nested(depth - 1) });
    assert.ok(!redact.message(JSON.stringify(nested(64))).includes('deep'), 'masked at depth 64');
    assert.ok(redact.message(JSON.stringify(nested(65))).includes('deep'), 'deeper than 64 is kept as it is');
    assert.equal(redact.message(JSON.stringify({ list: [{ account: 'x' }, 2] })), `{"list":[{"account":"${MASK}"},2]}`);
    // A listed name that is an array index masks that element; text values are not walked into.
    assert.equal(createRedactor(['0']).message('{"rows":["a","b"],"s":"xy"}'), `{"rows":["${MASK}","b"],"s":"xy"}`);
  });
});
