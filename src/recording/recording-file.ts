/**
 * Writing recordings to disk, within a budget. Each recording folder may take `recordMaxBytes` bytes written
 * by this process (files already in it do not count); settings that name the same folder share one budget,
 * the smallest cap holding. The line that would pass the cap is not written, and from then on nothing more
 * is recorded in that folder: every file in it ends at a whole line (still readable), `onFull` says so once,
 * and the figures count the lines left out.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';

/** A recording folder's default cap (http.recordMaxBytes, proxy.recordMaxBytes): 1 GiB. */
export const RECORD_MAX_BYTES = 1024 * 1024 * 1024;

/** One folder's budget, as the admin API and /metrics show it. */
export interface FolderFigures {
  /** The folder's absolute path. */
  readonly folder: string;
  readonly maxBytes: number;
  /** Bytes this process wrote there. */
  readonly bytes: number;
  /** The cap was reached: nothing more is recorded there. */
  readonly full: boolean;
  /** Lines not written since (frames, exchanges; a session not started counts as one). */
  readonly dropped: number;
}

export class FolderBudget {
  readonly folder: string;
  #maxBytes: number;
  #bytes = 0;
  #full = false;
  #dropped = 0;
  readonly #onFull: (figures: FolderFigures) => void;

  constructor(folder: string, maxBytes: number, onFull: (figures: FolderFigures) => void) {
    this.folder = folder;
    this.#maxBytes = maxBytes;
    this.#onFull = onFull;
  }

  get full(): boolean {
    return this.#full;
  }

  /** Whether a new recording may start here; when not, that counts as one line left out. */
  admits(): boolean {
    if (!this.#full) return true;
    this.#dropped += 1;
    return false;
  }

  /** Another setting names this folder: the smaller cap holds. */
  cap(maxBytes: number): void {
    this.#maxBytes = Math.min(this.#maxBytes, maxBytes);
  }

  /** Counts one line left out for another reason than the cap (a recorder too far behind its traffic). */
  leaveOut(): void {
    this.#dropped += 1;
  }

  /** Charges `bytes` if they fit; false (and the folder full from now on) if not. */
  take(bytes: number): boolean {
    if (!this.#full && this.#bytes + bytes <= this.#maxBytes) {
      this.#bytes += bytes;
      return true;
    }
    this.#dropped += 1;
    if (!this.#full) {
      this.#full = true;
      this.#onFull(this.figures());
    }
    return false;
  }

  figures(): FolderFigures {
    return { folder: this.folder, maxBytes: this.#maxBytes, bytes: this.#bytes, full: this.#full, dropped: this.#dropped };
  }
}

/** The budgets of one server's recording folders, by absolute path. */
export class RecordingBudgets {
  readonly #folders = new Map<string, FolderBudget>();
  readonly #onFull: (figures: FolderFigures) => void;

  /** `onFull`: a folder reached its cap (called once per folder). */
  constructor(onFull: (figures: FolderFigures) => void) {
    this.#onFull = onFull;
  }

  /** The budget of `dir`, made on first use; every setting naming a folder registers it when the server is built. */
  folder(dir: string, maxBytes: number): FolderBudget {
    const folder = resolve(dir);
    const known = this.#folders.get(folder);
    if (known !== undefined) {
      known.cap(maxBytes);
      return known;
    }
    const budget = new FolderBudget(folder, maxBytes, this.#onFull);
    this.#folders.set(folder, budget);
    return budget;
  }

  figures(): FolderFigures[] {
    return [...this.#folders.values()].map((budget) => budget.figures());
  }
}

/**
 * One JSON Lines file, made with `wx` (never over another file). Writes go through one stream; a write error
 * (a full disk, no permission) is reported once and the file takes nothing more, the traffic goes on. A
 * writer that may outrun the disk asks `written()` before its next line (the HTTP recorder, whose lines
 * carry bodies); `end()` resolves once the file is on disk and closed; the server waits for it on stop.
 */
export class RecordingFile {
  readonly path: string;
  /** Resolves once the file is closed (ended, or given up after an error). */
  readonly finished: Promise<void>;
  readonly #out: WriteStream;
  readonly #budget: FolderBudget;
  #broken = false;
  #ended: Promise<void> | undefined;

  constructor(dir: string, name: string, budget: FolderBudget, onError: (error: Error) => void) {
    mkdirSync(dir, { recursive: true });
    this.path = resolve(dir, name);
    this.#budget = budget;
    this.#out = createWriteStream(this.path, { flags: 'wx' });
    // Every error is handled (a write after one would raise another); the first is reported.
    this.#out.on('error', (error) => {
      if (!this.#broken) onError(error);
      this.#broken = true;
    });
    this.finished = new Promise((done) => this.#out.once('close', () => done()));
  }

  /**
   * Whether a line would be taken now: the file not ended or broken, the folder not full (a line a full
   * folder refuses is counted as left out). Lets a recorder skip encoding what would not be written.
   */
  admits(): boolean {
    return this.#ended === undefined && !this.#broken && this.#budget.admits();
  }

  /** Writes one line (JSON text without its line end) if the folder's budget has room for it. */
  write(line: string): void {
    this.writePieces([line]);
  }

  /**
   * Writes one line given in pieces, whole or not at all: the budget is charged for the whole line first.
   * A line that carries a body is written as its parts, never joined into one more string of its size.
   */
  writePieces(pieces: readonly string[]): void {
    if (this.#ended !== undefined || this.#broken) return;
    let bytes = 1;
    for (const piece of pieces) bytes += Buffer.byteLength(piece);
    if (!this.#budget.take(bytes)) return;
    // Corked: the pieces leave in one writev, not one write each.
    this.#out.cork();
    for (const piece of pieces) this.#out.write(piece);
    this.#out.write('\n');
    this.#out.uncork();
  }

  /**
   * Resolves once what was written has gone to the disk far enough to take more (the stream's `drain`), or
   * at once when it has; also when the file fails or closes, since nothing more will be taken then.
   */
  written(): Promise<void> {
    if (!this.#out.writableNeedDrain || this.#broken) return Promise.resolve();
    return new Promise((done) => {
      const settle = (): void => {
        this.#out.off('drain', settle).off('close', settle).off('error', settle);
        done();
      };
      this.#out.on('drain', settle).on('close', settle).on('error', settle);
    });
  }

  /** Flushes and closes the file; safe to call more than once. */
  end(): Promise<void> {
    this.#ended ??= this.#broken ? this.finished : new Promise<void>((done) => this.#out.end(() => done())).then(() => this.finished);
    return this.#ended;
  }
}
