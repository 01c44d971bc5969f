/**
 * Writes the HTTP exchanges of one run (those that went through `http.fallback` or a `forward` step) to one
 * JSON Lines file (src/recording/http-format.ts), beside the proxy's WebSocket sessions. Secrets are masked by
 * the redactor before anything is written: headers, query parameters, JSON fields of bodies, and each line
 * of a streamed answer. Bodies over `maxBodyBytes` are cut and marked; a compressed answer is stored decoded,
 * never decoding more than is kept (bounded-decode.ts), and cut and marked the same way. Bodies are stored
 * without blowing up (src/recording/payload.ts); every line is charged to the folder's budget. Lines are
 * written in the order the exchanges ended. `end()` resolves once the file is on disk; the server waits for
 * it on stop.
 *
 * Encoding a line that carries a 1 MiB body takes the event loop a few milliseconds, and clients can forward
 * bodies faster than a disk takes them. So exchanges wait in a queue bounded in bytes (`QUEUE_BYTES`), one
 * line is encoded per turn of the event loop (the server answers others between two), a line is written in
 * pieces (never joined into one string of its size), and the next waits for the file's `drain`. An exchange
 * that would pass the queue's bound is left out and counted in the folder's figures (`dropped`), and the
 * first of a run of them is reported: memory stays bounded whatever the clients send.
 */
import { StringDecoder } from 'node:string_decoder';
import { FolderBudget, RecordingFile } from './recording-file.ts';
import type { HttpHeaderLine } from './http-format.ts';
import { bytesPayload, isText, objectPieces, type Payload } from './payload.ts';
import type { Redactor } from '../security/redact.ts';
import { decodeBounded } from './bounded-decode.ts';
import { systemClock, type LoopClock } from '../util/clock.ts';

/** Bytes of bodies waiting to be recorded at most (the request's and the answer's, as kept): 64 MiB. */
export const QUEUE_BYTES = 16 * 1024 * 1024;

/** One forwarded exchange as the forwarder saw it, before masking and encoding. */
export interface ForwardedExchange {
  readonly started: number;
  readonly ended: number;
  readonly request: { readonly method: string; readonly path: string; readonly query: Readonly<Record<string, string>>; readonly headers: Readonly<Record<string, string>>; readonly body: Buffer };
  readonly response: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Buffer; readonly truncated: boolean; readonly chunks: readonly { readonly t: number; readonly data: Buffer }[] | undefined };
}

export interface HttpRecorderOptions {
  readonly redact: Redactor;
  /** Bytes of a body kept (`http.recordMaxBodyBytes`); longer bodies are cut and marked. */
  readonly maxBodyBytes: number;
  /** The folder's budget (`http.recordMaxBytes`); none: no cap. */
  readonly budget?: FolderBudget;
  /** The file cannot be written (a full disk, no permission); the recording stops, the server goes on. */
  readonly onError?: (error: Error) => void;
  /** Whose turns of the event loop the lines are written on; the system's by default. */
  readonly clock?: LoopClock;
  /** An exchange was left out because `QUEUE_BYTES` were waiting: called for the first of each run of them. */
  readonly onBehind?: (waitingBytes: number) => void;
}

/** Bytes an exchange holds while it waits. */
const heldBytes = (x: ForwardedExchange): number => x.request.body.length + x.response.body.length;

/** Resolves on the event loop's next turn, after the I/O that is waiting (other clients' requests). */
const nextTurn = (clock: LoopClock): Promise<void> => new Promise((done) => clock.nextTurn(done));

/** Content types read line by line (as the forwarder keeps their chunks): Server-Sent Events, JSON lines. */
const STREAMED = /event-stream|ndjson|jsonl/i;

/** Headers that describe this hop's framing, not the answer: the replayed answer frames itself anew. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

/** Index just past the last line end (LF or CR) of `text`; 0 when it has none. */
function lastLineEnd(text: string): number {
  return Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
}

/**
 * A streamed answer's pieces as whole lines: a piece that ends mid-line (or mid-character) gives the rest to
 * the next piece, so masking sees whole lines and no character is split in two; each piece keeps the time
 * its last line came. What follows the last line end is the last piece.
 */
function wholeLines(chunks: readonly { readonly t: number; readonly data: Buffer }[], mask: (text: string) => string): { t: number; data: string }[] {
  const decoder = new StringDecoder('utf8');
  const pieces: { t: number; data: string }[] = [];
  let carry = '';
  for (const chunk of chunks) {
    const text = carry + decoder.write(chunk.data);
    const end = lastLineEnd(text);
    carry = text.slice(end);
    if (end > 0) pieces.push({ t: chunk.t, data: mask(text.slice(0, end)) });
  }
  const rest = carry + decoder.end();
  if (rest !== '') pieces.push({ t: chunks.at(-1)?.t ?? 0, data: mask(rest) });
  return pieces;
}

/** Files made by this process so far: two runs in the same millisecond still get a file each. */
let made = 0;

