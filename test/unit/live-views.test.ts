/**
 * The dashboard's live views on a real node:http server (the snapshot's content does not matter here): the snapshot is built once per interval for all
 * readers together, a reader that stops reading is skipped and then disconnected, and the cap holds.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { LiveViews, type LiveSource } from '../../src/admin/live.ts';
import type { LiveSnapshot } from '../../src/admin/snapshot.ts';
import { createRedactor } from '../../src/security/redact.ts';
import { isMockwaveError } from '../../src/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { Journal } from '../../src/journal/index.ts';
import { waitUntil } from '../helpers/wait.ts';

async function serve(live: LiveViews, view: (response: ServerResponse) => void = (response) => live.snapshots(response)): Promise<number> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    try {
      view(response);
    } catch (error) {
      response.writeHead(isMockwaveError(error) ? (error.httpStatus ?? 500) : 500).end(String((error as Error).message));
    }
    request.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

/** A reader on a bare socket: counts snapshot events it reads, or stops reading altogether. */
function reader(port: number): { socket: Socket; events: () => number; text: () => string } {
  const socket = connect({ port, host: '127.0.0.1' }, () => socket.write('GET /admin/live HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  after(() => socket.destroy());
  return { socket, events: () => text.split('event: snapshot').length - 1, text: () => text };
}

describe('live views', () => {
  it('build one snapshot per interval for every reader together', async () => {
    let built = 0;
    const source: LiveSource = { snapshot: () => ({ n: ++built }) as unknown as LiveSnapshot, tap: () => () => undefined, redact: createRedactor(), now: () => Date.now() };
    const live = new LiveViews(source, { maxConnections: 50, snapshotMs: 50 });
    const port = await serve(live);
    const readers = Array.from({ length: 20 }, () => reader(port));
    await waitUntil(() => readers.every((r) => r.events() >= 6), 5000, 'six snapshots for every reader');
    // 20 readers x 6 snapshots, built at most once per 50 ms tick (plus the first reader's own).
    const ticks = Math.max(...readers.map((r) => r.events()));
    assert.ok(built <= ticks + 2, `built ${built} snapshots for ${ticks} ticks and 20 readers`);
  });

  it('run their rounds on the clock they are given: a snapshot per round, and none while the clock stands', async () => {
    let built = 0;
    const clock = new ManualClock();
    const source: LiveSource = { snapshot: () => ({ n: ++built }) as unknown as LiveSnapshot, tap: () => () => undefined, redact: createRedactor(), now: () => clock.now() };
    const live = new LiveViews(source, { maxConnections: 5, snapshotMs: 50, clock });
    const port = await serve(live);
    const readers = Array.from({ length: 3 }, () => reader(port));
    await waitUntil(() => readers.every((r) => r.events() === 1), 5000, 'the first snapshot for every reader');
    assert.equal(built, 1, 'readers arriving within the round share its snapshot');
    clock.advance(49);
    assert.equal(built, 1, 'no round before its time');
    clock.advance(1);
    assert.equal(built, 2);
    await waitUntil(() => readers.every((r) => r.events() === 2), 5000, 'the round\'s snapshot for every reader');
  });

  it('skip a reader that stops reading, then disconnect it; the cap is freed', async () => {
    const big = 'x'.repeat(300 * 1024);
    const source: LiveSource = { snapshot: () => ({ big }) as unknown as LiveSnapshot, tap: () => () => undefined, redact: createRedactor(), now: () => Date.now() };
    const live = new LiveViews(source, { maxConnections: 2, snapshotMs: 20, maxBehindBytes: 64 * 1024, maxBehindMs: 300 });
    const port = await serve(live);
    const stalled = reader(port);
    stalled.socket.pause();
    const healthy = reader(port);
    await waitUntil(() => live.open === 2, 2000, 'both readers open');
    const third = reader(port);
    await waitUntil(() => third.text().startsWith('HTTP/1.1 503'), 2000, 'the third reader to be refused');
    assert.match(third.text(), /dashboard\.maxLiveConnections/);
    await waitUntil(() => live.open === 1, 5000, 'the stalled reader to be disconnected');
    const before = healthy.events();
    await waitUntil(() => healthy.events() > before + 3, 2000, 'the healthy reader to keep getting snapshots');
    const fourth = reader(port);
    await waitUntil(() => fourth.events() > 0, 2000, 'a new reader in the freed slot');
  });

  it("a client's log from the journal: history, then the tail; its listener is removed when the reader leaves, or when it stays behind (its rows skipped, never piled up)", async () => {
    const journal = new Journal({ maxEntries: 10_000, maxBytes: 16 * 1024 * 1024 }, () => Date.now());
    const peer = { id: 'c1', endpoint: '/ws' };
    journal.open('websocket', peer, undefined);
    let listening = 0;
    const liveJournal = {
      keeps: () => true,
      endpointOf: () => '/ws',
      topics: () => [],
      entries: () => journal.entries(),
      listen: (listener: Parameters<Journal['listen']>[0]) => {
        listening += 1;
        const stop = journal.listen(listener);
        return () => {
          listening -= 1;
          stop();
        };
      },
    };
    const source: LiveSource = { snapshot: () => ({}) as LiveSnapshot, tap: () => () => undefined, redact: createRedactor(), now: () => Date.now(), liveJournal };
    const live = new LiveViews(source, { maxConnections: 5, maxBehindBytes: 16 * 1024, maxBehindMs: 300 });
    const port = await serve(live, (response) => live.clientLog('c1')(response));
    const log = reader(port);
    await waitUntil(() => log.text().includes('event: history'), 2000, 'the history');
    assert.match(log.text(), /"kind":"open"/);
    assert.equal(listening, 1);
    journal.message('websocket', peer, 'in', '{"type":"ping"}', false, undefined);
    await waitUntil(() => log.text().includes('event: messages'), 2000, 'the tail');
    log.socket.destroy();
    await waitUntil(() => listening === 0 && live.open === 0, 2000, 'the listener removed once the reader left');
    // A reader that stops reading while a client sends 4 KiB frames fast: skipped, then disconnected.
    const stalled = reader(port);
    await waitUntil(() => listening === 1, 2000, 'the stalled reader listening');
    stalled.socket.pause();
    const frame = JSON.stringify({ pad: 'x'.repeat(4000) });
    // Frames keep coming (paced, not timed: the loop ends as soon as the reader is gone, within 10 s).
    for (let round = 0; listening === 1 && round < 500; round += 1) {
      for (let i = 0; i < 50; i += 1) journal.message('websocket', peer, 'out', frame, false, undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitUntil(() => listening === 0 && live.open === 0, 5000, 'the stalled reader disconnected and its listener removed');
  });
});
