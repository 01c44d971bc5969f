/**
 * A scripted stream: a list of messages, each after its own delay, played once or looped. Shared playback
 * is an ordinary Stream whose next delay comes from the script; per-subscriber playback is driven by the
 * endpoint with the same compiled steps.
 */
import { compileTemplate, type CompiledTemplate, type RenderContext, type TemplateServices } from '../templates/index.ts';
import type { Random } from '../util/random.ts';
import type { Emission } from './emission.ts';
import { drawInterval, parseInterval } from './interval.ts';

export interface SequenceStep {
  readonly delay?: number | string | undefined;
  readonly data?: unknown;
}

export interface CompiledSequence {
  readonly length: number;
  readonly loop: boolean;
  /** Delay before step `index`, drawn when it is a range. */
  delay(index: number, random: Random): number;
  render(index: number, context: RenderContext, services: TemplateServices): unknown;
}

export function compileSequence(steps: readonly SequenceStep[], loop: boolean): CompiledSequence {
  const compiled = steps.map((step) => ({ delay: parseInterval(step.delay ?? 0), render: compileTemplate(step.data) as CompiledTemplate }));
  return {
    length: compiled.length,
    loop,
    delay: (index, random) => {
      const spec = compiled[index]?.delay;
      return spec === undefined ? 0 : drawInterval(spec, random);
    },
    render: (index, context, services) => compiled[index]?.render(context, services),
  };
}

/** The shared playback: what the stream produces next, and when. */
export function sharedPlayback(sequence: CompiledSequence, random: Random, services: TemplateServices): { produce: () => readonly Emission[]; next: () => number | undefined } {
  let index = 0;
  return {
    produce: () => {
      const data = sequence.render(index, {}, services);
      index += 1;
      if (index >= sequence.length && sequence.loop) index = 0;
      return [{ data }];
    },
    next: () => (index < sequence.length ? sequence.delay(index, random) : undefined),
  };
}
