/**
 * The HTTP route's `fault` step (issue 31: an answer that goes wrong on purpose): a reset with no answer, a
 * body cut short after its whole length was declared, a body that trickles a chunk at a time on the server's
 * clock and then breaks off. Real server on port 0, node:http and fetch as clients.
 */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/index.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

/** What a GET read: status, declared length, the bytes that came, and how it ended. */
function read(url: string): Promise<{ status: number | undefined; length: string | undefined; bytes: number; ended: string; chunks: string[] }> {
  return new Promise((resolve) => {
    const chunks: string[] = [];
    const request = get(url, (response) => {
      response.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
      const done = (ended: string) => () => resolve({ status: response.statusCode, length: response.headers['content-length'], bytes: chunks.join('').length, ended, chunks });
      response.once('end', done('the whole body'));
      response.once('aborted', done('broken off'));
      response.once('error', done('broken off'));
    });
    request.once('error', (error: NodeJS.ErrnoException) => resolve({ status: undefined, length: undefined, bytes: 0, ended: error.code ?? error.message, chunks }));
  });
}

describe('the fault step', () => {
  it('a reset answers nothing: the client sees ECONNRESET, the request is counted 444, the server goes on', async () => {
    const { http } = await startServer({ http: { routes: [{ name: 'down', path: '/down', then: [{ fault: 'reset' }] }, { name: 'up', path: '/up', then: [{ respond: { body: 'up' } }] }] } });
    // On a raw socket: a reset fails it with ECONNRESET, where a plain close would be an orderly end.
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(http('/')).port) });
    socket.write('GET /down HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const ended = await new Promise<string>((resolve) => {
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.once('data', (data: Buffer) => resolve(`an answer: ${data.toString().split('\r\n')[0]}`));
      socket.once('end', () => resolve('an orderly end'));
    });
    assert.equal(ended, 'ECONNRESET');
    assert.equal(await (await fetch(http('/up'))).text(), 'up');
    const routes = (await (await fetch(http('/admin/http/routes'))).json()) as { data: { recent: { route?: string; status: number }[] } };
    assert.equal(routes.data.recent.find((r) => r.route === 'down')?.status, 444);
  });

  // (Ending the answer after the part instead of closing the connection is the same on the wire: Node closes a
  // connection whose answer ends short of its declared length.)
  it('a body cut short: its whole length declared, the first bytes sent, then the connection closed', async () => {
    const { http } = await startServer({ http: { routes: [{ path: '/cut', then: [{ fault: { status: 200, body: '{"items":[1,2,3,4,5,6,7,8,9]}', cutAfter: 10 } }] }] } });
    const got = await read(http('/cut'));
    assert.deepEqual([got.status, got.length, got.bytes, got.ended, got.chunks.join('')], [200, '29', 10, 'broken off', '{"items":[']);
  });

  it('a body that trickles a chunk every `every` ms on the server clock, then breaks off after `for`', async () => {
    const clock = new ManualClock();
    const { http } = await startServer({ http: { routes: [{ path: '/slow', then: [{ fault: { status: 200, trickle: { chunk: 'x', every: 1000, for: 3000 } } }] }] } }, { clock });
    let received = '';
    let ended = '';
    const request = get(http('/slow'), (response) => {
      response.on('data', (chunk: Buffer) => (received += chunk.toString()));
      response.once('end', () => (ended = 'the whole body'));
      response.once('aborted', () => (ended = 'broken off'));
      response.once('error', () => (ended = 'broken off'));
    });
    request.once('error', () => (ended = 'request failed'));
    // Each chunk waits for the clock: one at 0 s, one at 1 s, one at 2 s; at 3 s the answer breaks off.
    for (const want of ['x', 'xx', 'xxx']) {
      await waitUntil(() => received === want, 5000, `${want.length} chunk(s)`);
      clock.advance(1000);
    }
    await waitUntil(() => ended !== '', 5000, 'the end of the answer');
    assert.deepEqual([received, ended], ['xxx', 'broken off']);
  });

  it('refuses a fault that says no way or two, or a cut past the body', async () => {
    const problems = async (fault: unknown): Promise<string> => {
      const { http } = await startServer({});
      const answer = await fetch(http('/admin/http/routes'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/x', then: [{ fault }] }) });
      assert.equal(answer.status, 400);
      return ((await answer.json()) as { error: { message: string } }).error.message;
    };
    assert.match(await problems({ status: 500 }), /say one way: reset, cutAfter \(with a body\), or trickle/);
    assert.match(await problems({ reset: true, cutAfter: 1, body: 'abc' }), /say one way/);
    assert.match(await problems({ body: 'abc', cutAfter: 3 }), /cutAfter must be under the body's 3 bytes/);
  });
});
