import type * as FakerModule from '@faker-js/faker';
import type { Faker } from '@faker-js/faker';
import type { Clock } from '../util/clock.ts';
import { lazy } from '../util/lazy.ts';
import type { Random } from '../util/random.ts';
import type { TemplateServices } from './helpers.ts';

const fakerModule = lazy<typeof FakerModule>('@faker-js/faker');

/**
 * One set of template services per server: faker seeded from the same seed as everything else. Faker is
 * built on first use (its import alone costs 0.25 s of start-up); its seed is drawn now, so the rest of the
 * run's random sequence does not depend on whether a template ever calls it.
 */
export function createTemplateServices(clock: Clock, random: Random, seed: number | undefined): TemplateServices {
  return servicesWith(clock, random, seed ?? Math.floor(random.next() * 2 ** 31), new Map());
}

/**
 * The services of one part of a run (a stream): its own randomness and faker, seeded for it, and the run's
 * global counters shared with every other part.
 */
export function partServices(shared: TemplateServices, random: Random, seed: number): TemplateServices {
  return servicesWith(shared.clock, random, seed, shared.counters);
}

function servicesWith(clock: Clock, random: Random, fakerSeed: number, counters: Map<string, number>): TemplateServices {
  let faker: Faker | undefined;
  return {
    clock,
    random,
    get faker(): Faker {
      if (faker === undefined) {
        const { Faker: FakerClass, base, en } = fakerModule();
        faker = new FakerClass({ locale: [en, base] });
        faker.seed(fakerSeed);
      }
      return faker;
    },
    counters,
  };
}
