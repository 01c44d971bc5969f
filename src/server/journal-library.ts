/**
 * The journal for tests written in JavaScript (the library API, docs/journal.md): `verify` throws an
 * AssertionError whose message shows what was expected and found and the closest entries with what differs
 * in each; `waitFor` resolves with the first matching entry or rejects the same way; `waitForClient`
 * resolves with the id of the next client to connect. The same questions as the admin API, checked by the
 * same schemas, so a mistake reads the same in both.
 */
import { AssertionError } from 'node:assert';
import { verifySchema, waitSchema, type EntryMatcherConfig, type JournalEntryView, type NearMiss, type VerifyOutcome } from '../journal/index.ts';
import type { JournalAdmin } from './journal-admin.ts';

/** Which entries a question may see, and how long a wait lasts. */
export interface JournalAsk {
  readonly scope?: string;
  readonly client?: string;
  readonly since?: number;
}

export interface VerifyOptions extends JournalAsk {
  readonly count?: number;
  readonly atLeast?: number;
  readonly atMost?: number;
}

export interface WaitOptions extends JournalAsk {
  /** ms (default 5000). */
  readonly timeout?: number;
  readonly direction?: 'in' | 'out';
}

/** The near misses as lines: the entry in one line, then each part that differs. */
export function describeMisses(closest: readonly NearMiss[]): string {
  if (closest.length === 0) return '';
  const lines = closest.flatMap(({ entry, mismatches }) => [
    `  #${entry.seq} ${entry.protocol} ${entry.kind}${entry.direction === undefined ? '' : ` ${entry.direction}`}${entry.client === undefined ? '' : ` ${entry.client}`}`,
    ...mismatches.map((m) => `    ${m.field}: expected ${JSON.stringify(m.expected)}, was ${JSON.stringify(m.actual) ?? 'absent'}`),
  ]);
  return `\nclosest entries:\n${lines.join('\n')}`;
}

export function createJournalLibrary(admin: JournalAdmin) {
  return {
    /** `match` one matcher (with a count) or a list that must occur in that order. */
    verify(match: EntryMatcherConfig | readonly EntryMatcherConfig[], options: VerifyOptions = {}): VerifyOutcome {
      const asked = admin.parse(verifySchema, Array.isArray(match) ? { ...options, order: match } : { ...options, match }, 'verify()');
      const outcome = admin.verify(asked);
      if (!outcome.ok) throw new AssertionError({ message: `verify: ${outcome.message}${describeMisses(outcome.closest)}`, actual: outcome.matched, expected: asked.count ?? asked.atLeast ?? asked.order?.length ?? 1, operator: 'verify' });
      return outcome;
    },
    async waitFor(match: EntryMatcherConfig, options: WaitOptions = {}): Promise<JournalEntryView> {
      const { direction, ...who } = options;
      const asked = admin.parse(waitSchema, { ...who, match: direction === undefined ? match : { ...match, direction } }, 'waitFor()');
      const outcome = await admin.wait(asked);
      if (outcome.entry === undefined) throw new AssertionError({ message: `waitFor: ${outcome.message}${describeMisses(outcome.closest)}`, operator: 'waitFor' });
      return outcome.entry;
    },
    /** The id of the next client to connect (to `endpoint`, in `scope`), or one that already has after `since`. */
    async waitForClient(options: { readonly endpoint?: string; readonly scope?: string; readonly since?: number; readonly timeout?: number } = {}): Promise<string> {
      const { endpoint, ...who } = options;
      const entry = await this.waitFor({ kind: 'open', ...(endpoint === undefined ? {} : { endpoint }) }, who);
      return entry.client as string;
    },
  };
}
