/**
 * The one writer of an error answer (src/security/refusal-answer.ts), through a real node:http server on
 * port 0: the catalog's status, the envelope, the CORS grant's headers for an allowed Origin and none for a
 * refused one, the Bearer challenge of a 401, and the headers and fields a refusal adds; a fault in answering
 * (`answerFault`, src/http/fault.ts, its one caller for faults) logged, then refused with its status, or the
 * connection cut once the answer has begun.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { MockwaveError } from '../../src/errors/catalog.ts';
import { metaAt, refusal, type Refusal } from '../../src/errors/refusal.ts';
import { answerFault } from '../../src/http/fault.ts';
import { createLogger } from '../../src/log/logger.ts';
import { corsGrant, type CorsPolicy } from '../../src/security/cors.ts';
import { answerRefusal, type RefusalAnswer } from '../../src/security/refusal-answer.ts';

const policy: CorsPolicy = { origins: ['http://app.test'], credentials: false };
const meta = metaAt(Date.UTC(2025, 0, 2, 3, 4, 5), 'req-1');

/** What the next request is answered with. */
let next: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
const server = createServer((request, response) => next(request, response));
let base = '';

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

/** Answers one request with `refused`, its grant made from its Origin; returns what the client got. */
async function answered(refused: Refusal, origin: string | undefined, extra: Omit<RefusalAnswer, 'meta' | 'cors'> = {}) {
  let status: number | undefined;
  next = (request, response) => {
    status = answerRefusal(response, refused, { meta, cors: corsGrant(request.headers.origin, policy, 'mock'), ...extra });
  };
  const response = await fetch(`${base}/x`, { headers: origin === undefined ? {} : { origin } });
  return { returned: status, status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('the error writer', () => {
  it('writes the refusal\'s catalog status and the envelope, uncached, and returns the status', async () => {
    const got = await answered(refusal('MW_HTTP_NO_ROUTE', 'No HTTP route for GET /x'), undefined);
    assert.deepEqual([got.status, got.returned], [404, 404]);
    assert.deepEqual(got.body, { success: false, error: { code: 'MW_HTTP_NO_ROUTE', message: 'No HTTP route for GET /x' }, meta: { timestamp: '2025-01-02T03:04:05.000Z', requestId: 'req-1' } });
    assert.equal(got.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(got.headers.get('cache-control'), 'no-store');
    assert.equal(got.headers.get('vary'), 'Origin');
  });

  it('gives a page on an allowed origin the CORS headers, and a refused origin none', async () => {
    const allowed = await answered(refusal('MW_HTTP_RATE_LIMITED', 'slow down'), 'http://app.test');
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://app.test');
    assert.equal(allowed.headers.get('access-control-expose-headers'), '*');
    const refused = await answered(refusal('MW_FORBIDDEN_ORIGIN', 'Origin http://evil.test is not allowed'), 'http://evil.test');
    assert.deepEqual([refused.status, refused.headers.get('access-control-allow-origin'), refused.headers.get('vary')], [403, null, 'Origin']);
  });

  it('challenges a 401 with Bearer, and nothing else', async () => {
    assert.equal((await answered(refusal('MW_UNAUTHORIZED', 'A valid token is required'), undefined)).headers.get('www-authenticate'), 'Bearer');
    assert.equal((await answered(refusal('MW_FORBIDDEN_ORIGIN', 'no'), undefined)).headers.get('www-authenticate'), null);
  });

  it('adds the headers and body fields a refusal names (Allow, Retry-After, closest)', async () => {
    const got = await answered(refusal('MW_HTTP_METHOD_NOT_ALLOWED', 'PUT is not allowed'), 'http://app.test', { headers: { Allow: 'GET, POST', 'Retry-After': '3' }, fields: { closest: ['GET /y'] } });
    assert.deepEqual([got.status, got.headers.get('allow'), got.headers.get('retry-after')], [405, 'GET, POST', '3']);
    assert.deepEqual(got.body['closest'], ['GET /y']);
    assert.deepEqual(got.body['error'], { code: 'MW_HTTP_METHOD_NOT_ALLOWED', message: 'PUT is not allowed' });
  });
});

describe('a fault in answering', () => {
  /** A logger whose lines are kept. */
  function logged(): { logger: ReturnType<typeof createLogger>; text: () => string } {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { logger: createLogger({ level: 'error', out }), text: () => text };
  }

  it('is logged and refused with the catalog status of its error (500 for any other), with the CORS grant', async () => {
    const log = logged();
    next = (request, response) => answerFault(log.logger, response, { meta, cors: corsGrant(request.headers.origin, policy, 'mock') }, new Error('a bug'));
    const plain = await fetch(`${base}/x`, { headers: { origin: 'http://app.test' }, signal: AbortSignal.timeout(5000) });
    assert.deepEqual([plain.status, plain.headers.get('access-control-allow-origin')], [500, 'http://app.test']);
    assert.match(log.text(), /Answering an HTTP request failed: a bug/);
    next = (_request, response) => answerFault(log.logger, response, { meta, cors: undefined }, new MockwaveError('MW_HTTP_NO_ROUTE', 'gone'));
    const known = await fetch(`${base}/x`, { signal: AbortSignal.timeout(5000) });
    assert.deepEqual([known.status, ((await known.json()) as { error: { code: string } }).error.code], [404, 'MW_HTTP_NO_ROUTE']);
  });

  it('cuts the connection when the answer has already begun', async () => {
    const log = logged();
    next = (_request, response) => {
      response.writeHead(200, { 'content-length': '10' });
      response.write('half', () => answerFault(log.logger, response, { meta, cors: undefined }, new Error('late')));
    };
    const response = await fetch(`${base}/x`, { signal: AbortSignal.timeout(5000) });
    assert.equal(response.status, 200);
    await assert.rejects(response.text(), 'the body ends short: the connection was cut');
    assert.match(log.text(), /failed: late/);
  });
});
