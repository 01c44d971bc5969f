/**
 * One named part of a run (a stream, an endpoint's rules, its per-client scripts) with randomness of its
 * own, derived from the run's seed and the part's name, and template services (faker too) on it: what a
 * part produces in a seeded run then does not depend on what other parts drew before it.
 */
import { partServices, type TemplateServices } from '../templates/index.ts';
import { createRandom, deriveSeed, type Random } from '../util/random.ts';

export function seededPart(run: { readonly seed: number; readonly templates: TemplateServices }, name: string): { random: Random; templates: TemplateServices } {
  const seed = deriveSeed(run.seed, name);
  const random = createRandom(seed);
  return { random, templates: partServices(run.templates, random, seed) };
}
