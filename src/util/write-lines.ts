/**
 * Writes lines to a stream (a response, a file) one at a time, waiting for `drain` when the stream asks, so a
 * large export is never held whole in memory; stops when the stream is closed under it (a caller that left).
 */
import type { Writable } from 'node:stream';

/** Resolves on the stream's next `drain`, or once it closes. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Writes each line and a newline, then ends the stream; resolves once it is ended (or was closed). */
export async function writeLines(out: Writable, lines: Iterable<string>): Promise<void> {
  for (const line of lines) {
    if (out.destroyed) return;
    if (!out.write(`${line}\n`)) await drained(out);
  }
  if (out.destroyed) return;
  await new Promise<void>((resolve) => out.end(resolve));
}
