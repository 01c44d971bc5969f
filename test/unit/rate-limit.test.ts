/** The per-address token buckets behind `http.rateLimit`: refills, the wait they report, and their bound. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedRateGate } from '../../src/security/rate-limit.ts';

describe('KeyedRateGate', () => {
  it('admits a burst, then says how long until the next token; refills with time', () => {
    let now = 0;
    const gate = new KeyedRateGate({ perSecond: 2, burst: 3 }, () => now, 100);
    assert.deepEqual([gate.admit('a'), gate.admit('a'), gate.admit('a')], [undefined, undefined, undefined]);
    assert.equal(gate.admit('a'), 500, 'one token at 2 per second: 500 ms away');
    now = 250;
    assert.equal(gate.admit('a'), 250);
    now = 500;
    assert.equal(gate.admit('a'), undefined, 'refilled');
    assert.equal(gate.admit('b'), undefined, 'another key has its own bucket');
  });

  it('keeps at most maxKeys buckets, forgetting the least recently seen', () => {
    const gate = new KeyedRateGate({ perSecond: 0.001, burst: 1 }, () => 0, 2);
    gate.admit('a');
    gate.admit('b');
    assert.notEqual(gate.admit('a'), undefined, 'a is spent (and now the most recently seen)');
    gate.admit('c');
    assert.notEqual(gate.admit('a'), undefined, 'a was kept: b was the least recently seen');
    assert.equal(gate.admit('b'), undefined, 'b was forgotten: it starts again with a full bucket');
  });
});
