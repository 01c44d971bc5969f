/**
 * A journal slice saved as recordings (src/journal/export.ts, src/server/journal-export.ts): the files read
 * back as the recording formats, secrets masked, and `recording to-config` makes of them a configuration
 * whose server answers as the recorded one did: a test run turned into a mock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { toConfig } from '../../src/cli/replay.ts';
import { readRecording } from '../../src/recording/format.ts';
import { readHttpRecording } from '../../src/recording/http-format.ts';
import type { MockwaveConfigInput } from '../../src/index.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const recorded: MockwaveConfigInput = {
  journal: { enabled: true },
  endpoints: [{ path: '/orders', dialect: 'raw', rules: [{ name: 'accept', when: { type: 'order' }, then: [{ reply: { type: 'accepted', id: '{{message.id}}' } }] }] }],
  http: { routes: [{ name: 'order', method: 'GET', path: '/api/orders/:id', then: [{ respond: { body: { id: '{{request.params.id}}', status: 'paid' } } }] }] },
};

/** One client's order over WebSocket and one HTTP request, as a test would drive them. */
async function drive(ws: (path: string) => string, http: (path: string) => string, scope: string): Promise<string> {
  const client = await wsConnect(ws(`/orders?scope=${scope}`));
  client.send({ type: 'order', id: 3 });
  assert.deepEqual(await client.next(), { type: 'accepted', id: 3 });
  await client.close();
  const answer = await fetch(http('/api/orders/3?apiKey=k-123'), { headers: { authorization: 'Bearer secret-9', 'x-mockwave-scope': scope }, signal: AbortSignal.timeout(5000) });
  assert.deepEqual(await answer.json(), { id: '3', status: 'paid' });
  return scope;
}

describe('the journal saved as recordings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockwave-journal-export-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('saveJournal writes a session per WebSocket client and the HTTP exchanges; to-config makes a mock that answers the same', async () => {
    const { ws, http, server } = await startServer(recorded);
    await drive(ws, http, 'mine');
    await drive(ws, http, 'theirs');
    await waitUntil(() => server.journal({ scope: 'mine', kind: 'close' }).entries.length === 1, 5000, 'the close journaled');
    const files = await server.saveJournal(join(dir, 'mine'), { scope: 'mine' });
    assert.equal(files.length, 2, 'one session, one HTTP file: the other scope is left out');
    const session = readRecording(files.find((f) => /ws-/.test(f)) as string);
    assert.equal(session.session.path, '/orders?scope=mine', 'the path and query the client asked for');
    assert.deepEqual(session.events.map((e) => (e.kind === 'frame' ? `${e.from} ${e.data}` : `close ${e.code}`)), ['client {"type":"order","id":3}', 'upstream {"type":"accepted","id":3}', 'close 1005']);
    const exchanges = readHttpRecording(files.find((f) => f.endsWith('http.jsonl')) as string).exchanges;
    assert.equal(exchanges.length, 1);
    assert.deepEqual([exchanges[0]?.request.path, exchanges[0]?.request.query, exchanges[0]?.request.headers['authorization']], ['/api/orders/3', { apiKey: '***' }, '***']);
    assert.doesNotMatch(JSON.stringify(exchanges), /secret-9|k-123/);

    const { yaml } = toConfig([join(dir, 'mine')]);
    const mock = await startServer(parse(yaml) as MockwaveConfigInput);
    const client = await wsConnect(mock.ws('/orders'));
    client.send({ type: 'order', id: 3 });
    assert.deepEqual(await client.next(), { type: 'accepted', id: 3 }, 'the mock made from the journal answers as the recorded server did');
    await client.close();
    const again = await fetch(mock.http('/api/orders/3'), { signal: AbortSignal.timeout(5000) });
    assert.deepEqual(await again.json(), { id: '3', status: 'paid' });
  });

  it('GET /admin/journal/export answers one file: a client\'s session, or the HTTP exchanges; 400 without a client', async () => {
    const { ws, http, server } = await startServer(recorded);
    await drive(ws, http, 'one');
    await waitUntil(() => server.journal({ kind: 'close' }).entries.length === 1, 5000, 'the close journaled');
    const client = server.journal({ kind: 'open' }).entries[0]?.client as string;
    const session = await fetch(http(`/admin/journal/export?client=${client}`), { signal: AbortSignal.timeout(5000) });
    assert.equal(session.status, 200);
    assert.equal(session.headers.get('content-type'), 'application/x-ndjson');
    assert.match(session.headers.get('content-disposition') ?? '', new RegExp(`filename="ws-${client}.jsonl"`));
    const lines = (await session.text()).trim().split('\n').map((line) => JSON.parse(line) as { kind: string });
    assert.deepEqual(lines.map((l) => l.kind), ['session', 'frame', 'frame', 'close']);
    const exchanges = await fetch(http('/admin/journal/export?protocol=http'), { signal: AbortSignal.timeout(5000) });
    assert.deepEqual((await exchanges.text()).trim().split('\n').map((line) => (JSON.parse(line) as { kind: string }).kind), ['http', 'exchange']);
    const refused = await fetch(http('/admin/journal/export'), { signal: AbortSignal.timeout(5000) });
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.deepEqual([refused.status, body.error.code], [400, 'MW_BAD_REQUEST']);
    assert.match(body.error.message, /client=<id>/);
    const unknown = await fetch(http('/admin/journal/export?client=client-nobody'), { signal: AbortSignal.timeout(5000) });
    assert.equal(unknown.status, 400);
  });
});
