/**
 * The `generate` action: a reply valid against a JSON Schema (its examples in turn, else generated), with
 * fields copied from the request. This is how AsyncAPI replies carry their correlation value.
 */
import { z } from 'zod';
import { createSchemaSampler, jsonSchemaValue, validatorFor, type SchemaSampler } from '../data/json-schema.ts';
import { defineStep } from '../steps/index.ts';
import { deletePath, pointerKeys, readPath, writePath } from '../util/path.ts';
import type { RuleScope } from './host.ts';
import { jsonPointerSchema, pathRecord, pointerProblem } from './value-schemas.ts';

const toText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

export const generateStep = defineStep({
  schema: z
    .strictObject({
      schema: jsonSchemaValue,
      examples: z.array(z.unknown()).default([]),
      copy: pathRecord(jsonPointerSchema, pointerProblem).default({}),
    })
    .describe('A reply valid against a JSON Schema (its examples in turn, else generated), with fields copied from the request: `copy: { "/reqid": "/reqid" }` (reply pointer: request pointer). A field the request does not have is left out of the reply unless its schema requires it; a reply that no longer matches its schema is not sent (the failure is logged and counted).'),
  compile(generate) {
    let sampler: SchemaSampler | undefined;
    const copies = Object.entries(generate.copy).map(([to, from]) => [pointerKeys(to), pointerKeys(from)] as const);
    const schema = generate.schema as { required?: unknown };
    const required = new Set(Array.isArray(schema.required) ? (schema.required as unknown[]) : []);
    const check = validatorFor(generate.schema);
    return ({ peer, context, host, source }: RuleScope) => {
      // Made on first use, from the host's seeded randomness: json-schema-faker loads only when needed.
      sampler ??= createSchemaSampler({ schema: generate.schema, examples: generate.examples, seed: host.random.int(0, 2 ** 31 - 1), now: () => host.templates.clock.now(), label: 'generate' });
      const value = structuredClone(sampler.next());
      for (const [to, from] of copies) {
        const copied = readPath(context.message, from);
        if (value === null || typeof value !== 'object') break;
        if (copied !== undefined) writePath(value as Record<string, unknown>, to, copied);
        // Only what the client sent is copied: a correlation field it left out is left out of the reply too.
        else if (!(to.length === 1 && required.has(to[0]))) deletePath(value, to);
      }
      const problem = check(value);
      if (problem !== undefined) throw new Error(`the reply would not match its schema with what was copied from the request (${problem}); not sent`);
      peer.send(toText(value), source);
    };
  },
  explain(generate) {
    const title = (generate.schema as { title?: unknown }).title;
    const copied = Object.keys(generate.copy);
    return `generate a reply from ${typeof title === 'string' ? `the JSON Schema "${title}"` : 'a JSON Schema'}${copied.length === 0 ? '' : ` (copying ${copied.join(', ')})`}`;
  },
});
