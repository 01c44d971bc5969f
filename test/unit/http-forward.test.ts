/**
 * `forward` (src/http/forward.ts) between a real client, a node:http server in front and a real backend, all
 * on loopback: which request and answer headers cross (hop-by-hop ones and a token mockwave accepted do not),
 * the path joined to the base, the body's length, what the journal and the recording keep of the answer and
 * where they cut it, and the words of each failure.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { readBody } from '../../src/http/body.ts';
import { forward, type ForwardOptions } from '../../src/http/forward.ts';
import { RequestView } from '../../src/http/request.ts';
import type { SentAnswer } from '../../src/http/respond.ts';
import type { ForwardedExchange } from '../../src/recording/http-recorder.ts';
import { acceptedTarget } from '../../src/util/request-target.ts';
import { deadPort, httpBackend } from '../helpers/upstream.ts';

const servers: Server[] = [];
after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

type Outcome = { status?: number; error?: Error; sent: SentAnswer };

/** A server in front that forwards every request to `base` with `options`; each request's outcome. */
async function front(base: string, options: Partial<ForwardOptions> = {}): Promise<{ port: number; outcomes: Outcome[] }> {
  const outcomes: Outcome[] = [];
  const server = createServer((request, response) => {
    readBody(request, { maxBytes: 4e6 }, undefined, (_, body, _error) => {
      const view = new RequestView(request, acceptedTarget(request), body ?? Buffer.alloc(0));
      const outcome: Outcome = { sent: { headers: undefined, body: undefined } };
      outcomes.push(outcome);
      forward(view, response, base, { consumed: (token) => token === 'mock-token', timeoutMs: 2000, ...options }, outcome.sent).then(
        (status) => void (outcome.status = status),
        (error: Error) => {
          outcome.error = error;
          response.writeHead(599).end(error.message);
        },
      );
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, outcomes };
}

/** Sends `head` (the request line and headers exactly as written) and `body`; the whole answer's text. */
function raw(port: number, head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no answer within 5 s: ${text}`)), 5000);
    socket.on('data', (data) => (text += data.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.write(`${head}\r\nconnection: close\r\n\r\n${body}`);
  });
}

/** A backend answering with the request it got (method, target, headers, body) as JSON. */
async function echoBackend(answerHeaders: Record<string, string> = {}): Promise<string> {
  const backend = await httpBackend((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = JSON.stringify({ method: request.method, target: request.url, headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...answerHeaders });
      response.end(text);
    });
  });
  return backend.url;
}

const jsonOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { target: string; headers: Record<string, string>; body: string };

describe('forward', () => {
  it('passes the request on without its hop-by-hop headers, under the base path, with its body and its length', async () => {
    const base = await echoBackend();
    const { port } = await front(`${base}/api/v1/`);
    const head = ['POST /orders/7?x=1&x=2 HTTP/1.1', 'host: mock.test', 'x-custom: kept', 'keep-alive: timeout=9', 'proxy-connection: keep-alive', 'te: trailers', 'trailer: x-t', 'upgrade: h2c', 'transfer-encoding: chunked'].join('\r\n');
    const got = jsonOf(await raw(port, head, '5\r\nhello\r\n0\r\n\r\n'));
    assert.equal(got.target, '/api/v1/orders/7?x=1&x=2');
    assert.equal(got.body, 'hello');
    assert.equal(got.headers['x-custom'], 'kept');
    assert.equal(got.headers['content-length'], '5', 'the body as read, with its length');
    for (const name of ['keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'transfer-encoding']) assert.equal(got.headers[name], undefined, name);
    assert.equal(got.headers['host'], new URL(base).host, "the backend's own host");
    const empty = jsonOf(await raw(port, 'GET /x HTTP/1.1\r\nhost: mock.test\r\ncontent-length: 0'));
    assert.equal(empty.headers['content-length'], undefined, 'no body, no length: the client\'s own is not passed');
  });

  it("keeps back a bearer token mockwave accepted, in any case, and passes any other authorization", async () => {
    const base = await echoBackend();
    const { port } = await front(base);
    const authorization = async (value: string) => jsonOf(await raw(port, `GET /x HTTP/1.1\r\nhost: m\r\nauthorization: ${value}`)).headers['authorization'];
    assert.equal(await authorization('Bearer mock-token'), undefined);
    assert.equal(await authorization('bearer   mock-token  '), undefined);
    assert.equal(await authorization('Bearer api-token'), 'Bearer api-token');
    assert.equal(await authorization('xBearer mock-token'), 'xBearer mock-token');
    assert.equal(await authorization('Bearermock-token'), 'Bearermock-token');
    assert.equal(await authorization('Basic bW9jay10b2tlbg=='), 'Basic bW9jay10b2tlbg==');
    const other = jsonOf(await raw(port, 'GET /x HTTP/1.1\r\nhost: m\r\nx-note: Bearer mock-token'));
    assert.equal(other.headers['x-note'], 'Bearer mock-token', 'only the authorization header is looked at');
  });

  it("passes the answer's head without its hop-by-hop headers, keeping its length, and notes head and body for the journal", async () => {
    const base = await echoBackend({ 'x-up': '1', 'proxy-connection': 'x', 'keep-alive': 'timeout=77', upgrade: 'h2c' });
    const { port, outcomes } = await front(base);
    const text = await raw(port, 'GET /x HTTP/1.1\r\nhost: m');
    const headers = text.slice(0, text.indexOf('\r\n\r\n')).toLowerCase();
    assert.match(headers, /^x-up: 1$/m);
    assert.match(headers, /^content-length: \d+$/m);
    assert.doesNotMatch(headers, /^(proxy-connection|keep-alive|upgrade):/m);
    const sent = outcomes[0]?.sent;
    assert.equal(outcomes[0]?.status, 200);
    assert.equal((sent?.headers as Record<string, string>)['x-up'], '1');
    assert.equal((sent?.headers as Record<string, string>)['upgrade'], undefined);
    assert.equal(JSON.parse(String(sent?.body)).target, '/x');
  });

  it('keeps at most 1 MiB of an answer for the journal', async () => {
    const backend = await httpBackend((_request, response) => {
      // 20 writes of 64 KiB: the cut falls in the 17th, and three more chunks follow it.
      for (let i = 0; i < 19; i++) response.write(Buffer.alloc(64 * 1024, 'a'));
      response.end(Buffer.alloc(64 * 1024, 'a'));
    });
    const { port, outcomes } = await front(backend.url);
    await raw(port, 'GET /x HTTP/1.1\r\nhost: m');
    assert.equal(outcomes[0]?.sent.body?.length, 1024 * 1024);
  });

  it('records the exchange, its answer cut at recordMaxBytes and marked, and a stream with each chunk and its time', async () => {
    const backend = await httpBackend((request, response) => {
      if (request.url === '/stream') {
        response.writeHead(200, { 'content-type': 'application/x-ndjson' });
        response.write('{"n":1}\n');
        setTimeout(() => response.end('{"n":2}\n'), 20);
      } else response.end(request.url === '/ten' ? '0123456789' : 'abcdefghijk');
    });
    const exchanges: ForwardedExchange[] = [];
    let clock = 1000;
    const { port } = await front(backend.url, { record: (exchange) => exchanges.push(exchange), recordMaxBytes: 10, now: () => (clock += 5) });
    await raw(port, 'GET /ten HTTP/1.1\r\nhost: m');
    await raw(port, 'GET /eleven?a=1&a=2 HTTP/1.1\r\nhost: m\r\nx-h: v');
    await raw(port, 'GET /stream HTTP/1.1\r\nhost: m');
    const [ten, eleven, stream] = exchanges;
    assert.deepEqual([ten?.response.body.toString(), ten?.response.truncated], ['0123456789', false], 'exactly at the cap: whole');
    assert.deepEqual([eleven?.response.body.toString(), eleven?.response.truncated], ['abcdefghij', true]);
    assert.deepEqual(eleven?.request.query, { a: '2' });
    assert.equal(eleven?.request.headers['x-h'], 'v');
    assert.equal(ten?.response.chunks, undefined, 'not a stream: no chunks');
    assert.deepEqual(stream?.response.chunks?.map((c) => c.data.toString()), ['{"n":1}\n', '{"n":2}\n'.slice(0, 2)]);
    const times = stream?.response.chunks?.map((c) => c.t) ?? [];
    assert.ok(times.every((t) => t > 0 && t < 100), `chunk times from the head, on the given clock: ${times.join(', ')}`);
    assert.ok((ten?.ended ?? 0) > (ten?.started ?? 0));
  });

  it('says why it failed: a path that could climb out, a backend refused, a backend that does not answer', async () => {
    const refused = await front(`http://127.0.0.1:${await deadPort()}/api`);
    assert.match(await raw(refused.port, 'GET /x?q=1 HTTP/1.1\r\nhost: m'), /599/);
    assert.equal((refused.outcomes[0]?.error as { code?: string }).code, 'MW_HTTP_UPSTREAM_FAILED');
    assert.match(refused.outcomes[0]?.error?.message ?? '', /^GET http:\/\/127\.0\.0\.1:\d+\/api\/x: .*ECONNREFUSED/);
    await raw(refused.port, 'GET /a%2f..%2fb HTTP/1.1\r\nhost: m');
    assert.match(refused.outcomes[1]?.error?.message ?? '', /^Not forwarded: the path /);
    const silent = await httpBackend(() => {});
    const slow = await front(silent.url, { timeoutMs: 50 });
    await raw(slow.port, 'POST /late HTTP/1.1\r\nhost: m\r\ncontent-length: 2', 'hi');
    assert.match(slow.outcomes[0]?.error?.message ?? '', /^POST http:\/\/127\.0\.0\.1:\d+\/late: no answer within 50 ms$/);
  });

  it('ends with 502 when the backend breaks off after its head, and 499 when the client leaves first', async () => {
    const backend = await httpBackend((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('part');
      if (request.url === '/break') setTimeout(() => response.destroy(), 20);
    });
    const { port, outcomes } = await front(backend.url);
    await raw(port, 'GET /break HTTP/1.1\r\nhost: m');
    await waitFor(() => outcomes[0]?.status !== undefined);
    assert.equal(outcomes[0]?.status, 502);
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /endless HTTP/1.1\r\nhost: m\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.destroy();
    await waitFor(() => outcomes[1]?.status !== undefined);
    assert.equal(outcomes[1]?.status, 499);
  });
});

/** Waits (bounded) for what the server does on its own after a client or a backend went away. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), 'not within 5 s');
}
