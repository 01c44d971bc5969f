/**
 * `http.rateLimit` (http/rate-limit.ts) in front of a real `node:http` server on port 0: a request over the
 * limit is answered 429 by the limiter alone, with `Retry-After` in whole seconds and a message that names the
 * address and the limit; a request within it is left to the handler.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { metaAt } from '../../src/errors/refusal.ts';
import { httpRateLimit } from '../../src/http/rate-limit.ts';

describe('http.rateLimit', () => {
  it('over the limit: 429 with Retry-After in whole seconds and the reason; within it: the handler answers', async () => {
    const now = 1_000_000;
    const verdicts: boolean[] = [];
    const limited = httpRateLimit({ requestsPerSecond: 0.4, burst: 1 }, { now: () => now, refused: () => ({ meta: metaAt(now, 'r1') }), cors: { origins: ['http://page.test'], credentials: false } });
    const server = createServer((request, response) => {
      const verdict = limited(request, response);
      verdicts.push(verdict);
      if (!verdict) response.end('handled');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const first = await fetch(url, { signal: AbortSignal.timeout(5000) });
    assert.deepEqual([first.status, await first.text()], [200, 'handled']);
    const second = await fetch(url, { headers: { origin: 'http://page.test' }, signal: AbortSignal.timeout(5000) });
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '3', '2.5 s to the next token, in whole seconds up');
    assert.equal(second.headers.get('access-control-allow-origin'), 'http://page.test', 'a page on an allowed origin can read the 429');
    const body = (await second.json()) as { error?: { message?: string } };
    assert.match(JSON.stringify(body), /127\.0\.0\.1 sent more than http\.rateLimit allows \(0\.4 requests per second\): retry in 3 s/);
    assert.deepEqual(verdicts, [false, true]);
  });
});
