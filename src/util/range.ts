/**
 * Milliseconds written as a number or as a range "2000-5000" (drawn uniformly each time): the one parser and
 * the one schema for stream intervals, sequence steps and rule delays.
 */
import { z } from 'zod';

export interface MsRange {
  readonly min: number;
  readonly max: number;
}

const RANGE = /^\s*(\d+)\s*-\s*(\d+)\s*$/;

/** A number as a fixed range; "lo-hi" as that range; undefined for text that is not a range. */
export function parseRange(value: number | string): MsRange | undefined {
  if (typeof value === 'number') return { min: value, max: value };
  const found = RANGE.exec(value);
  return found === null ? undefined : { min: Number(found[1]), max: Number(found[2]) };
}

/**
 * ms as a number (0 to `max`) or a range; `positiveRange` requires a range to allow a value above 0 (an
 * interval of "0-0" would tick forever).
 */
export function msOrRangeSchema(options: { max?: number; positiveRange?: boolean } = {}) {
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const expected = `expected a number of ms${options.max === undefined ? ' >= 0' : ` (0 to ${max})`} or a range like "2000-5000"`;
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
