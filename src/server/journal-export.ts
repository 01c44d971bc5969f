/**
 * A journal slice saved as recordings (src/journal/export.ts): one download from the admin API
 * (`GET /admin/journal/export`: one client's WebSocket session, or the slice's HTTP exchanges: the formats
 * hold one session per file, so one download is one file), or every file of a slice written to a folder by
 * the library (`server.saveJournal(dir)`: a session per WebSocket client, and the HTTP exchanges), which
 * `mockwave recording to-config <dir>` reads.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MockwaveError } from '../errors/catalog.ts';
import { exchangeLines, journalQuerySchema, selectEntries, sessionLines, type Journal, type JournalEntry } from '../journal/index.ts';
import type { Redactor } from '../security/redact.ts';
import { writeLines } from '../util/write-lines.ts';

/** The most entries one export reads (the query's own bound). */
const EXPORT_LIMIT = 10_000;

export const exportQuerySchema = journalQuerySchema.pick({ scope: true, client: true, since: true }).extend({
  protocol: z.enum(['websocket', 'http']).default('websocket'),
  limit: z.coerce.number().int().min(1).max(EXPORT_LIMIT).default(EXPORT_LIMIT),
});

export type ExportQuery = z.output<typeof exportQuerySchema>;

/** One file of an export: its name and its lines, made as they are written. */
export interface ExportFile {
  readonly name: string;
  readonly lines: Iterable<string>;
}

/** A client id as a file name's part (ids are `client-…`; anything else is replaced). */
const fileSafe = (text: string): string => text.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 100);

function session(journal: Journal, client: string, query: ExportQuery, redact: Redactor): ExportFile {
  const entries = selectEntries(journal.entries(), { client, scope: query.scope, since: query.since, limit: query.limit });
  const opened = entries.find((e) => e.kind === 'open');
  if (opened?.protocol === 'sse') throw new MockwaveError('MW_BAD_REQUEST', `${client} is a Server-Sent Events client: the recording formats are WebSocket sessions and HTTP exchanges`);
  if (entries.length === 0 || entries.every((e) => e.client !== client)) throw new MockwaveError('MW_BAD_REQUEST', `the journal has no entries of client ${client}${query.scope === undefined ? '' : ` in scope ${query.scope}`}`);
  return { name: `ws-${fileSafe(client)}.jsonl`, lines: sessionLines(entries, client, redact) };
}

function exchanges(journal: Journal, query: ExportQuery, redact: Redactor): ExportFile {
  const entries = selectEntries(journal.entries(), { scope: query.scope, since: query.since, limit: query.limit, protocol: 'http', kind: 'request' });
  return { name: 'http.jsonl', lines: exchangeLines(entries, redact) };
}

/** The one file a download asks for: a WebSocket client's session (`client` is needed), or the HTTP exchanges. */
export function exportFile(journal: Journal, query: ExportQuery, redact: Redactor): ExportFile {
  if (query.protocol === 'http') return exchanges(journal, query, redact);
  if (query.client === undefined) throw new MockwaveError('MW_BAD_REQUEST', 'a WebSocket export is one client\'s session: give client=<id> (GET /admin/journal?kind=open lists the clients), or protocol=http for the HTTP exchanges');
  return session(journal, query.client, query, redact);
}

/** Every WebSocket client of the slice whose connection the journal still holds. */
function clientsOf(entries: readonly JournalEntry[]): string[] {
  return [...new Set(entries.filter((e) => e.kind === 'open' && e.protocol === 'websocket').map((e) => e.client as string))];
}

/** Writes the slice's files into `dir` (made if missing): a session per WebSocket client, and `http.jsonl`; their paths. */
export async function saveJournal(journal: Journal, dir: string, query: ExportQuery, redact: Redactor): Promise<string[]> {
  const opened = selectEntries(journal.entries(), { scope: query.scope, since: query.since, limit: query.limit, kind: 'open' });
  const files = clientsOf(opened).map((client) => session(journal, client, query, redact));
  const http = exchanges(journal, query, redact);
  const lines = [...http.lines];
  if (lines.length > 0) files.push({ name: http.name, lines });
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const file of files) {
    const path = join(dir, file.name);
    const out = createWriteStream(path);
    // A failing write destroys the stream, which ends writeLines; the error is then thrown here.
    let failure: Error | undefined;
    out.once('error', (error) => (failure = error));
    await writeLines(out, file.lines);
    if (failure !== undefined) throw failure;
    written.push(path);
  }
  return written;
}
