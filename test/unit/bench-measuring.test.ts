/**
 * The benchmark's measuring code that a wrong reading would make silently wrong: wrk's report, its Lua script,
 * the load client's event counting across chunk boundaries, and the report's client-bound mark.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clientBound, type Row } from '../../bench/lib/report.ts';
import { parseWrk, wrkScript } from '../../bench/lib/wrk.ts';
// @ts-expect-error -- plain JavaScript without types (the load client runs without a loader)
import { countEvents } from '../../bench/load/stream-reading.mjs';

const REPORT = `Running 5s test @ http://127.0.0.1:4000/api/orders/42
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.23ms  456.00us  10.00ms   90.00%
    Req/Sec    40.00k     2.00k   45.00k    80.00%
  Latency Distribution
     50%  850.00us
     75%    1.30ms
     90%    1.60ms
     99%    2.50s 
  200000 requests in 5.00s, 30.00MB read
Requests/sec:  40000.00
Transfer/sec:      6.00MB
`;

describe('bench: wrk', () => {
  it('reads requests/s and the percentiles, in any unit (a figure in seconds is padded with a space)', () => {
    assert.deepEqual(parseWrk(REPORT), { perSecond: 40000, requests: 200000, p50: 0.85, p99: 2500 });
  });

  it('refuses a run with socket errors, 4xx/5xx answers or a script wrk could not load', () => {
    assert.throws(() => parseWrk(`${REPORT}  Socket errors: connect 0, read 2, write 0, timeout 0\n`), /socket errors/);
    assert.throws(() => parseWrk(`${REPORT}  Non-2xx or 3xx responses: 7\n`), /7 answers of status 400/);
    assert.throws(() => parseWrk(`/tmp/x/wrk-post.lua: /tmp/x/wrk-post.lua:3: unexpected symbol near '='\n${REPORT}`), /could not run its script/);
    assert.equal(parseWrk(`${REPORT}  Socket errors: connect 0, read 0, write 0, timeout 0\n`).perSecond, 40000);
  });

  it('writes a Lua script only for a request that needs one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mockwave-wrk-'));
    try {
      assert.equal(wrkScript({ method: 'GET', path: '/a' }, dir, 'get'), undefined);
      const file = wrkScript({ method: 'POST', path: '/a', body: '{"type":"order"}', headers: { 'Content-Type': 'application/json' } }, dir, 'post');
      assert.equal(readFileSync(file!, 'utf8'), 'wrk.method = [==[POST]==]\nwrk.body = [==[{"type":"order"}]==]\nwrk.headers[ [==[Content-Type]==] ] = [==[application/json]==]\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench: the SSE load client', () => {
  it('counts each event once, however the stream is cut into chunks', () => {
    const text = Buffer.from(`retry: 3000\n\n${'id: 1\nevent: s0\ndata: {}\n\n'.repeat(200)}`);
    for (const size of [1, 2, 3, 6, 7, 8, 13, 100, 4096]) {
      const state = { partial: 0 };
      let count = 0;
      for (let at = 0; at < text.length; at += size) count += (countEvents as (chunk: Buffer, state: { partial: number }) => number)(text.subarray(at, at + size), state);
      assert.equal(count, 200, `chunks of ${size} bytes`);
    }
  });
});

describe('bench: client-bound rows', () => {
  const row = (values: Row['values'], calibration: number | undefined, better: Row['better'] = 'higher'): Row => ({ id: 'x', label: 'x', unit: 'u', better, targets: [], values, calibration });

  it('marks a row where every server is within 10 % of its calibration', () => {
    assert.equal(clientBound(row({ bare: 95, mockwave: 91 }, 100)), true);
    assert.equal(clientBound(row({ bare: 95, mockwave: 80 }, 100)), false);
    assert.equal(clientBound(row({ bare: 1.05, mockwave: 1.1 }, 1, 'lower')), true);
    assert.equal(clientBound(row({ bare: 1.05, mockwave: 1.5 }, 1, 'lower')), false);
    assert.equal(clientBound(row({ bare: 95 }, undefined)), false);
  });
});
