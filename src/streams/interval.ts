import type { Random } from '../util/random.ts';

/** A parsed stream interval: fixed when min === max. */
export interface IntervalSpec {
  readonly min: number;
  readonly max: number;
}

/** `undefined` or 0 means on demand only. The schema has already checked the shape. */
export function parseInterval(value: number | string | undefined): IntervalSpec | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value > 0 ? { min: value, max: value } : undefined;
  const [lo = '0', hi = '0'] = value.split('-').map((part) => part.trim());
  const min = Number(lo);
  const max = Number(hi);
  if (max <= 0) return undefined;
  return { min: Math.max(1, min), max };
}

export function drawInterval(spec: IntervalSpec, random: Random): number {
  return spec.min === spec.max ? spec.min : random.int(spec.min, spec.max);
}

export function formatInterval(spec: IntervalSpec | undefined): string {
  if (spec === undefined) return 'on demand';
  return spec.min === spec.max ? `every ${spec.min} ms` : `every ${spec.min}-${spec.max} ms`;
}
