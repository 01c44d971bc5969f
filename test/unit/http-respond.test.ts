/**
 * The respond step's answers (src/http/respond.ts) written to a real node:http response and read by a real
 * client: streamed chunks and events (their heads, HEAD, the waits between pieces, `done`, what is noted for
 * the journal and where that is cut), a file's type by its extension, a whole body and none; and the few
 * words each explains itself with.
 */
import assert from 'node:assert/strict';
import { createServer, request, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileRespond, explainRespond, respondSchema, type Answer, type RespondHost, type SentAnswer } from '../../src/http/respond.ts';
import { JOURNAL_PAYLOAD_BYTES } from '../../src/journal/index.ts';
import { createTemplateServices } from '../../src/templates/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const respond = (value: unknown) => respondSchema.parse(value);

/** A host whose waits are recorded and end at once (or report the client gone), and whose draws are seen. */
function host(stay = true) {
  const waits: number[] = [];
  const random = createRandom(3);
  const draws: [number, number][] = [];
  const seen: RespondHost = {
    templates: createTemplateServices(new ManualClock(0), random, 1),
    random: { next: () => random.next(), int: (min: number, max: number) => (draws.push([min, max]), min) } as RespondHost['random'],
    wait: (_response: ServerResponse, ms: number) => (waits.push(ms), Promise.resolve(stay)),
  };
  return { seen, waits, draws };
}

let answer: (response: ServerResponse) => Promise<unknown> = async () => undefined;
const server = createServer((_request, response) => void answer(response));
let port = 0;

before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => ((port = (server.address() as { port: number }).port), resolve()))));
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Answers one request with `step`, read by a real client: status, headers, body, and what was noted. */
async function exchange(step: Answer, respondHost: RespondHost, method = 'GET', noted = true) {
  const sent: SentAnswer | undefined = noted ? { headers: undefined, body: undefined } : undefined;
  answer = async (response) => {
    await step(response, { request: { method, path: '/', params: {}, query: {}, headers: {}, cookies: {}, body: undefined } }, respondHost, method === 'HEAD', sent);
    // A step that stopped because its client left leaves the answer unfinished: here the client is still there.
    if (!response.writableEnded) response.destroy();
  };
  const got = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/' }, (res) => {
      let body = '';
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).once('end', done).once('aborted', done).once('error', done);
    });
    req.once('error', reject).end();
  });
  return { ...got, sent };
}

