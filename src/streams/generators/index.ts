import { cerberusEventGenerator, cerberusMetricGenerator, cerberusStatusGenerator } from './cerberus.ts';
import { notificationGenerator, tickerGenerator } from './demo.ts';
import { jsonSchemaGenerator } from './json-schema.ts';
import type { GeneratorSpec } from './types.ts';

/** Generator name in a stream's `generator` -> implementation. */
export const GENERATOR_TABLE = {
  ticker: tickerGenerator,
  notification: notificationGenerator,
  'cerberus.event': cerberusEventGenerator,
  'cerberus.metric': cerberusMetricGenerator,
  'cerberus.status': cerberusStatusGenerator,
  jsonSchema: jsonSchemaGenerator,
} as const satisfies Record<string, GeneratorSpec<unknown>>;

export type GeneratorName = keyof typeof GENERATOR_TABLE;
export const GENERATOR_NAMES = Object.keys(GENERATOR_TABLE) as [GeneratorName, ...GeneratorName[]];

export type { GeneratorContext, GeneratorSpec, Produce } from './types.ts';
