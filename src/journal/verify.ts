/**
 * Verification over the journal: how many entries match (`count`, `atLeast`, `atMost`; at least one when
 * none is given), or whether matchers occur in an `order`. Pure: it is handed the entries a question may
 * see (its scope, client and `since`, walked as a query walks them) and answers what held, and, when it did
 * not, why: the closest entries with the parts of each that differ (`match.ts`), or the matched entries
 * when there were too many.
 */
import { z } from 'zod';
import type { Redactor } from '../security/redact.ts';
import type { JournalEntry } from './entry.ts';
import { EntryMatcher, entryMatcherSchema, type NearMiss } from './match.ts';
import { entryView, type JournalEntryView } from './view.ts';

/** Which entries a question may see: as a query's fields of the same names. */
const whoSchema = {
  scope: z.string().min(1).optional(),
  client: z.string().min(1).optional(),
  since: z.number().int().min(0).optional(),
};

const count = z.number().int().min(0).optional();

export const verifySchema = z
  .strictObject({
    ...whoSchema,
    match: entryMatcherSchema.optional(),
    order: z.array(entryMatcherSchema).min(1).max(100).optional().describe('Matchers that must match entries in this order (others may come between).'),
    count: count.describe('Exactly this many entries match.'),
    atLeast: count,
    atMost: count,
  })
  .superRefine((asked, ctx) => {
    if ((asked.match === undefined) === (asked.order === undefined)) ctx.addIssue({ code: 'custom', path: ['match'], message: 'give one of `match` (with count, atLeast, atMost) or `order`' });
    if (asked.count !== undefined && (asked.atLeast !== undefined || asked.atMost !== undefined)) ctx.addIssue({ code: 'custom', path: ['count'], message: 'give `count`, or `atLeast` and `atMost`, not both' });
    if (asked.order !== undefined && (asked.count ?? asked.atLeast ?? asked.atMost) !== undefined) ctx.addIssue({ code: 'custom', path: ['order'], message: '`order` takes no count' });
  });

export type VerifyRequest = z.output<typeof verifySchema>;

export const waitSchema = z.strictObject({
  ...whoSchema,
  match: entryMatcherSchema,
  timeout: z.number().int().min(0).max(300_000).default(5000).describe('ms to wait for a match before answering 417 with the near misses.'),
});

export type WaitRequest = z.output<typeof waitSchema>;

export const findSchema = z.strictObject({
  ...whoSchema,
  match: entryMatcherSchema,
  limit: z.number().int().min(1).max(10_000).default(100),
});

export type FindRequest = z.output<typeof findSchema>;

export interface VerifyOutcome {
  readonly ok: boolean;
  /** What was asked, and what was found, in one sentence. */
  readonly message: string;
  readonly matched: number;
  /** The matched entries (at most 20): for a count, and the order's entries when it held. */
  readonly entries: readonly JournalEntryView[];
  /** When too few matched: the closest entries, with what differs in each. */
  readonly closest: readonly NearMiss[];
}

const SHOWN = 20;

function bounds(asked: VerifyRequest): { min: number; max: number; says: string } {
  if (asked.count !== undefined) return { min: asked.count, max: asked.count, says: `exactly ${asked.count}` };
  const min = asked.atLeast ?? (asked.atMost === undefined ? 1 : 0);
  const max = asked.atMost ?? Infinity;
  const says = max === Infinity ? `at least ${min}` : asked.atLeast === undefined ? `at most ${max}` : `between ${min} and ${max}`;
  return { min, max, says };
}

/** `n` entries, spelled for one or many. */
const entriesSaid = (n: number): string => `${n} ${n === 1 ? 'entry' : 'entries'}`;

export function verify(entries: readonly JournalEntry[], asked: VerifyRequest, redact: Redactor): VerifyOutcome {
  if (asked.order !== undefined) return verifyOrder(entries, asked.order.map((m) => new EntryMatcher(m)), redact);
  const matcher = new EntryMatcher(asked.match ?? {});
  const found = entries.filter((entry) => matcher.matches(entry));
  const { min, max, says } = bounds(asked);
  const ok = found.length >= min && found.length <= max;
  const message = `expected ${says} matching ${min === 1 && max === Infinity ? 'entry' : 'entries'}, found ${found.length} among ${entriesSaid(entries.length)}`;
  return { ok, message, matched: found.length, entries: found.slice(0, SHOWN).map((e) => entryView(e, redact)), closest: found.length < min ? matcher.nearMisses(entries, redact) : [] };
}

/** Each matcher must match an entry after the one the matcher before it matched. */
function verifyOrder(entries: readonly JournalEntry[], matchers: readonly EntryMatcher[], redact: Redactor): VerifyOutcome {
  const found: JournalEntry[] = [];
  let from = 0;
  for (const [step, matcher] of matchers.entries()) {
    const at = entries.findIndex((entry, i) => i >= from && matcher.matches(entry));
    if (at < 0) {
      const after = entries.slice(from);
      const anywhere = entries.some((entry) => matcher.matches(entry));
      const where = step === 0 ? '' : ` after the entry step ${step - 1} matched (seq ${found.at(-1)?.seq})`;
      const message = `order[${step}] matched no entry${where}${anywhere ? ': it matches an earlier entry, out of order' : ''} (${entriesSaid(after.length)} looked at)`;
      return { ok: false, message, matched: step, entries: found.map((e) => entryView(e, redact)), closest: matcher.nearMisses(after, redact) };
    }
    found.push(entries[at] as JournalEntry);
    from = at + 1;
  }
  return { ok: true, message: `all ${matchers.length} matched in order`, matched: matchers.length, entries: found.slice(0, SHOWN).map((e) => entryView(e, redact)), closest: [] };
}