describe('a streamed answer', () => {
  it('as Server-Sent Events: its head, each piece after its wait (a range drawn), and `done` last; all of it noted', async () => {
    const { seen, waits, draws } = host();
    const got = await exchange(compileRespond(respond({ chunks: ['a', { b: 1 }], chunkDelay: '10-20', done: '[DONE]', headers: { 'x-n': '{{request.method}}' } }), undefined), seen);
    assert.equal(got.status, 200);
    assert.deepEqual([got.headers['content-type'], got.headers['cache-control'], got.headers['x-n']], ['text/event-stream; charset=utf-8', 'no-cache', 'GET']);
    assert.equal(got.body, 'data: a\n\ndata: {"b":1}\n\ndata: [DONE]\n\n');
    assert.deepEqual([waits, draws], [[10, 10], [[10, 20], [10, 20]]]);
    assert.equal(got.sent?.body, got.body);
    assert.deepEqual(got.sent?.headers, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-n': 'GET' });
  });

  it('as JSON lines: no `done`, no wait when the delay is 0, nothing noted when the journal keeps nothing', async () => {
    const { seen, waits, draws } = host();
    const got = await exchange(compileRespond(respond({ chunks: [{ a: 1 }, 'two'], format: 'ndjson', status: 202 }), undefined), seen, 'GET', false);
    assert.deepEqual([got.status, got.headers['content-type'], got.body], [202, 'application/x-ndjson; charset=utf-8', '{"a":1}\ntwo\n']);
    assert.deepEqual([waits, draws, got.sent], [[], [], undefined]);
    const fixed = host();
    await exchange(compileRespond(respond({ chunks: ['x'], chunkDelay: 5 }), undefined), fixed.seen);
    assert.deepEqual([fixed.waits, fixed.draws], [[5], []], 'a fixed delay is waited as it is, nothing drawn');
  });

  it('whole events with their fields; HEAD writes the head only', async () => {
    const { seen } = host();
    const step = compileRespond(respond({ events: [{ event: 'tick', id: '7', retry: 100, data: { n: 1 } }, { comment: 'hi' }] }), undefined);
    assert.equal((await exchange(step, seen)).body, 'id: 7\nevent: tick\nretry: 100\ndata: {"n":1}\n\n: hi\n\n');
    const head = await exchange(step, seen, 'HEAD');
    assert.deepEqual([head.status, head.headers['content-type'], head.body, head.sent?.body], [200, 'text/event-stream; charset=utf-8', '', undefined]);
  });

  it('stops when the client is gone during a wait; what is noted is cut at the journal\'s bound', async () => {
    const gone = host(false);
    const got = await exchange(compileRespond(respond({ chunks: ['a', 'b'], chunkDelay: 50 }), undefined), gone.seen);
    assert.deepEqual([got.body, gone.waits], ['', [50]], 'nothing after the wait the client left during');
    const big = 'x'.repeat(JOURNAL_PAYLOAD_BYTES);
    const { seen } = host();
    const cut = await exchange(compileRespond(respond({ chunks: [big, 'more', 'again'], format: 'ndjson' }), undefined), seen);
    assert.equal(cut.body, `${big}\nmore\nagain\n`, 'the client gets all of it');
    assert.equal((cut.sent?.body as string).length, JOURNAL_PAYLOAD_BYTES, 'the journal keeps its bound');
    assert.equal(cut.sent?.body, big, 'cut where the bound is');
  });
});

describe('a file, a whole body, no body', () => {
  it('a file\'s type is its extension\'s (octet-stream when unknown); HEAD sends no body; nothing of a file is noted', async () => {
    const dir = tempDir('mockwave-respond-');
    writeFileSync(join(dir, 'a.JSON'), '{"a":1}');
    writeFileSync(join(dir, 'b.bin'), 'bytes');
    const { seen } = host();
    const json = await exchange(compileRespond(respond({ file: 'a.JSON' }), { path: join(dir, 'a.JSON'), scope: { dir, label: 'test', hideEnv: false } }), seen);
    assert.deepEqual([json.headers['content-type'], json.body, json.sent?.body], ['application/json; charset=utf-8', '{"a":1}', undefined]);
    assert.deepEqual(json.sent?.headers, { 'content-type': 'application/json; charset=utf-8' });
    const bin = await exchange(compileRespond(respond({ file: 'b.bin' }), { path: join(dir, 'b.bin'), scope: { dir, label: 'test', hideEnv: false } }), seen, 'HEAD');
    assert.deepEqual([bin.headers['content-type'], bin.body], ['application/octet-stream', '']);
  });

  it('a body: its type by its kind, its length, HEAD without it; none: length 0; each noted', async () => {
    const { seen } = host();
    const text = await exchange(compileRespond(respond({ body: 'héllo' }), undefined), seen);
    assert.deepEqual([text.headers['content-type'], text.headers['content-length'], text.body, text.sent?.body], ['text/plain; charset=utf-8', '6', 'héllo', 'héllo']);
    const head = await exchange(compileRespond(respond({ body: { a: '{{request.method}}' } }), undefined), seen, 'HEAD');
    assert.deepEqual([head.headers['content-type'], head.headers['content-length'], head.body, head.sent?.body], ['application/json; charset=utf-8', '12', '', undefined]);
    const none = await exchange(compileRespond(respond({ status: 204 }), undefined), seen);
    assert.deepEqual([none.status, none.body, none.sent?.headers], [204, '', { 'content-length': 0 }]);
  });
});

describe('the words a respond step explains itself with', () => {
  it('says the status and what is sent: a file, chunks in their format and apart, events, a body\'s kind, none', () => {
    const explain = (value: unknown) => explainRespond(respond(value));
    assert.deepEqual(
      [
        explain({ file: 'a.json' }),
        explain({ chunks: [1, 2], chunkDelay: 20 }),
        explain({ chunks: [1], format: 'ndjson' }),
        explain({ events: [{ data: 1 }], chunkDelay: '10-20' }),
        explain({ status: 201, body: { a: 1 } }),
        explain({ body: 'hi' }),
        explain({ status: 204 }),
      ],
      [
        'respond 200 (file a.json)',
        'respond 200 (2 chunks, Server-Sent Events, 20 ms apart)',
        'respond 200 (1 chunks, JSON lines)',
        'respond 200 (1 Server-Sent Events, 10-20 ms apart)',
        'respond 201 (json body)',
        'respond 200 (text body)',
        'respond 204 (no body)',
      ],
    );
  });
});
