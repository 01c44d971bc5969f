export { Journal, type BroadcastAudience, type JournalFigures, type JournalPeer } from './journal.ts';
export { JOURNAL_KINDS, JOURNAL_PROTOCOLS, type JournalEntry, type JournalHttp, type JournalHttpInput, type JournalKind, type JournalProtocol } from './entry.ts';
export { journalQuerySchema, selectEntries, selectLast, type JournalQuery, type JournalQueryInput } from './query.ts';
export { entryView, type JournalEntryView } from './view.ts';
export { journalSettingsSchema, JOURNAL_PAYLOAD_BYTES, type JournalSettings } from './settings.ts';
export { connectionScope, scopeOf } from './scope.ts';
export { EntryMatcher, entryMatcherSchema, type EntryMatcherConfig, type Mismatch, type NearMiss } from './match.ts';
export { findSchema, verify, verifySchema, waitSchema, type FindRequest, type VerifyOutcome, type VerifyRequest, type WaitRequest } from './verify.ts';
export { exchangeLines, sessionLines } from './export.ts';
