import type { z } from 'zod';
import type { TemplateServices } from '../../templates/index.ts';
import type { Clock } from '../../util/clock.ts';
import type { Random } from '../../util/random.ts';
import type { Emission } from '../emission.ts';

/** What a generator may read besides its options: seeded randomness, time, and live server figures. */
export interface GeneratorContext {
  readonly random: Random;
  readonly clock: Clock;
  /** Connected clients and start time of the server, for status-like payloads. */
  readonly serverStats: () => { readonly clients: number; readonly startedAt: number };
  /** Faker, counters and seeded randomness for templated `data`. */
  readonly templates: TemplateServices;
}

/** Produces the emissions of one tick. */
export type Produce = () => readonly Emission[];

export interface GeneratorSpec<Options = unknown> {
  readonly description: string;
  /** Validates the stream's `options`; its defaults fill what the user left out. */
  readonly options: z.ZodType<Options>;
  /** Topics besides the stream's own that this generator may publish to (cerberus events: `alerts`). */
  topics?(options: Options): readonly string[];
  create(options: Options, context: GeneratorContext): Produce;
}

/** Keeps each table entry's option type tied to its own create(). */
export function defineGenerator<Options>(spec: GeneratorSpec<Options>): GeneratorSpec<Options> {
  return spec;
}

