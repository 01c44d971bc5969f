import type { Random } from '../util/random.ts';
import { drawIn, parseRange, type NumberRange } from '../util/range.ts';

/** A parsed stream interval: fixed when min === max. */
export type IntervalSpec = NumberRange;

/** `undefined` or 0 means on demand only. The schema has already checked the shape. */
export function parseInterval(value: number | string | undefined): IntervalSpec | undefined {
  const range = value === undefined ? undefined : parseRange(value);
  if (range === undefined || range.max <= 0) return undefined;
  return { min: Math.max(1, range.min), max: range.max };
}

export function drawInterval(spec: IntervalSpec, random: Random): number {
  return drawIn(spec, random);
}

export function formatInterval(spec: IntervalSpec | undefined): string {
  if (spec === undefined) return 'on demand';
  return spec.min === spec.max ? `every ${spec.min} ms` : `every ${spec.min}-${spec.max} ms`;
}
