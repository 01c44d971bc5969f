import { GENERATOR_TABLE } from './generators/index.ts';
import type { GeneratorContext, GeneratorSpec, Produce } from './generators/index.ts';
import { compileTemplate } from '../templates/index.ts';
import type { Emission } from './emission.ts';

/** The part of a stream definition that says where its payload comes from. */
export interface PayloadDefinition {
  readonly name: string;
  readonly data?: unknown;
  readonly generator?: keyof typeof GENERATOR_TABLE | undefined;
  readonly options?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Builds the per-tick producer once, at load: fixed data becomes a constant emission list, a generator is
 * created with its parsed options. Nothing on the tick path looks at the definition again.
 */
export function createProducer(definition: PayloadDefinition, context: GeneratorContext): { produce: Produce; extraTopics: readonly string[] } {
  if (definition.generator !== undefined) {
    const spec: GeneratorSpec<unknown> = GENERATOR_TABLE[definition.generator];
    const options = spec.options.parse(definition.options ?? {});
    return { produce: spec.create(options, context), extraTopics: spec.topics?.(options) ?? [] };
  }
  const render = compileTemplate(definition.data);
  if (render.constant) {
    const fixed: readonly Emission[] = [{ data: definition.data }];
    return { produce: () => fixed, extraTopics: [] };
  }
  // The previous rendered value is in scope as `previous`, for payloads that build on the last one.
  let previous: unknown;
  return {
    produce: () => {
      previous = render({ previous }, context.templates);
      return [{ data: previous }];
    },
    extraTopics: [],
  };
}
