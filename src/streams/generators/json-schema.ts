import { z } from 'zod';
import { createSchemaSampler, jsonSchemaValue } from '../../data/json-schema.ts';
import { defineGenerator } from './types.ts';

/** Payloads from a JSON Schema: its valid examples in turn, else realistic generated values (src/data). */
export const jsonSchemaGenerator = defineGenerator({
  description: 'A payload valid against a JSON Schema: the given examples that match it, cycled, else generated values steered by field names (price, symbol, timestamp, email, id).',
  options: z.strictObject({
    schema: jsonSchemaValue,
    examples: z.array(z.unknown()).default([]),
  }),
  create(options, { random, clock }) {
    const sampler = createSchemaSampler({ schema: options.schema, examples: options.examples, seed: Math.floor(random.next() * 2 ** 31), now: () => clock.now(), label: 'jsonSchema' });
    return () => [{ data: sampler.next() }];
  },
});
