/** An HTTP side's host for tests of routes and steps without a whole server: a manual clock, seeded randomness. */
import { MemoryStateStore } from '../../src/state/memory.ts';
import type { HttpHost } from '../../src/http/index.ts';
import { Positions } from '../../src/state/positions.ts';
import { createTemplateServices } from '../../src/templates/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';

export function testHttpHost(baseDir: string, overrides: Partial<HttpHost> = {}): HttpHost & { readonly clock: ManualClock } {
  const clock = new ManualClock(0);
  const random = createRandom(1);
  return {
    clock,
    random,
    templates: createTemplateServices(clock, random, 1),
    positions: new Positions(),
    state: new MemoryStateStore(),
    baseDir,
    forwarding: { consumed: () => false, timeoutMs: 5000 },
    wait: () => Promise.resolve(true),
    publish: () => 0,
    caller: () => undefined,
    collections: new Map(),
    disconnect: () => 0,
    ...overrides,
  };
}
