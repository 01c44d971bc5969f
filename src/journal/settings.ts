/**
 * The `journal:` section: what the journal keeps (src/journal/journal.ts), bounded in entries and bytes, the
 * oldest dropped. Off by default, on with `--journal`, `MOCKWAVE_JOURNAL=true` or `enabled: true`
 * (docs/benchmarks.md, "The journal's cost", says why).
 */
import { z } from 'zod';

/** Bytes of one payload or body kept in an entry; longer ones are cut and marked. */
export const JOURNAL_PAYLOAD_BYTES = 1024 * 1024;

export const journalSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Keep a journal of the traffic (WebSocket frames, HTTP requests and their answers, Server-Sent Events, connections) for GET /admin/journal; an endpoint or route leaves it with `journal: false`.'),
    maxEntries: z.number().int().min(1).max(10_000_000).default(10_000).describe('Entries kept; the oldest are dropped (and counted) past it.'),
    maxBytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(16 * 1024 * 1024).describe('The size of the buffer the entries are kept in, encoded (payloads and bodies, cut at 1 MiB, and their fields); the oldest are written over.'),
  })
  .prefault({})
  .describe('The traffic journal (GET /admin/journal).');

export type JournalSettings = z.infer<typeof journalSettingsSchema>;
