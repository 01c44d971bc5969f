/**
 * Writing a route's answer: a templated body (a string as is, anything else as JSON), a file from the
 * configuration's directory, or a streamed body sent piece by piece (Server-Sent Events, data-only `chunks` or
 * whole `events`, or JSON lines, as chat-completion APIs stream), stopping as soon as the client goes away.
 */
import type { ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { msText } from '../steps/index.ts';
import { compileTemplate, type Render, type RenderContext, type TemplateServices } from '../templates/index.ts';
import { drawIn, numberOrRangeSchema, parseRange, type NumberRange } from '../util/range.ts';
import type { Random } from '../util/random.ts';
import { jsonLine, sseEvent } from '../util/sse.ts';
import { openFile, type RouteFile } from './files.ts';
import { JOURNAL_PAYLOAD_BYTES } from '../journal/index.ts';

/** One Server-Sent Event of a streamed answer: every field templated but `retry`. */
const sseEventSchema = z
  .strictObject({
    data: z.unknown().optional().describe('The data: a string as is (one `data:` line per line), anything else as JSON.'),
    event: z.string().min(1).optional().describe('The event name (what `addEventListener` listens for); none is a `message`.'),
    id: z.string().optional().describe('The event id (an EventSource sends the last one back as `Last-Event-ID` when it reconnects).'),
    retry: z.number().int().min(0).max(86_400_000).optional().describe('ms an EventSource waits before reconnecting.'),
    comment: z.string().optional().describe('A comment line (ignored by an EventSource).'),
  })
  .refine((event) => Object.keys(event).length > 0, 'an event needs at least one of data, event, id, retry or comment');

export const respondSchema = z
  .strictObject({
    status: z.number().int().min(100).max(599).default(200),
    headers: z.record(z.string(), z.string()).default({}).describe('Response headers (values templated).'),
    body: z.unknown().optional().describe('The body, templated with `request` in scope: a string is sent as is (text/plain unless a content-type says otherwise), anything else as JSON.'),
    file: z.string().min(1).optional().describe('Send this file, read from the configuration\'s directory (never outside it).'),
    chunks: z.array(z.unknown()).min(1).optional().describe('A streamed body, sent piece by piece: each chunk templated.'),
    events: z.array(sseEventSchema).min(1).optional().describe('A Server-Sent Events body, event by event, each with its own `event` name, `id`, `retry` or `comment` besides its `data`.'),
    format: z.enum(['sse', 'ndjson']).default('sse').describe('With `chunks`: Server-Sent Events (`data: …` blocks) or JSON lines.'),
    chunkDelay: numberOrRangeSchema({ max: 3_600_000 }).default(0).describe('With `chunks` or `events`: ms before each one (or a range).'),
    done: z.string().optional().describe('With `chunks` or `events`, as Server-Sent Events: a last `data:` line, e.g. "[DONE]".'),
  })
  .superRefine((respond, ctx) => {
    const given = (['body', 'file', 'chunks', 'events'] as const).filter((key) => respond[key] !== undefined);
    if (given.length > 1) ctx.addIssue({ code: 'custom', message: `give one of body, file, chunks or events (got ${given.join(' and ')})` });
    if (respond.events !== undefined && respond.format === 'ndjson') ctx.addIssue({ code: 'custom', path: ['format'], message: '`events` are Server-Sent Events: use `chunks` for JSON lines' });
    if (respond.done !== undefined && respond.chunks === undefined && respond.events === undefined) ctx.addIssue({ code: 'custom', path: ['done'], message: '`done` ends a streamed answer: give `chunks` or `events`' });
    else if (respond.done !== undefined && respond.format === 'ndjson') ctx.addIssue({ code: 'custom', path: ['done'], message: '`done` is a last Server-Sent Events `data:` line: JSON lines have none' });
  });

export type RespondConfig = z.output<typeof respondSchema>;

/** What a respond step needs from the server besides the response: templates, randomness, a wait. */
export interface RespondHost {
  readonly templates: TemplateServices;
  readonly random: Random;
  /** Resolves after `ms`, or false at once if the client went away meanwhile. */
  wait(response: ServerResponse, ms: number): Promise<boolean>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
};

const textOf = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? 'null');

