import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Emission } from '../../src/streams/emission.ts';
import { parseInterval } from '../../src/streams/interval.ts';
import { Stream, type StreamSink } from '../../src/streams/stream.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';

function harness(interval: number | string | undefined, wants = true) {
  const clock = new ManualClock(0);
  const ticks: { at: number; emissions: readonly Emission[] }[] = [];
  let n = 0;
  const sink: StreamSink = {
    wants: () => wants,
    deliver: (_s, emissions, at) => {
      ticks.push({ at, emissions });
      return 1;
    },
  };
  const errors: unknown[] = [];
  const stream = new Stream({
    name: 's',
    topic: 's',
    messageType: 'event',
    interval: parseInterval(interval),
    produce: () => [{ data: ++n }],
    clock,
    random: createRandom(1),
    sink,
    onError: (_s, e) => errors.push(e),
  });
  return { clock, ticks, stream, errors };
}

describe('stream', () => {
  it('ticks at a fixed interval without drift and stops', () => {
    const { clock, ticks, stream } = harness(100);
    stream.start();
    clock.advance(1000);
    assert.deepEqual(ticks.map((t) => t.at), [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    stream.stop();
    clock.advance(1000);
    assert.equal(ticks.length, 10);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('draws a range interval per tick, within bounds', () => {
    const { clock, ticks, stream } = harness('2000-5000');
    stream.start();
    clock.advance(100_000);
    stream.stop();
    let last = 0;
    for (const t of ticks) {
      assert.ok(t.at - last >= 2000 && t.at - last <= 5000, `gap ${t.at - last}`);
      last = t.at;
    }
    assert.ok(ticks.length >= 20 && ticks.length <= 50);
  });

  it('is on demand with interval 0 or none', () => {
    for (const interval of [0, undefined]) {
      const { clock, ticks, stream } = harness(interval);
      stream.start();
      clock.advance(10_000);
      assert.equal(ticks.length, 0);
      assert.equal(clock.pending, 0);
    }
  });

  it('skips producing when nobody listens, and the snapshot then renders fresh', () => {
    const { clock, ticks, stream } = harness(100, false);
    stream.start();
    clock.advance(500);
    assert.equal(ticks.length, 0);
    assert.deepEqual(stream.current(), [{ data: 1 }]);
    assert.deepEqual(stream.current(), [{ data: 1 }], 'the snapshot is stable until the next tick');
    assert.deepEqual(stream.render(), [{ data: 2 }], 'a request renders afresh');
    stream.stop();
  });

  it('keeps its schedule when a tick throws', () => {
    const clock = new ManualClock(0);
    const errors: unknown[] = [];
    let calls = 0;
    const stream = new Stream({
      name: 's', topic: 's', messageType: 'event', interval: parseInterval(10), clock, random: createRandom(1),
      produce: () => {
        calls++;
        throw new Error('boom');
      },
      sink: { wants: () => true, deliver: () => 0 },
      onError: (_s, e) => errors.push(e),
    });
    stream.start();
    clock.advance(50);
    stream.stop();
    assert.equal(calls, 5);
    assert.equal(errors.length, 5);
  });
});
