/**
 * Deadlines of one length on one timer (src/util/deadlines.ts), as request bodies use them: each runs late
 * at its own due time, a removed one never does, and one timer serves all of them however many are pending.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/util/clock.ts';
import { Deadlines } from '../../src/util/deadlines.ts';

describe('Deadlines', () => {
  it('each pending deadline runs at its own due time, in order; a removed one never runs', () => {
    const clock = new ManualClock(0);
    const deadlines = new Deadlines(clock, 100);
    const late: string[] = [];
    deadlines.add(() => late.push('a'));
    clock.advance(30);
    const b = deadlines.add(() => late.push('b'));
    clock.advance(30);
    deadlines.add(() => late.push('c'));
    deadlines.remove(b);
    clock.advance(39);
    assert.deepEqual(late, [], 'nothing is late before 100 ms');
    clock.advance(1);
    assert.deepEqual(late, ['a']);
    clock.advance(59);
    assert.deepEqual(late, ['a'], 'b was removed; c is due at 160');
    clock.advance(1);
    assert.deepEqual(late, ['a', 'c']);
    assert.equal(deadlines.size, 0);
  });

  it('one timer serves every pending deadline, and none is armed per deadline', () => {
    const clock = new ManualClock(0);
    const deadlines = new Deadlines(clock, 1000);
    const many = Array.from({ length: 500 }, () => deadlines.add(() => assert.fail('removed in time')));
    assert.equal(clock.pending, 1, 'timers armed for 500 deadlines');
    for (const deadline of many) deadlines.remove(deadline);
    clock.advance(1000);
    assert.equal(clock.pending, 0, 'the timer found nothing and was not armed again');
    deadlines.add(() => undefined);
    assert.equal(clock.pending, 1);
    deadlines.clear();
    assert.equal(clock.pending, 0);
  });

  it('removing the first, the last and one between leaves the others due in order, and removing twice is harmless', () => {
    const clock = new ManualClock(0);
    const deadlines = new Deadlines(clock, 10);
    const late: number[] = [];
    const all = [0, 1, 2, 3, 4].map((n) => {
      clock.advance(1);
      return deadlines.add(() => late.push(n));
    });
    for (const i of [0, 4, 2, 2]) deadlines.remove(all[i] as ReturnType<typeof deadlines.add>);
    assert.equal(deadlines.size, 2);
    deadlines.add(() => late.push(5));
    clock.advance(20);
    assert.deepEqual(late, [1, 3, 5]);
    assert.equal(deadlines.size, 0);
  });
});