/** A body as it is sent: its text, its length in bytes, and its content type when the route gives none. */
interface Encoded {
  readonly text: string;
  readonly length: number;
  readonly type: string;
}

function encodeBody(value: unknown): Encoded {
  const text = textOf(value);
  return { text, length: Buffer.byteLength(text), type: typeof value === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' };
}

/**
 * What a route answered beyond its status, noted for the journal when it keeps this request (undefined:
 * nothing is noted, and nothing costs). The head as written; the body when it is a whole one or streamed
 * pieces (as much of them as the journal keeps, JOURNAL_PAYLOAD_BYTES), never a file's.
 */
export interface SentAnswer {
  headers: Readonly<Record<string, string | number | readonly string[]>> | undefined;
  body: string | Buffer | undefined;
}

/** Writes the answer; its status, at once for a body, later for a file or a streamed body. */
export type Answer = (response: ServerResponse, context: RenderContext, host: RespondHost, head: boolean, sent: SentAnswer | undefined) => number | Promise<number>;

type Piece = (context: RenderContext, services: TemplateServices) => string;

/** A streamed answer's pieces, each rendered to its wire text: `chunks` as data-only events or JSON lines, `events` whole. */
function compilePieces(respond: RespondConfig): readonly Piece[] | undefined {
  if (respond.events !== undefined) {
    return respond.events.map((event) => {
      const [data, name, id, comment] = [event.data, event.event, event.id, event.comment].map((value) => (value === undefined ? undefined : compileTemplate(value)));
      return (context, services) =>
        sseEvent({
          comment: comment === undefined ? undefined : textOf(comment(context, services)),
          id: id === undefined ? undefined : textOf(id(context, services)),
          event: name === undefined ? undefined : textOf(name(context, services)),
          retry: event.retry,
          data: data === undefined ? undefined : textOf(data(context, services)),
        });
    });
  }
  const sse = respond.format === 'sse';
  return respond.chunks?.map((chunk) => {
    const render = compileTemplate(chunk);
    return (context, services) => (sse ? sseEvent({ data: textOf(render(context, services)) }) : jsonLine(textOf(render(context, services))));
  });
}

type Headers = readonly (readonly [string, Render])[];

/** The route's own headers, rendered: null when it has none (the common case costs no object). */
function renderHeaders(headers: Headers, context: RenderContext, services: TemplateServices): Record<string, string> | null {
  if (headers.length === 0) return null;
  const written: Record<string, string> = {};
  for (const [name, render] of headers) written[name] = textOf(render(context, services));
  return written;
}

/** A streamed body, piece by piece, stopping as soon as the client goes away. */
function streamed(respond: RespondConfig, pieces: readonly Piece[], headers: Headers): Answer {
  const delay = parseRange(respond.chunkDelay) as NumberRange;
  const sse = respond.format === 'sse';
  return async (response, context, host, head, sent) => {
    const written = { 'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-cache', ...renderHeaders(headers, context, host.templates) };
    response.writeHead(respond.status, written);
    if (sent !== undefined) sent.headers = written;
    if (head) {
      response.end();
      return respond.status;
    }
    response.flushHeaders();
    const write = (text: string): void => {
      response.write(text);
      if (sent === undefined) return;
      // Joined as the pieces come (cheap) and cut once, when the noted text would pass its bound.
      const noted = (sent.body as string | undefined) ?? '';
      if (noted.length < JOURNAL_PAYLOAD_BYTES) sent.body = noted.length + text.length > JOURNAL_PAYLOAD_BYTES ? `${noted}${text}`.slice(0, JOURNAL_PAYLOAD_BYTES) : `${noted}${text}`;
    };
    for (const piece of pieces) {
      const ms = drawIn(delay, host.random);
      if (ms > 0 && !(await host.wait(response, ms))) return respond.status;
      if (response.destroyed) return respond.status;
      write(piece(context, host.templates));
    }
    if (sse && respond.done !== undefined) write(sseEvent({ data: respond.done }));
    response.end();
    return respond.status;
  };
}

/** A file from the route's folder, piped. */
function fromFile(status: number, file: RouteFile, headers: Headers): Answer {
  const type = TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
  return async (response, context, host, head, sent) => {
    // Opened before the head is written: a file that cannot be read is the route's failure (500), not a cut-off 200.
    const stream = (await openFile(file)).createReadStream();
    try {
      const written = { 'content-type': type, ...renderHeaders(headers, context, host.templates) };
      response.writeHead(status, written);
      if (sent !== undefined) sent.headers = written;
    } catch (error) {
      // A templated header that is no header value: the file is closed, the route fails.
      stream.destroy();
      throw error;
    }
    if (head) {
      stream.destroy();
      response.end();
    } else await pipeline(stream, response);
    return status;
  };
}

/**
 * A whole body (or none), written at once: no promise, so a route that only responds is answered in the
 * turn its request arrived, as a bare handler answers. `body`: a template rendered per request, or a body
 * without templates, encoded once when the route was compiled.
 */
function whole(status: number, body: Render | Encoded | undefined, headers: Headers): Answer {
  return (response, context, host, head, sent) => {
    const written = renderHeaders(headers, context, host.templates);
    if (body === undefined) {
      const empty = { 'content-length': 0, ...written };
      response.writeHead(status, empty);
      response.end();
      if (sent !== undefined) sent.headers = empty;
      return status;
    }
    const encoded = typeof body === 'function' ? encodeBody(body(context, host.templates)) : body;
    const wrote = { 'content-type': encoded.type, 'content-length': encoded.length, ...written };
    response.writeHead(status, wrote);
    response.end(head ? undefined : encoded.text);
    if (sent !== undefined) {
      sent.headers = wrote;
      sent.body = head ? undefined : encoded.text;
    }
    return status;
  };
}

/** An answer made at run time (a collection's item or list): JSON, or no body; `location` for a created item. */
export function answerValue(response: ServerResponse, host: RespondHost, answer: { readonly status: number; readonly body: unknown; readonly location?: string | undefined }, head: boolean, sent: SentAnswer | undefined): number {
  const { status, body, location } = answer;
  const headers: Headers = location === undefined ? [] : [['location', () => location]];
  return whole(status, body === undefined ? undefined : encodeBody(body), headers)(response, {}, host, head, sent) as number;
}

/** Compiles a respond step once; `file` is already resolved (and checked to stay inside its folder). */
export function compileRespond(respond: RespondConfig, file: RouteFile | undefined): Answer {
  const headers = Object.entries(respond.headers).map(([name, value]) => [name.toLowerCase(), compileTemplate(value)] as const);
  const pieces = compilePieces(respond);
  if (pieces !== undefined) return streamed(respond, pieces, headers);
  if (file !== undefined) return fromFile(respond.status, file, headers);
  if (respond.body === undefined) return whole(respond.status, undefined, headers);
  const body = compileTemplate(respond.body);
  return whole(respond.status, body.constant ? encodeBody(respond.body) : body, headers);
}

/** What a respond step answers, in a few words: `respond 200 (json body)`, `respond 200 (3 chunks, JSON lines)`. */
export function explainRespond(respond: RespondConfig): string {
  const apart = respond.chunkDelay === 0 ? '' : `, ${msText(respond.chunkDelay)} apart`;
  let what: string;
  if (respond.file !== undefined) what = `file ${respond.file}`;
  else if (respond.chunks !== undefined) what = `${respond.chunks.length} chunks, ${respond.format === 'sse' ? 'Server-Sent Events' : 'JSON lines'}${apart}`;
  else if (respond.events !== undefined) what = `${respond.events.length} Server-Sent Events${apart}`;
  else if (respond.body === undefined) what = 'no body';
  else what = typeof respond.body === 'string' ? 'text body' : 'json body';
  return `respond ${respond.status} (${what})`;
}
