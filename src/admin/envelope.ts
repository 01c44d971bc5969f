import type { ServerResponse } from 'node:http';
import type { Meta } from '../errors/refusal.ts';
import { writeJson } from '../security/refusal-answer.ts';
import { writeLines } from '../util/write-lines.ts';

/**
 * The guide's admin envelope for a data answer. Errors are in the same envelope, written by the one error
 * writer (src/security/refusal-answer.ts).
 */
export function sendData(response: ServerResponse, status: number, data: unknown, meta: Meta): void {
  writeJson(response, status, { success: true, data, meta });
}

/** A download of JSON Lines (a journal export), written as its lines are made, waiting for the caller to read. */
export function sendLines(file: { readonly name: string; readonly lines: Iterable<string> }): (response: ServerResponse) => void {
  return (response) => {
    response.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Content-Disposition': `attachment; filename="${file.name}"`, 'Cache-Control': 'no-store' });
    // A line that cannot be made (a bug) ends the download cut short, never the process.
    writeLines(response, file.lines).catch(() => response.destroy());
  };
}
