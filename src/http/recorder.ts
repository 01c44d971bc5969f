/**
 * Writes the HTTP exchanges of one run (those that went through `http.fallback` or a `forward` step) to one
 * JSON Lines file (src/replay/http-format.ts), beside the proxy's WebSocket sessions. Secrets are masked by
 * the same `redact` list before anything is written: headers, query parameters, named JSON fields. Bodies
 * over `maxBodyBytes` are cut and marked; compressed answers are stored decoded. `end()` resolves once the
 * file is on disk; the server waits for it on stop.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { ExchangeLine, HttpHeaderLine, RecordedBody } from '../replay/http-format.ts';
import type { Redactor } from '../security/redact.ts';

/** One forwarded exchange as the forwarder saw it, before masking and encoding. */
export interface ForwardedExchange {
  readonly started: number;
  readonly ended: number;
  readonly request: { readonly method: string; readonly path: string; readonly query: Readonly<Record<string, string>>; readonly headers: Readonly<Record<string, string>>; readonly body: Buffer };
  readonly response: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Buffer; readonly truncated: boolean; readonly chunks: readonly { readonly t: number; readonly data: Buffer }[] | undefined };
}

/** Headers that describe this hop's framing, not the answer: the replayed answer frames itself anew. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

function decoded(body: Buffer, encoding: string | undefined): Buffer | undefined {
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body);
    if (encoding === 'deflate') return inflateSync(body);
    if (encoding === 'br') return brotliDecompressSync(body);
  } catch {
    return undefined;
  }
  return encoding === undefined || encoding === 'identity' ? body : undefined;
}

/** Files made by this process so far: two runs in the same millisecond still get a file each. */
let made = 0;

export class HttpRecorder {
  readonly path: string;
  readonly #out: WriteStream;
  #broken = false;
  readonly #start: number;
  readonly #redact: Redactor;
  readonly #maxBodyBytes: number;
  #ended: Promise<void> | undefined;

  /** `onError`: the file cannot be written (a full disk, no permission); the recording stops, the server goes on. */
  constructor(dir: string, now: number, redact: Redactor, maxBodyBytes: number, onError: (error: Error) => void = () => undefined) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `http-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++made}.jsonl`);
    this.#out = createWriteStream(this.path, { flags: 'wx' });
    this.#out.on('error', (error) => {
      if (!this.#broken) onError(error);
      this.#broken = true;
    });
    this.#start = now;
    this.#redact = redact;
    this.#maxBodyBytes = maxBodyBytes;
    const header: HttpHeaderLine = { kind: 'http', version: 1, startedAt: new Date(now).toISOString() };
    this.#out.write(`${JSON.stringify(header)}\n`);
  }

  /** A body as the file keeps it: masked text when it is UTF-8, else base64; cut past the limit. */
  #body(bytes: Buffer, truncated: boolean): RecordedBody {
    const cut = truncated || bytes.length > this.#maxBodyBytes;
    const kept = bytes.subarray(0, this.#maxBodyBytes);
    const text = isUtf8(kept) ? this.#redact.message(kept.toString('utf8')) : undefined;
    return { ...(text === undefined ? { body: kept.toString('base64'), encoding: 'base64' as const } : { body: text }), ...(cut ? { truncated: true as const } : {}) };
  }

  exchange(x: ForwardedExchange): void {
    if (this.#ended !== undefined || this.#broken) return;
    const encoding = x.response.headers['content-encoding'];
    const plain = x.response.truncated ? undefined : decoded(x.response.body, encoding);
    const headers = Object.fromEntries(Object.entries(x.response.headers).filter(([name]) => !FRAMING.has(name) && !(plain !== undefined && name === 'content-encoding')));
    const query = Object.fromEntries(Object.entries(x.request.query).map(([name, value]) => [name, this.#redact.isSecret(name) ? '***' : value]));
    const line: ExchangeLine = {
      kind: 'exchange',
      t: x.started - this.#start,
      ms: x.ended - x.started,
      request: { method: x.request.method, path: x.request.path, query, headers: this.#redact.headers(x.request.headers), ...this.#body(x.request.body, false) },
      response: {
        status: x.response.status,
        headers: this.#redact.headers(headers),
        ...this.#body(plain ?? x.response.body, x.response.truncated),
        // Chunks are kept as they came only when they are readable as they are (not compressed).
        ...(x.response.chunks === undefined || (encoding !== undefined && encoding !== 'identity') ? {} : { chunks: x.response.chunks.map((c) => ({ t: c.t, data: this.#redact.message(c.data.toString('utf8')) })) }),
      },
    };
    this.#out.write(`${JSON.stringify(line)}\n`);
  }

  /** Flushes and closes the file; safe to call more than once. */
  end(): Promise<void> {
    this.#ended ??= this.#broken ? Promise.resolve() : new Promise<void>((resolve) => {
      this.#out.once('error', () => resolve());
      this.#out.end(() => resolve());
    });
    return this.#ended;
  }
}