export class HttpRecorder {
  readonly path: string;
  readonly #file: RecordingFile;
  readonly #start: number;
  readonly #options: HttpRecorderOptions;
  readonly #mask: (value: unknown) => boolean;
  readonly #budget: FolderBudget;
  /** The exchanges waiting to be written, oldest first, and the bytes they hold. */
  readonly #waiting: ForwardedExchange[] = [];
  #waitingBytes = 0;
  /** Resolves once the queue is empty; undefined while nothing is being written. */
  #writing: Promise<void> | undefined;
  /** The last exchange was left out (reported once per run of them). */
  #behind = false;

  constructor(dir: string, now: number, options: HttpRecorderOptions) {
    const budget = options.budget ?? new FolderBudget(dir, Infinity, () => undefined);
    this.#budget = budget;
    this.#file = new RecordingFile(dir, `http-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++made}.jsonl`, budget, options.onError ?? (() => undefined));
    this.path = this.#file.path;
    this.#start = now;
    this.#options = options;
    this.#mask = (value) => options.redact.json(value);
    const header: HttpHeaderLine = { kind: 'http', version: 2, startedAt: new Date(now).toISOString() };
    this.#file.write(JSON.stringify(header));
  }

  /** Queues an exchange: its line is written once the exchanges before it are, or it is left out (see above). */
  exchange(x: ForwardedExchange): void {
    if (!this.#file.admits()) return;
    const bytes = heldBytes(x);
    if (this.#waiting.length > 0 && this.#waitingBytes + bytes > QUEUE_BYTES) {
      this.#budget.leaveOut();
      if (!this.#behind) this.#options.onBehind?.(this.#waitingBytes);
      this.#behind = true;
      return;
    }
    this.#behind = false;
    this.#waiting.push(x);
    this.#waitingBytes += bytes;
    this.#writing ??= this.#writeWaiting();
  }

  /** Writes the waiting exchanges in order, one per turn of the event loop, each after the file drained. */
  async #writeWaiting(): Promise<void> {
    for (let x = this.#waiting[0]; x !== undefined; x = this.#waiting[0]) {
      await nextTurn(this.#options.clock ?? systemClock);
      try {
        this.#file.writePieces(await this.#line(x));
      } catch (error) {
        // A failure to encode one exchange (a bug) is reported and the ones after it are still written.
        this.#options.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
      this.#waiting.shift();
      this.#waitingBytes -= heldBytes(x);
      await this.#file.written();
    }
    this.#writing = undefined;
  }

  /** The exchange's line, in pieces (the bodies' text apart from the rest). */
  async #line(x: ForwardedExchange): Promise<string[]> {
    const { redact, maxBodyBytes } = this.#options;
    const encoding = x.response.headers['content-encoding'];
    const identity = encoding === undefined || encoding === 'identity';
    // A compressed answer cut short cannot be decoded: it is kept as it came, with its encoding.
    const plain = x.response.truncated && !identity ? undefined : await decodeBounded(x.response.body, encoding, maxBodyBytes);
    const headers = Object.fromEntries(Object.entries(x.response.headers).filter(([name]) => !FRAMING.has(name) && !(plain !== undefined && name === 'content-encoding')));
    const query = Object.fromEntries(Object.entries(x.request.query).map(([name, value]) => [name, redact.isSecret(name) ? '***' : value]));
    const request = this.#part({ method: x.request.method, path: x.request.path, query, headers: redact.headers(x.request.headers) }, x.request.body, false, false);
    const response = { status: x.response.status, headers: redact.headers(headers) };
    const truncated = x.response.truncated || plain?.cut === true;
    const bytes = plain?.bytes ?? x.response.body;
    const lines = STREAMED.test(x.response.headers['content-type'] ?? '');
    // Chunks are kept as they came only when they are readable as they are (not compressed, text); the body
    // is then their text, stored once.
    const streamed = x.response.chunks !== undefined && identity && isText(bytes) ? wholeLines(x.response.chunks, (text) => redact.lines(text)) : undefined;
    const answer = streamed === undefined ? this.#part(response, bytes, truncated, lines) : [JSON.stringify({ ...response, ...(truncated ? { truncated: true } : {}), chunks: streamed })];
    return [`{"kind":"exchange","t":${x.started - this.#start},"ms":${x.ended - x.started},"request":`, ...request, ',"response":', ...answer, '}'];
  }

  /**
   * A request or response with its body as the file keeps it: cut past the limit, masked (line by line when
   * `lines`: a stream's text), stored compactly.
   */
  #part(fields: Record<string, unknown>, bytes: Buffer, truncated: boolean, lines: boolean): string[] {
    const max = this.#options.maxBodyBytes;
    const cut = truncated || bytes.length > max;
    const kept = bytes.subarray(0, max);
    const payload: Payload = lines && isText(kept) ? { form: 'text', text: this.#options.redact.lines(kept.toString('utf8')) } : bytesPayload(kept, this.#mask);
    return objectPieces({ ...fields, ...(cut ? { truncated: true } : {}) }, payload, 'body');
  }

  /** Flushes and closes the file once every queued exchange is written; safe to call more than once. */
  async end(): Promise<void> {
    await this.#writing;
    return this.#file.end();
  }
}
