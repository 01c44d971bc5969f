/**
 * A whole number written as a number or as a range "2000-5000": the one parser and the one schema for stream
 * intervals, sequence steps and rule delays (ms, drawn uniformly each time) and rules' binary lengths (bytes).
 */
import { z } from 'zod';
import type { Random } from './random.ts';

export interface NumberRange {
  readonly min: number;
  readonly max: number;
}

const RANGE = /^\s*(\d+)\s*-\s*(\d+)\s*$/;

/** Whether `value` lies in the range (bounds included). */
export function inRange(range: NumberRange, value: number): boolean {
  return value >= range.min && value <= range.max;
}

/** A whole number in the range, drawn from `random` unless the range is one number (then nothing is drawn). */
export function drawIn(range: NumberRange, random: Random): number {
  return range.min === range.max ? range.min : random.int(range.min, range.max);
}

/** A number as a fixed range; "lo-hi" as that range; undefined for text that is not a range. */
export function parseRange(value: number | string): NumberRange | undefined {
  if (typeof value === 'number') return { min: value, max: value };
  const found = RANGE.exec(value);
  return found === null ? undefined : { min: Number(found[1]), max: Number(found[2]) };
}

/**
 * A number of `unit` (default ms; 0 to `max`) or a range; `positiveRange` requires a range to allow a value
 * above 0 (an interval of "0-0" would tick forever).
 */
export function numberOrRangeSchema(options: { max?: number; positiveRange?: boolean; unit?: string } = {}) {
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const expected = `expected a number of ${options.unit ?? 'ms'}${options.max === undefined ? ' >= 0' : ` (0 to ${max})`} or a range like "2000-5000"`;
  return z
    .union([z.number().int().min(0).max(max), z.string().regex(RANGE, { message: expected })], { error: expected })
    .superRefine((value, ctx) => {
      if (typeof value !== 'string') return;
      const range = parseRange(value);
      if (range === undefined) return;
      if (range.min > range.max) ctx.addIssue({ code: 'custom', message: `range "${value}" has its minimum above its maximum` });
      if (range.max > max) ctx.addIssue({ code: 'custom', message: `range "${value}" goes above ${max}` });
      if (options.positiveRange === true && range.max === 0) ctx.addIssue({ code: 'custom', message: 'a range must allow an interval above 0' });
    });
}
