/**
 * The journal as the admin API and the library show it: a query's entries, masked (src/journal/view.ts),
 * with the figures a caller pages by; finding, verifying and waiting with matchers (src/journal/match.ts,
 * verify.ts); clearing all or one scope. When the journal is off every call says so (409 `MW_JOURNAL_OFF`)
 * rather than answering an empty journal a test would read as "nothing was sent".
 */
import type { z } from 'zod';
import { MockwaveError } from '../errors/catalog.ts';
import { formatIssues, issueMessage } from '../errors/schema-issues.ts';
import { entryView, EntryMatcher, journalQuerySchema, selectEntries, verify, type Journal, type JournalEntry, type JournalEntryView, type JournalQuery, type NearMiss, type FindRequest, type VerifyOutcome, type VerifyRequest, type WaitRequest } from '../journal/index.ts';
import type { Redactor } from '../security/redact.ts';
import type { Clock } from '../util/clock.ts';
import { exportFile, saveJournal, type ExportFile, type ExportQuery } from './journal-export.ts';

export interface JournalPage {
  readonly entries: readonly JournalEntryView[];
  /** The `since` of the next page: the last entry returned, or the last entry looked at. */
  readonly next: number;
  /** Entries and bytes kept now, and entries dropped to stay within the bounds. */
  readonly kept: number;
  readonly bytes: number;
  readonly dropped: number;
}

export interface WaitOutcome {
  readonly ok: boolean;
  readonly message: string;
  /** The first entry that matched, when one did. */
  readonly entry: JournalEntryView | undefined;
  readonly closest: readonly NearMiss[];
}

/** Waits held at once; more are refused (503), so callers that never stop asking cannot hold the server. */
export const MAX_WAITS = 256;

/** Which entries a question may see. */
type Who = Pick<JournalQuery, 'scope' | 'client' | 'since'>;

export function createJournalAdmin(journal: Journal | undefined, redact: Redactor, clock: Clock) {
  let waits = 0;
  const on = (): Journal => {
    if (journal === undefined) throw new MockwaveError('MW_JOURNAL_OFF', 'The journal is off, so nothing is kept to be asked about: start with --journal (or MOCKWAVE_JOURNAL=true, or journal: { enabled: true } in the configuration)');
    return journal;
  };
  const seen = (kept: Journal, who: Who): JournalEntry[] => selectEntries(kept.entries(), { ...who, limit: Number.MAX_SAFE_INTEGER });
  return {
    /** `input` checked against `schema` (a query, a verification, a wait); `what` names the caller in the message. */
    parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
      const asked = schema.safeParse(input, { error: issueMessage });
      if (!asked.success) throw new MockwaveError('MW_BAD_REQUEST', `${what}: ${formatIssues(asked.error.issues).join('; ')}`);
      return asked.data as z.output<S>;
    },
    query(input: unknown, what: string): JournalQuery {
      return this.parse(journalQuerySchema, input, what);
    },
    journal(query: JournalQuery): JournalPage {
      const kept = on();
      const entries = selectEntries(kept.entries(), query);
      const figures = kept.figures();
      // A full page ends at its last entry; a page that ran out ends at the last entry kept.
      const next = entries.length === query.limit ? (entries.at(-1)?.seq ?? 0) : Math.max(query.since ?? 0, figures.next - 1);
      return { entries: entries.map((entry) => entryView(entry, redact)), next, kept: figures.entries, bytes: figures.bytes, dropped: figures.dropped };
    },
    verify(asked: VerifyRequest): VerifyOutcome {
      return verify(seen(on(), asked), asked, redact);
    },
    /** The entries a matcher matches, oldest first, at most `limit`. */
    find(asked: FindRequest): JournalEntryView[] {
      const matcher = new EntryMatcher(asked.match);
      return seen(on(), asked).filter((entry) => matcher.matches(entry)).slice(0, asked.limit).map((entry) => entryView(entry, redact));
    },
    /** Resolves with the first entry after `since` that matches, or after `timeout` ms with the near misses. */
    wait(asked: WaitRequest, gone?: (cancel: () => void) => void): Promise<WaitOutcome> {
      const kept = on();
      const matcher = new EntryMatcher(asked.match);
      const found = seen(kept, asked).find((entry) => matcher.matches(entry));
      if (found !== undefined) return Promise.resolve({ ok: true, message: 'matched', entry: entryView(found, redact), closest: [] });
      if (waits >= MAX_WAITS) throw new MockwaveError('MW_TOO_MANY_WAITS', `${MAX_WAITS} waits are held already`);
      waits += 1;
      const byWho = asked.client !== undefined || asked.scope !== undefined;
      return new Promise((resolve) => {
        let settled = false;
        const finish = (outcome: WaitOutcome): void => {
          if (settled) return;
          settled = true;
          stop();
          clock.clearTimeout(timer);
          waits -= 1;
          resolve(outcome);
        };
        // Each new entry is tested alone; a broadcast asked for by client or scope needs the walk that says
        // whether they were subscribed then.
        const stop = kept.listen((entry) => {
          if (!matcher.matches(entry)) return;
          const theirs = (asked.client === undefined || entry.client === asked.client) && (asked.scope === undefined || entry.scope === asked.scope);
          if (theirs || (byWho && entry.kind === 'broadcast' && seen(kept, asked).some((e) => e.seq === entry.seq))) finish({ ok: true, message: 'matched', entry: entryView(entry, redact), closest: [] });
        });
        const timer = clock.setTimeout(() => {
          const entries = seen(kept, asked);
          finish({ ok: false, message: `no matching entry within ${asked.timeout} ms (${entries.length} entries looked at)`, entry: undefined, closest: matcher.nearMisses(entries, redact) });
        }, asked.timeout);
        gone?.(() => finish({ ok: false, message: 'the caller went away', entry: undefined, closest: [] }));
      });
    },
    clearJournal(scope: string | undefined): { readonly removed: number } {
      return { removed: on().clear(scope) };
    },
    /** One recording file of a slice (src/server/journal-export.ts). */
    exportFile: (query: ExportQuery): ExportFile => exportFile(on(), query, redact),
    /** Every recording file of a slice, written into `dir`; their paths. */
    saveJournal: (dir: string, query: ExportQuery): Promise<string[]> => saveJournal(on(), dir, query, redact),
  };
}

export type JournalAdmin = ReturnType<typeof createJournalAdmin>;
