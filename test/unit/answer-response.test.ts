/**
 * The server's response class (src/util/answer-response.ts): preset headers (CORS) are written with the
 * answer's head, not set before it (Node's slow merge); the answer's own header of the same name wins
 * whatever its case; an answer written without a head of its own (end, flushHeaders, a flat header list)
 * still gets them once.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { AnswerResponse, presetHeaders } from '../../src/util/answer-response.ts';

const servers: Server[] = [];
after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

/** A server whose handler is `answer`; the raw header lines of its answer to one GET. */
async function headersOf(answer: (response: ServerResponse) => void, plain = false): Promise<string[]> {
  const handler = (_request: IncomingMessage, response: ServerResponse): void => answer(response);
  const server = plain ? createServer(handler) : createServer({ ServerResponse: AnswerResponse }, handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { signal: AbortSignal.timeout(5000) });
  await response.text();
  const lines: string[] = [];
  response.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.filter((line) => !/^(date|connection|keep-alive|content-length|transfer-encoding):/.test(line));
}

const CORS = { Vary: 'Origin', 'Access-Control-Allow-Origin': 'http://a.test' };

describe('AnswerResponse', () => {
  it('preset headers go out with the head, and are not set before it', async () => {
    let setBefore: string[] = [];
    const lines = await headersOf((response) => {
      presetHeaders(response, CORS);
      setBefore = response.getHeaderNames();
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('x');
    });
    assert.deepEqual(setBefore, [], 'headers set (setHeader) before the head');
    assert.deepEqual(lines.sort(), ['access-control-allow-origin: http://a.test', 'content-type: text/plain', 'vary: Origin']);
  });

  it('the answer\'s own header wins over a preset one, whatever its case', async () => {
    const lines = await headersOf((response) => {
      presetHeaders(response, CORS);
      response.writeHead(200, 'Fine', { vary: 'Accept', 'content-type': 'text/plain' });
      response.end('x');
    });
    assert.deepEqual(lines.sort(), ['access-control-allow-origin: http://a.test', 'content-type: text/plain', 'vary: Accept']);
  });

  it('an answer with no head of its own, or a flat header list, gets them once', async () => {
    for (const write of [(r: ServerResponse) => r.end('x'), (r: ServerResponse) => r.writeHead(204, ['x-a', '1']).end(), (r: ServerResponse) => (r.setHeader('x-b', '2'), r.end())]) {
      const lines = await headersOf((response) => {
        presetHeaders(response, CORS);
        write(response);
      });
      assert.equal(lines.filter((l) => l.startsWith('vary:')).length, 1, lines.join('; '));
      assert.ok(lines.includes('access-control-allow-origin: http://a.test'), lines.join('; '));
    }
  });

  it('on a plain response, presetHeaders sets them at once', async () => {
    const lines = await headersOf((response) => {
      presetHeaders(response, CORS);
      assert.equal(response.getHeader('vary'), 'Origin');
      response.end('x');
    }, true);
    assert.ok(lines.includes('vary: Origin'));
  });
});
