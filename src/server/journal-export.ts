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

/** `first`, then what `lines` has left. */
function* rest(first: string, lines: Iterator<string>): Generator<string> {
  yield first;
  for (let next = lines.next(); next.done !== true; next = lines.next()) yield next.value;
}

/** Writes one file's lines into `dir`; its path. */
async function writeFile(dir: string, file: ExportFile): Promise<string> {
  const path = join(dir, file.name);
  const out = createWriteStream(path);
  // A failing write destroys the stream, which ends writeLines; the error is then thrown here.
  let failure: Error | undefined;
  out.once('error', (error) => (failure = error));
  await writeLines(out, file.lines);
  if (failure !== undefined) throw failure;
  return path;
}

/**
 * Writes the slice's files into `dir` (made if missing): a session per WebSocket client, and `http.jsonl`
 * when there were requests; their paths. One file at a time, each made as it is written, so a journal of
 * many clients is never decoded whole at once.
 */
export async function saveJournal(journal: Journal, dir: string, query: ExportQuery, redact: Redactor): Promise<string[]> {
  const opened = selectEntries(journal.entries(), { scope: query.scope, since: query.since, limit: query.limit, kind: 'open' });
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const client of clientsOf(opened)) written.push(await writeFile(dir, session(journal, client, query, redact)));
  const http = exchanges(journal, query, redact);
  // Its first line says whether there is anything to write; the rest are made as they are written.
  const lines = http.lines[Symbol.iterator]();
  const first = lines.next();
  if (first.done !== true) written.push(await writeFile(dir, { name: http.name, lines: rest(first.value, lines) }));
  return written;
}
