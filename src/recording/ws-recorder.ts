/**
 * Writes one proxied session to a JSON Lines file (see format.ts). Writes go through one stream per
 * session, each line charged to the folder's budget (recording-file.ts); `end()` resolves once
 * everything is on disk, and the server waits for it on stop, so a recording is complete and valid after a
 * close or Ctrl-C. Payloads are stored without blowing up (payload.ts): a JSON text frame as its
 * value, other text as text, binary as base64.
 */
import type { RecordingLine } from './format.ts';
import { objectWith, textPayload } from './payload.ts';
import { FolderBudget, RecordingFile } from './recording-file.ts';
import type { Redactor } from '../security/redact.ts';

export interface SessionInit {
  readonly route: string;
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** Whether the proxy greeted the client with proxy_connected (replayed as recorded). */
  readonly announced: boolean;
  readonly protocol: string;
  readonly clientId: string;
  readonly now: number;
}

export class Recorder {
  readonly path: string;
  /** Resolves once the file is complete and closed. */
  readonly finished: Promise<void>;
  readonly #file: RecordingFile;
  readonly #start: number;
  readonly #mask: (value: unknown) => boolean;

  /**
   * Secrets are masked by `redact` before anything is written: URLs, headers, the subprotocol, JSON fields
   * of text frames. `onError`: the file cannot be written; the recording stops, the session goes on.
   */
  constructor(dir: string, init: SessionInit, redact: Redactor, budget: FolderBudget = new FolderBudget(dir, Infinity, () => undefined), onError: (error: Error) => void = () => undefined) {
    this.#mask = (value) => redact.json(value);
    const stamp = new Date(init.now).toISOString().replace(/[:.]/g, '-');
    this.#file = new RecordingFile(dir, `${init.route}-${stamp}-${init.clientId}.jsonl`, budget, onError);
    this.path = this.#file.path;
    this.finished = this.#file.finished;
    this.#start = init.now;
    this.#write({ kind: 'session', version: 2, route: init.route, url: redact.url(init.url), path: redact.url(init.path), startedAt: new Date(init.now).toISOString(), headers: redact.headers(init.headers), protocol: redact.protocol(init.protocol), announced: init.announced });
  }

  frame(now: number, from: 'client' | 'upstream', data: Buffer, isBinary: boolean): void {
    if (!this.#file.admits()) return;
    const t = now - this.#start;
    // A binary frame's data is base64 by its type; a text frame's is stored as payload.ts says.
    if (isBinary) this.#write({ kind: 'frame', t, from, type: 'binary', data: data.toString('base64') });
    else this.#file.write(objectWith({ kind: 'frame', t, from, type: 'text' }, textPayload(data.toString('utf8'), this.#mask), 'data'));
  }

  close(now: number, from: 'client' | 'upstream', code: number, reason: string): void {
    this.#write({ kind: 'close', t: now - this.#start, from, code, reason });
  }

  /** Flushes and closes the file; safe to call more than once. */
  end(): Promise<void> {
    return this.#file.end();
  }

  #write(line: RecordingLine): void {
    this.#file.write(JSON.stringify(line));
  }
}
