/**
 * A compiled route's parts that other tests reach only through their first answer: `likeness`, which ranks
 * the routes a 404 names as closest (segment by segment from the start, stopping at the first that differs,
 * less the difference in length), and `when` on a header or a cookie the request does not have (never
 * matched, even by a pattern that matches anything).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { likeness } from '../../src/http/compiled-route.ts';
import { startServer } from '../helpers/server.ts';

describe('a compiled route', () => {
  it('likeness counts the segments alike from the start, a parameter or * alike with anything, less the difference in length', () => {
    assert.equal(likeness('/api/orders/:id', '/api/orders/7'), 40);
    assert.equal(likeness('/api/users', '/api/orders/7'), 19);
    assert.equal(likeness('/api/*', '/api/x/y'), 29);
    assert.equal(likeness('/x/api/orders', '/y/api/orders'), 10, 'the count stops at the first segment that differs');
    assert.equal(likeness('/a', '/a'), 20);
    assert.equal(likeness('/a/b/c', '/a'), 18);
    assert.equal(likeness('/a', '/a/b/c'), 18, 'the difference in length counts the same either way');
    assert.equal(likeness('/b', '/a'), 10);
  });

  it('a when on a header, a cookie or a query parameter the request lacks does not match, whatever its pattern', async () => {
    const { http } = await startServer({
      endpoints: [],
      http: {
        routes: [
          { name: 'header', path: '/h', when: { headers: { 'X-Any': '.*' } }, then: [{ respond: { status: 200 } }] },
          { name: 'cookie', path: '/c', when: { cookies: { any: '.*' } }, then: [{ respond: { status: 200 } }] },
          { name: 'query', path: '/q', when: { query: { page: '' } }, then: [{ respond: { status: 200 } }] },
        ],
      },
    });
    const status = async (path: string, headers: Record<string, string> = {}): Promise<number> => (await fetch(http(path), { headers, signal: AbortSignal.timeout(5000) })).status;
    assert.deepEqual([await status('/h'), await status('/h', { 'x-any': '' }), await status('/h', { 'x-any': 'v' })], [404, 200, 200]);
    assert.deepEqual([await status('/c'), await status('/c', { cookie: 'other=1' }), await status('/c', { cookie: 'any=' })], [404, 404, 200]);
    assert.deepEqual([await status('/q'), await status('/q?page=')], [404, 200]);
  });
});
