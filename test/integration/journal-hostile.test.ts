/**
 * What a client could send to get at the journal's readers (a cold review found both): a token carried as a
 * `bearer.<token>` subprotocol is masked wherever the connection's request is shown (the journal, an export),
 * and JSON nested too deeply to be written again is shown as its text, so a query, an export and the
 * dashboard's log all answer and the server stays up.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const get = async (url: string): Promise<{ status: number; text: string }> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
};

describe('the journal against a hostile client', () => {
  it('masks a token sent as a bearer subprotocol in the open entry and in an export', async () => {
    const { ws, http, server } = await startServer({ journal: { enabled: true }, auth: { enabled: true, tokens: ['tok-supersecret-1234'] }, endpoints: [{ path: '/ws', streams: [] }] });
    const client = await wsConnect(ws('/ws'), { protocols: ['bearer.tok-supersecret-1234'] });
    await client.nextOfType('connected');
    await waitUntil(() => server.journal({ kind: 'open' }).entries.length === 1, 5000, 'the open journaled');
    const open = server.journal({ kind: 'open' }).entries[0];
    assert.equal(open?.request?.headers['sec-websocket-protocol'], 'bearer.***');
    const auth = { headers: { authorization: 'Bearer tok-supersecret-1234' } };
    for (const path of [`/admin/journal?kind=open`, `/admin/journal/export?client=${open?.client ?? ''}`]) {
      const answer = await fetch(http(path), { ...auth, signal: AbortSignal.timeout(10_000) });
      assert.equal(answer.status, 200, path);
      assert.doesNotMatch(await answer.text(), /supersecret/, path);
    }
    await client.close();
  });

  it('answers a query, an export and the dashboard\'s log for a client that sent JSON 30,000 levels deep', async () => {
    const { ws, http, server } = await startServer({ journal: { enabled: true }, endpoints: [{ path: '/ws', dialect: 'raw' }] });
    const client = await wsConnect(ws('/ws'));
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    client.ws.send(deep);
    await waitUntil(() => server.journal({ kind: 'message', direction: 'in' }).entries.length === 1, 5000, 'the frame journaled');
    const id = server.journal({ kind: 'open' }).entries[0]?.client ?? '';
    const query = await get(http(`/admin/journal?client=${id}`));
    assert.equal(query.status, 200);
    assert.match(query.text, /"text":"\[\[\[/, 'shown as its text');
    assert.equal((await get(http(`/admin/journal/export?client=${id}`))).status, 200);
    const log = await fetch(http(`/admin/live/clients/${id}`), { signal: AbortSignal.timeout(10_000) });
    assert.equal(log.status, 200);
    await log.body?.cancel();
    assert.equal((await get(http('/admin/journal?limit=1'))).status, 200, 'the server is still up');
    await client.close();
  });
});
