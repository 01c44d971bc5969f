/**
 * Writing a route's answer: a templated body (a string as is, anything else as JSON), a file from the
 * configuration's directory, or a streamed body sent piece by piece (Server-Sent Events, data-only `chunks` or
 * whole `events`, or JSON lines, as chat-completion APIs stream), stopping as soon as the client goes away.
 */
import type { ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { compileTemplate, type RenderContext, type TemplateServices } from '../templates/index.ts';
import { parseRange, type NumberRange } from '../util/range.ts';
import type { Random } from '../util/random.ts';
import { jsonLine, sseEvent } from '../util/sse.ts';
import { openFile, type RouteFile } from './files.ts';
import type { HttpRouteConfig } from './schema.ts';

type RespondConfig = Extract<HttpRouteConfig['then'][number], { respond: unknown }>['respond'];

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

/** A body's text and its content type when the route gave none. */
function encodeBody(value: unknown): { text: string; type: string } {
  return typeof value === 'string' ? { text: value, type: 'text/plain; charset=utf-8' } : { text: JSON.stringify(value) ?? 'null', type: 'application/json; charset=utf-8' };
}

export type Answer = (response: ServerResponse, context: RenderContext, host: RespondHost, head: boolean) => Promise<number>;

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

/** Compiles a respond step once; `file` is already resolved (and checked to stay inside its folder). */
export function compileRespond(respond: RespondConfig, file: RouteFile | undefined): Answer {
  const headers = Object.entries(respond.headers).map(([name, value]) => [name.toLowerCase(), compileTemplate(value)] as const);
  const body = respond.body === undefined ? undefined : compileTemplate(respond.body);
  const pieces = compilePieces(respond);
  const delay = parseRange(respond.chunkDelay) as NumberRange;
  return async (response, context, host, head) => {
    const written: Record<string, string> = {};
    for (const [name, render] of headers) written[name] = textOf(render(context, host.templates));
    if (pieces !== undefined) {
      const sse = respond.format === 'sse';
      response.writeHead(respond.status, { 'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-cache', ...written });
      if (head) {
        response.end();
        return respond.status;
      }
      response.flushHeaders();
      for (const piece of pieces) {
        const ms = delay.min === delay.max ? delay.min : host.random.int(delay.min, delay.max);
        if (ms > 0 && !(await host.wait(response, ms))) return respond.status;
        if (response.destroyed) return respond.status;
        response.write(piece(context, host.templates));
      }
      if (sse && respond.done !== undefined) response.write(sseEvent({ data: respond.done }));
      response.end();
      return respond.status;
    }
    if (file !== undefined) {
      // Opened before the head is written: a file that cannot be read is the route's failure (500), not a cut-off 200.
      const stream = (await openFile(file)).createReadStream();
      try {
        response.writeHead(respond.status, { 'content-type': TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream', ...written });
      } catch (error) {
        // A templated header that is no header value: the file is closed, the route fails.
        stream.destroy();
        throw error;
      }
      if (head) {
        stream.destroy();
        response.end();
      } else await pipeline(stream, response);
      return respond.status;
    }
    const encoded = body === undefined ? undefined : encodeBody(body(context, host.templates));
    const payload = encoded === undefined ? '' : encoded.text;
    response.writeHead(respond.status, { ...(encoded === undefined ? {} : { 'content-type': encoded.type }), 'content-length': Buffer.byteLength(payload), ...written });
    response.end(head ? undefined : payload);
    return respond.status;
  };
}
