/**
 * The clock seam (util/clock.ts): rounds on any clock (`every`), the next turn of the event loop on a manual
 * clock, and the real clock's timers that do not keep the process running.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { every, ManualClock, systemClock } from '../../src/util/clock.ts';

describe('clocks', () => {
  it('every() runs a round per interval until stopped; a round may stop the rounds', () => {
    const clock = new ManualClock(0);
    const at: number[] = [];
    const stop = every(clock, 100, () => at.push(clock.now()));
    clock.advance(350);
    assert.deepEqual(at, [100, 200, 300]);
    stop();
    clock.advance(1000);
    assert.deepEqual([at.length, clock.pending], [3, 0]);
    let rounds = 0;
    const stopSelf = every(clock, 10, () => {
      rounds += 1;
      if (rounds === 2) stopSelf();
    });
    clock.advance(100);
    assert.deepEqual([rounds, clock.pending], [2, 0]);
  });

  it('a manual clock\'s next turn is advance(0), after what is due now, in order', () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    clock.nextTurn(() => order.push('turn 1'));
    clock.setTimeout(() => order.push('timer 0'), 0);
    clock.nextTurn(() => order.push('turn 2'));
    assert.deepEqual(order, []);
    clock.advance(0);
    assert.deepEqual(order, ['turn 1', 'timer 0', 'turn 2']);
  });

  it('the system clock\'s timer keeps the process running unless told not to; its next turn comes', async () => {
    const kept = systemClock.setTimeout(() => undefined, 60_000) as unknown as NodeJS.Timeout;
    const tidy = systemClock.setTimeout(() => undefined, 60_000, { unref: true }) as unknown as NodeJS.Timeout;
    assert.deepEqual([kept.hasRef(), tidy.hasRef()], [true, false]);
    systemClock.clearTimeout(kept as never);
    systemClock.clearTimeout(tidy as never);
    await new Promise<void>((resolve) => systemClock.nextTurn(resolve));
  });
});
