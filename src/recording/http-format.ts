/**
 * The HTTP recording format: JSON Lines, beside the WebSocket sessions. The first line says what the file
 * is; every other line is one exchange that went through `http.fallback` or a `forward` step, with its
 * offset from the start and its duration in ms. Bodies are stored as `payload.ts` says: JSON as its value
 * (`json`), other text as text (`body`), anything else as base64 (`body` with `"encoding":"base64"`); a
 * compressed answer is stored decoded (its Content-Encoding dropped); a body over the recording's limit is
 * cut and marked. A streamed answer (Server-Sent Events, JSON lines) keeps its chunks with their offsets,
 * and then has no `body`: its body is its chunks' text, stored once.
 *
 *   {"kind":"http","version":2,"startedAt":"…"}
 *   {"kind":"exchange","t":12,"ms":3,"request":{"method":"GET","path":"/api/orders","query":{},"headers":{…},"body":""},
 *    "response":{"status":200,"headers":{"content-type":"application/json"},"json":[…]}}
 *
 * Version 1 files (every body a string in `body`, a streamed one beside its chunks) are read as they are.
 * Once read, every body is in `body` (text, or base64 with `encoding`), whichever form the file used.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../errors/error-message.ts';
import { isPlainObject } from '../util/plain-object.ts';
import { storedText } from './payload.ts';

export interface RecordedBody {
  readonly body: string;
  /** Absent: `body` is text. */
  readonly encoding?: 'base64';
  /** The body was longer than the recording's limit and is cut there. */
  readonly truncated?: true;
}

export interface RecordedRequest extends RecordedBody {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RecordedResponse extends RecordedBody {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A streamed answer: its pieces as they came, `t` ms after the answer's head. */
  readonly chunks?: readonly { readonly t: number; readonly data: string }[];
}

export interface HttpHeaderLine {
  readonly kind: 'http';
  /** 2: bodies may be stored as JSON values, a streamed one only as its chunks (see above); 1: all as strings. */
  readonly version: 1 | 2;
  readonly startedAt: string;
}

export interface ExchangeLine {
  readonly kind: 'exchange';
  readonly t: number;
  readonly ms: number;
  readonly request: RecordedRequest;
  readonly response: RecordedResponse;
}

export interface HttpRecording {
  readonly header: HttpHeaderLine;
  readonly exchanges: readonly ExchangeLine[];
}

/** Whether a file's first line says it is an HTTP recording (else it is a WebSocket session). */
export function isHttpRecording(path: string): boolean {
  const first = readFileSync(path, 'utf8').split('\n', 1)[0] ?? '';
  try {
    return (JSON.parse(first) as { kind?: unknown }).kind === 'http';
  } catch {
    return false;
  }
}


/** Reads and checks an HTTP recording; says which line is wrong and why. */
export function readHttpRecording(path: string): HttpRecording {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const parsed = lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (error) {
      throw new Error(`${path}:${index + 1}: not JSON (${errorMessage(error)}): the file is cut or was edited by hand`);
    }
  });
  const [header, ...rest] = parsed;
  if (!isPlainObject(header) || header['kind'] !== 'http') throw new Error(`${path}:1: an HTTP recording starts with a {"kind":"http"} line`);
  const exchanges = rest.map((line, index) => {
    const request = isPlainObject(line) ? readBody(line['request']) : undefined;
    const response = isPlainObject(line) ? readBody(line['response']) : undefined;
    const ok =
      isPlainObject(line) && line['kind'] === 'exchange' && typeof line['t'] === 'number' &&
      request !== undefined && typeof request['method'] === 'string' && typeof request['path'] === 'string' &&
      response !== undefined && typeof response['status'] === 'number';
    if (!ok) throw new Error(`${path}:${index + 2}: expected an "exchange" line with request {method, path, body} and response {status, body}`);
    return { ...line, request, response } as unknown as ExchangeLine;
  });
  return { header: header as unknown as HttpHeaderLine, exchanges };
}

/** A request or response with its body as `body` (see the header comment), or undefined when it has none. */
function readBody(part: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(part)) return undefined;
  const chunks = part['chunks'];
  const joined = Array.isArray(chunks) && !('body' in part) && !('json' in part) && chunks.every((c) => isPlainObject(c) && typeof c['data'] === 'string') ? chunks.map((c) => (c as { data: string }).data).join('') : undefined;
  const body = joined ?? storedText(part, 'body', false);
  if (body === undefined) return undefined;
  const { json: _json, ...rest } = part;
  return { ...rest, body };
}

/** A recorded body's bytes. */
export function bodyBytes(body: RecordedBody): Buffer {
  return body.encoding === 'base64' ? Buffer.from(body.body, 'base64') : Buffer.from(body.body, 'utf8');
}
