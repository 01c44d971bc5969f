import { Faker, base, en } from '@faker-js/faker';
import type { Clock } from '../util/clock.ts';
import type { Random } from '../util/random.ts';
import type { TemplateServices } from './helpers.ts';

/** One set of template services per server: faker seeded from the same seed as everything else. */
export function createTemplateServices(clock: Clock, random: Random, seed: number | undefined): TemplateServices {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed ?? Math.floor(random.next() * 2 ** 31));
  return { clock, random, faker, counters: new Map() };
}
