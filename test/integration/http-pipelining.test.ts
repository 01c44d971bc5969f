/**
 * Many connections pipelining requests at once: what the server holds stays bounded, and every answer still
 * comes, in order. Each connection's first read is some 1,600 GETs that Node's parser turns into request and
 * answer objects before any guard can pause the socket; held for later turns on every connection at once,
 * they were 520 MB for 500 connections (`src/transport/http-connections.ts`). The figure read here is Node's
 * own: requests parsed (`http.server.request.start`) minus answers finished (`http.server.response.finish`), at
 * its highest, which is what the server holds of them.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import diagnostics from 'node:diagnostics_channel';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { MAX_ACTIVE_PER_CONNECTION, MAX_WAITING_REQUESTS } from '../../src/transport/constants.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

const SOCKETS = 40;
/** A little over what one 64 KiB read holds of these GETs (1,638), so that each connection's answers (some 300 KB) fit in the kernel's buffers. */
const PER_SOCKET = 1700;
const ROUTES = { routes: [{ method: 'GET', path: '/ping', then: [{ respond: { body: 'pong' } }] }] };

/** The requests the server holds at once (parsed, answer not finished), and at most. */
function holding(): { parsed: number; held: number; peak: number } {
  const figures = { parsed: 0, held: 0, peak: 0 };
  const onStart = (): void => {
    figures.parsed += 1;
    figures.held += 1;
    if (figures.held > figures.peak) figures.peak = figures.held;
  };
  const onFinish = (): void => {
    figures.held -= 1;
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  after(() => {
    diagnostics.unsubscribe('http.server.request.start', onStart);
    diagnostics.unsubscribe('http.server.response.finish', onFinish);
  });
  return figures;
}

/** `count` raw connections, connected. */
async function connections(port: number, count: number): Promise<Socket[]> {
  const sockets = Array.from({ length: count }, () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    return socket;
  });
  await Promise.all(sockets.map((socket) => once(socket, 'connect')));
  return sockets;
}

describe('many connections pipelining at once', () => {
  it(`that never read: the server holds about ${MAX_WAITING_REQUESTS} waiting requests and a read, not a read per connection`, async () => {
    const { info, http } = await startServer({ http: ROUTES });
    const figures = holding();
    const sockets = await connections(info.port, SOCKETS);
    for (const socket of sockets) socket.pause();
    const requests = Buffer.from('GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(PER_SOCKET));
    // All at once: the server finds every connection readable in the same turn.
    for (const socket of sockets) socket.write(requests);
    // Settled: the same count half a second apart (bounded by 30 s).
    for (let seen = -1, round = 0; figures.parsed !== seen && round < 60; round++) {
      seen = figures.parsed;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const answer = await fetch(http('/ping'), { signal: AbortSignal.timeout(10_000) });
    assert.equal(await answer.text(), 'pong');
    // Every connection's first read at least was parsed: the bound is not met by reading little.
    assert.ok(figures.parsed >= SOCKETS * 1600, `the server parsed only ${figures.parsed} requests`);
    // Without the server-wide bound: ~1,638 per connection at once (65,000); with it, the bound, the read that
    // went over it, and the few being answered on each connection (a margin of two reads for connections
    // whose kernel buffers filled, which Node holds as bare node:http does).
    const bound = MAX_WAITING_REQUESTS + 3 * PER_SOCKET + SOCKETS * MAX_ACTIVE_PER_CONNECTION;
    assert.ok(figures.peak <= bound, `the server held ${figures.peak} requests at once (bound ${bound}; ${figures.parsed} parsed)`);
    for (const socket of sockets) socket.destroy();
  });

  it('that read: each gets every answer, in order', async () => {
    const { info } = await startServer({ http: { routes: [{ method: 'GET', path: '/n', then: [{ respond: { body: 'n={{request.query.i}};' } }] }] } });
    const figures = holding();
    const sockets = await connections(info.port, SOCKETS);
    const answers = sockets.map(() => '');
    sockets.forEach((socket, s) => socket.on('data', (chunk: Buffer) => (answers[s] += chunk.toString())));
    const requests = Array.from({ length: PER_SOCKET }, (_, i) => `GET /n?i=${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join('');
    for (const socket of sockets) socket.write(requests);
    await waitUntil(() => answers.every((answer) => answer.includes(`n=${PER_SOCKET - 1};`)), 60_000, 'every answer on every connection').catch((e) => { console.log(answers.map((a) => (a.match(/n=\d+;/g) ?? []).length).join(' ')); throw e; });
    const expected = Array.from({ length: PER_SOCKET }, (_, i) => i);
    for (const answer of answers) assert.deepEqual([...answer.matchAll(/n=(\d+);/g)].map((m) => Number(m[1])), expected);
    // The same bound as above: these reads came in at once too (this route's GETs are longer: fewer per read).
    const bound = MAX_WAITING_REQUESTS + 3 * PER_SOCKET + SOCKETS * MAX_ACTIVE_PER_CONNECTION;
    assert.ok(figures.peak <= bound, `the server held ${figures.peak} requests at once (bound ${bound})`);
    for (const socket of sockets) socket.destroy();
  });
});
