export { Journal, type JournalFigures, type JournalPeer } from './journal.ts';
export { JOURNAL_KINDS, rawHeader, type JournalEntry, type JournalHttp, type JournalKind, type JournalProtocol } from './entry.ts';
export { journalQuerySchema, selectEntries, JOURNAL_LIMIT, type JournalQuery, type JournalQueryInput } from './query.ts';
export { entryView, type JournalEntryView } from './view.ts';
export { journalSettingsSchema, JOURNAL_PAYLOAD_BYTES, type JournalSettings } from './settings.ts';
export { connectionScope, scopeOf, SCOPE_COOKIE, SCOPE_HEADER, SCOPE_PARAMETER } from './scope.ts';
export { EntryMatcher, entryMatcherSchema, type EntryMatcherConfig, type Mismatch, type NearMiss } from './match.ts';
export { findSchema, verify, verifySchema, waitSchema, type FindRequest, type VerifyOutcome, type VerifyRequest, type WaitRequest } from './verify.ts';
