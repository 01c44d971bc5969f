import { cerberusDialect } from './cerberus.ts';
import { guideDialect } from './guide.ts';
import { rawDialect } from './raw.ts';
import type { WireDialect } from './types.ts';

export const DIALECT_NAMES = ['guide', 'cerberus', 'raw'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/** Dialect name in the config -> implementation. */
export const DIALECT_TABLE: Readonly<Record<DialectName, WireDialect>> = {
  guide: guideDialect,
  cerberus: cerberusDialect,
  raw: rawDialect,
};

export { ndjsonDialect, sseDialect } from './sse.ts';
export type { Command, ServerMessage, WireDialect } from './types.ts';
