import { z } from 'zod';
import { configSchema } from './schema.ts';

/** The JSON Schema of a config file, generated from the one schema so editors can complete and check it. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://mockwave.dev/schema/mockwave.schema.json', title: 'mockwave configuration' };
}
