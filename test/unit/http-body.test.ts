/**
 * A request's body (http/body.ts): read whole under a cap and a deadline over a stand-in request, and, on a
 * real node:http server over raw sockets, a body nobody reads: a small one read and dropped with the
 * connection kept, a large or endless one left unread with the connection closed after the answer.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { MockwaveError } from '../../src/errors/catalog.ts';
import { bodyPending, closeAfterAnswer, readBody, skipBody, type BodyLimits } from '../../src/http/body.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { Deadlines } from '../../src/util/deadlines.ts';
import { hasBody } from '../../src/util/request-body.ts';

/** A request as readBody sees it: a readable stream with headers. */
function standIn(headers: Record<string, string>, complete = false): Readable & IncomingMessage {
  const request = new Readable({ read() {} }) as Readable & IncomingMessage;
  Object.assign(request, { headers, complete });
  return request;
}

type Outcome = { calls: number; body: Buffer | undefined; error: Error | undefined };

function reader(request: IncomingMessage, limits: BodyLimits): Outcome {
  const outcome: Outcome = { calls: 0, body: undefined, error: undefined };
  readBody(request, limits, outcome, (into, body, error) => {
    into.calls += 1;
    into.body = body;
    into.error = error;
  });
  return outcome;
}

/** Lets the stand-in's queued events run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('readBody', () => {
  it('refuses a declared length over the cap at once, with both figures, and reads nothing', () => {
    const request = standIn({ 'content-length': '11' });
    const outcome = reader(request, { maxBytes: 10 });
    assert.equal(outcome.calls, 1);
    assert.ok(outcome.error instanceof MockwaveError);
    assert.equal(outcome.error.code, 'MW_HTTP_BODY_TOO_LARGE');
    assert.equal(outcome.error.message, 'Request body of 11 bytes is over http.maxBodyBytes (10)');
    assert.equal(request.listenerCount('data'), 0);
  });

  it('reads a body of exactly the cap, declared or chunked', async () => {
    const declared = standIn({ 'content-length': '10' });
    const first = reader(declared, { maxBytes: 10 });
    declared.push(Buffer.from('0123456789'));
    declared.push(null);
    const chunked = standIn({ 'transfer-encoding': 'chunked' });
    const second = reader(chunked, { maxBytes: 10 });
    chunked.push(Buffer.from('01234'));
    chunked.push(Buffer.from('56789'));
    chunked.push(null);
    await turn();
    assert.equal(first.body?.toString(), '0123456789');
    assert.equal(second.body?.toString(), '0123456789');
    assert.equal(second.calls, 1);
  });

  it('gives a body of one chunk as that chunk, and one of several whole', async () => {
    const one = standIn({ 'content-length': '3' });
    const chunk = Buffer.from('abc');
    const single = reader(one, { maxBytes: 10 });
    one.push(chunk);
    one.push(null);
    const many = standIn({ 'transfer-encoding': 'chunked' });
    const whole = reader(many, { maxBytes: 10 });
    many.push(Buffer.from('ab'));
    many.push(Buffer.from('cd'));
    many.push(null);
    await turn();
    assert.equal(single.body, chunk, 'the chunk itself, not a copy');
    assert.equal(whole.body?.toString(), 'abcd');
  });

  it('refuses a chunked body once it passes the cap, stops reading it, and settles once whatever follows', async () => {
    const request = standIn({ 'transfer-encoding': 'chunked' });
    const outcome = reader(request, { maxBytes: 4 });
    request.push(Buffer.from('abc'));
    request.push(Buffer.from('de'));
    await turn();
    assert.equal(outcome.calls, 1);
    assert.equal(outcome.error?.message, 'Request body is over http.maxBodyBytes (4)');
    assert.equal(request.listenerCount('data'), 0, 'no more of it is read');
    assert.equal(request.isPaused(), true);
    // Whoever answers may resume it (a body read and dropped): its end and a late error change nothing.
    request.on('data', () => {});
    request.resume();
    request.push(Buffer.from('more'));
    request.push(null);
    await turn();
    request.emit('error', new Error('late'));
    await turn();
    assert.equal(outcome.calls, 1);
    assert.equal(outcome.error?.message, 'Request body is over http.maxBodyBytes (4)');
  });

  it('passes on an error of the request', async () => {
    const request = standIn({ 'content-length': '5' });
    const outcome = reader(request, { maxBytes: 10 });
    request.emit('error', new Error('aborted'));
    await turn();
    assert.equal(outcome.calls, 1);
    assert.equal(outcome.error?.message, 'aborted');
  });

  it('refuses a body not complete by its deadline, and drops the deadline of one that is', async () => {
    const clock = new ManualClock(0);
    const deadlines = new Deadlines(clock, 1000);
    const slow = standIn({ 'content-length': '5' });
    const late = reader(slow, { maxBytes: 10, deadlines });
    const quick = standIn({ 'content-length': '2' });
    const inTime = reader(quick, { maxBytes: 10, deadlines });
    assert.equal(deadlines.size, 2);
    quick.push(Buffer.from('ok'));
    quick.push(null);
    await turn();
    assert.equal(inTime.body?.toString(), 'ok');
    assert.equal(deadlines.size, 1, 'the deadline of a body read in time is removed');
    clock.advance(1000);
    assert.equal(late.calls, 1);
    assert.ok(late.error instanceof MockwaveError);
    assert.equal(late.error.code, 'MW_HTTP_BODY_TIMEOUT');
    assert.equal(late.error.message, 'Request body not complete within http.bodyTimeout (1000 ms)');
    assert.equal(slow.listenerCount('data'), 0);
  });
});

describe('hasBody and bodyPending', () => {
  it('a body is declared by a length over zero or by chunks', () => {
    assert.equal(hasBody(standIn({})), false);
    assert.equal(hasBody(standIn({ 'content-length': '0' })), false);
    assert.equal(hasBody(standIn({ 'content-length': '1' })), true);
    assert.equal(hasBody(standIn({ 'transfer-encoding': 'chunked' })), true);
  });

  it('is pending while a declared body has not all arrived', () => {
    assert.equal(bodyPending(standIn({ 'content-length': '1' }, false)), true);
    assert.equal(bodyPending(standIn({ 'content-length': '1' }, true)), false);
    assert.equal(bodyPending(standIn({}, false)), false);
  });
});

describe('skipBody', () => {
  it('drops a chunked body that has all arrived, keeping the connection', () => {
    const request = standIn({ 'transfer-encoding': 'chunked' }, true);
    request.pause();
    const headers: Record<string, string> = {};
    const response = { headersSent: false, setHeader: (name: string, value: string) => void (headers[name] = value) } as unknown as ServerResponse;
    skipBody(request, response);
    assert.equal(request.isPaused(), false, 'read and dropped');
    assert.deepEqual(headers, {});
  });
});

describe('a body nobody reads, on a real server', () => {
  let server: Server;
  let port: number;
  let closeAfterHeadersFailed: unknown;
  let endedAfterLateClose: Promise<boolean> | undefined;
  before(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (request.url === '/late-close') {
        // The answer's head is out before the body is given up on: the connection still closes.
        response.writeHead(200, { 'content-type': 'text/plain' });
        try {
          closeAfterAnswer(request, response);
        } catch (error) {
          closeAfterHeadersFailed = error;
        }
        endedAfterLateClose = new Promise((resolve) => response.once('finish', () => setImmediate(() => resolve(request.socket.writableEnded))));
        response.end('late');
        return;
      }
      skipBody(request, response);
      response.end('answered');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Sends `head` (and `body`), and resolves with what came back once the socket closes or two answers came. */
  function exchange(head: string, body: Buffer | undefined, second: boolean): Promise<{ text: string; closed: boolean }> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect(port, '127.0.0.1');
      let text = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no end within 10 s; got ${JSON.stringify(text.slice(0, 300))}`));
      }, 10_000);
      const finish = (closed: boolean) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ text, closed });
      };
      socket.on('data', (data) => {
        text += data.toString('latin1');
        if (second && text.split('answered').length === 3) finish(false);
      });
      socket.on('error', () => {});
      socket.on('close', () => finish(true));
      socket.write(head);
      if (body !== undefined) socket.write(body);
      if (second) socket.write(`GET /again HTTP/1.1\r\nhost: x\r\n\r\n`);
    });
  }

  it('reads and drops a body of 64 KiB, keeping the connection', async () => {
    const size = 64 * 1024;
    const { text, closed } = await exchange(`POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`, Buffer.alloc(size, 'a'), true);
    assert.equal(closed, false, text);
    assert.doesNotMatch(text, /connection: close/i);
  });

  it('closes the connection after answering a declared body over 64 KiB, whose rest it does not read', async () => {
    const size = 64 * 1024 + 1;
    const { text, closed } = await exchange(`POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`, undefined, false);
    assert.equal(closed, true);
    assert.match(text, /connection: close/i);
    assert.equal(text.split('answered').length, 2, 'one answer');
  });

  it('does not read an endless chunked body: the connection closes while the client still has much to send', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const chunk = Buffer.from(`${(64 * 1024).toString(16)}\r\n${'x'.repeat(64 * 1024)}\r\n`);
    const limit = 256 * 1024 * 1024;
    let sent = 0;
    const closed = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not closed within 15 s after ${sent} bytes`)), 15_000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(sent);
      });
    });
    const pump = () => {
      while (!socket.destroyed && sent < limit) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    socket.write('POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n', pump);
    const at = await closed;
    assert.ok(at < limit, `the server read the whole ${limit} bytes`);
  });

  it('can close a connection whose answer has already begun', async () => {
    const { text, closed } = await exchange(`POST /late-close HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n`, undefined, false);
    assert.equal(closeAfterHeadersFailed, undefined);
    assert.equal(await endedAfterLateClose, true, 'our side ended once the answer was written');
    assert.equal(closed, true);
    assert.match(text, /late/);
  });
});
