/**
 * Converting a long recording stays linear: a session of 60,000 messages whose requests all reuse one id (the
 * worst case for pairing answers with requests) converts in well under the bound, where a pass over every
 * answer per request takes minutes. The bounds are wall-clock time, so this is a performance test (npm run
 * test:perf, one file at a time), not a unit test; they are generous (CI machines are shared); the work is
 * ~100 ms here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpRecordingsToRoutes } from '../../src/recording/http-to-config.ts';
import { recordingToEndpoint } from '../../src/recording/to-config.ts';

const PAIRS = 30_000;

describe('converting long recordings', () => {
  it('a WebSocket session of 30,000 requests on one id, each answered, converts in one pass', () => {
    const events = Array.from({ length: PAIRS }, (_, i) => [
      { kind: 'frame' as const, t: i * 10, from: 'client' as const, type: 'text' as const, data: JSON.stringify({ id: 1, method: i % 2 === 0 ? 'ping' : 'time' }) },
      { kind: 'frame' as const, t: i * 10 + 1, from: 'upstream' as const, type: 'text' as const, data: JSON.stringify({ id: 1, result: i }) },
    ]).flat();
    const started = performance.now();
    const { endpoint } = recordingToEndpoint({ session: { kind: 'session', version: 1, route: 'r', url: 'ws://x', path: '/', startedAt: '', headers: {}, protocol: '' }, events }, '/r');
    const ms = performance.now() - started;
    const rules = endpoint['rules'] as { when: unknown; then: { reply?: { result: number } }[] }[];
    assert.deepEqual(rules.map((r) => [r.when, r.then.at(-1)?.reply?.result]), [[{ json: { method: 'ping' } }, PAIRS - 2], [{ json: { method: 'time' } }, PAIRS - 1]], 'each request took its own answer; the last of each kind stays');
    assert.deepEqual(endpoint['streams'], [], 'every answer was claimed');
    assert.ok(ms < 5000, `${Math.round(ms)} ms`);
  });

  it('30,000 HTTP exchanges on one path convert in one pass', () => {
    const exchanges = Array.from({ length: PAIRS }, (_, i) => ({
      kind: 'exchange' as const,
      t: i,
      ms: 1,
      request: { method: 'POST', path: '/rpc', query: {}, headers: {}, body: JSON.stringify({ method: `m${i % 3}`, id: i }) },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: i, result: i % 3 }) },
    }));
    const started = performance.now();
    const { routes } = httpRecordingsToRoutes([{ header: { kind: 'http', version: 1, startedAt: '' }, exchanges }] as never);
    const ms = performance.now() - started;
    assert.deepEqual(routes.map((r) => r['name']), ['POST /rpc (method: m0)', 'POST /rpc (method: m1)', 'POST /rpc (method: m2)']);
    assert.ok(ms < 5000, `${Math.round(ms)} ms`);
  });

  it('30,000 reads of different ids, answered with names nothing explains, each keep their own answer, in one pass', () => {
    const exchanges = Array.from({ length: PAIRS }, (_, i) => ({
      kind: 'exchange' as const,
      t: i,
      ms: 1,
      request: { method: 'GET', path: `/api/items/${i}`, query: {}, headers: {}, body: '' },
      response: { status: i % 10 === 9 ? 404 : 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(i % 10 === 9 ? { error: 'gone' } : { id: i, name: `item ${(i * 7919) % 1000}` }) },
    }));
    const started = performance.now();
    const { routes } = httpRecordingsToRoutes([{ header: { kind: 'http', version: 1, startedAt: '' }, exchanges }] as never);
    const ms = performance.now() - started;
    assert.equal(routes.length, PAIRS + 1, 'a route per recorded id, and the general one last');
    const answer = (route: Record<string, unknown> | undefined) => (route?.['then'] as { respond: { status: number; body: unknown } }[])[0]?.respond;
    assert.deepEqual([routes[7]?.['path'], answer(routes[7])?.status, answer(routes[7])?.body], ['/api/items/7', 200, { id: 7, name: 'item 433' }]);
    assert.deepEqual([routes[9]?.['path'], answer(routes[9])?.status], ['/api/items/9', 404]);
    assert.deepEqual([routes.at(-1)?.['path'], answer(routes.at(-1))?.status], ['/api/items/:itemId(\\d+)', 200]);
    // Generous (about 0.5 s of work, 8 s seen on a shared machine at load 20): a pass over every call per recorded request takes minutes.
    assert.ok(ms < 30_000, `${Math.round(ms)} ms`);
  });
});
