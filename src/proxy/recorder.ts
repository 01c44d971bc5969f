/**
 * Writes one proxied session to a JSON Lines file (see replay/format.ts). Writes go through one stream per
 * session; `end()` resolves once everything is on disk, and the server waits for it on stop, so a recording
 * is complete and valid after a close or Ctrl-C.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { RecordingLine } from '../replay/format.ts';
import type { Redactor } from '../security/redact.ts';

export class Recorder {
  readonly path: string;
  /** Resolves once the file is complete and closed. */
  readonly finished: Promise<void>;
  readonly #out: WriteStream;
  readonly #start: number;
  readonly #redact: Redactor;
  #ended: Promise<void> | undefined;

  /**
   * Secrets are masked by `redact` before anything is written: URLs, headers, the subprotocol, named JSON
   * fields. `onError`: the file cannot be written; the recording stops, the session goes on.
   */
  constructor(dir: string, init: { route: string; url: string; path: string; headers: Record<string, string>; protocol: string; announced: boolean; clientId: string; now: number }, redact: Redactor, onError: (error: Error) => void = () => undefined) {
    this.#redact = redact;
    mkdirSync(dir, { recursive: true });
    const stamp = new Date(init.now).toISOString().replace(/[:.]/g, '-');
    this.path = join(dir, `${init.route}-${stamp}-${init.clientId}.jsonl`);
    this.#out = createWriteStream(this.path, { flags: 'wx' });
    // Every error is handled (a write after one would raise another); the first is reported.
    let reported = false;
    this.#out.on('error', (error) => {
      if (!reported) onError(error);
      reported = true;
    });
    this.finished = new Promise((resolve) => this.#out.once('close', () => resolve()));
    this.#start = init.now;
    this.#write({ kind: 'session', version: 1, route: init.route, url: redact.url(init.url), path: redact.url(init.path), startedAt: new Date(init.now).toISOString(), headers: redact.headers(init.headers), protocol: redact.protocol(init.protocol), announced: init.announced });
  }

  frame(now: number, from: 'client' | 'upstream', data: Buffer, isBinary: boolean): void {
    this.#write({ kind: 'frame', t: now - this.#start, from, type: isBinary ? 'binary' : 'text', data: isBinary ? data.toString('base64') : this.#redact.message(data.toString('utf8')) });
  }

  close(now: number, from: 'client' | 'upstream', code: number, reason: string): void {
    this.#write({ kind: 'close', t: now - this.#start, from, code, reason });
  }

  /** Flushes and closes the file; safe to call more than once. */
  end(): Promise<void> {
    this.#ended ??= new Promise<void>((resolve) => this.#out.end(() => resolve())).then(() => this.finished);
    return this.#ended;
  }

  #write(line: RecordingLine): void {
    if (this.#ended === undefined) this.#out.write(`${JSON.stringify(line)}\n`);
  }
}
