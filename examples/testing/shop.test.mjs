// A test of a shop client with node:test and mockwave's library: start the mock from its config file, drive
// the client (log in over HTTP, order over WebSocket), then ask the journal what the client sent.
//
//   npm run build && node --test examples/testing/shop.test.mjs
//
// In your own project, `import { createMockServer, loadConfig } from 'mockwave'` after `npm i -D mockwave`;
// here the import resolves to this repository's build (a package may import itself by its name).
/* global fetch -- Node's own fetch (Node 18+) */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createMockServer, loadConfig } from 'mockwave';

const { config, baseDir } = loadConfig({ configFile: fileURLToPath(new URL('mockwave.yaml', import.meta.url)), env: {} });
const server = createMockServer({ ...config, port: 0, host: '127.0.0.1', log: { ...config.log, level: 'warn' } }, { baseDir });
let url;

before(async () => {
  ({ url } = await server.start());
});
after(() => server.stop());

/** The client under test: logs in, opens the feed, sends an order; resolves with the order's answer. */
async function placeOrder(base, scope, order) {
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mockwave-scope': scope }, body: JSON.stringify({ user: 'ada', password: 'lovelace' }) });
  const { token } = await login.json();
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?scope=${scope}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const answered = new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
  socket.send(JSON.stringify({ ...order, type: 'order', token }));
  const answer = await answered;
  socket.close();
  return answer;
}

describe('the shop client', () => {
  it('logs in, then sends the order it was given', async () => {
    await placeOrder(url, 'orders', { id: 'A-1', qty: 2 });
    // What the client sent: one login with the user's name, then the order over WebSocket, in that order.
    server.verify({ method: 'POST', path: '/api/login', body: { user: 'ada' } }, { scope: 'orders', count: 1 });
    server.verify([{ method: 'POST', path: '/api/login' }, { direction: 'in', message: { type: 'order', id: 'A-1', qty: 2 } }], { scope: 'orders' });
    // Secrets are masked in what the journal shows: the password never comes back.
    const [login] = server.journal({ scope: 'orders', protocol: 'http' }).entries;
    assert.equal(login.request.json.password, '***');
  });

  it('a verification of what the client did not send fails, naming the part that differs', async () => {
    await placeOrder(url, 'wrong-qty', { id: 'B-1', qty: 3 });
    assert.throws(
      () => server.verify({ direction: 'in', message: { type: 'order', qty: 2 } }, { scope: 'wrong-qty' }),
      (error) => error instanceof assert.AssertionError && /found 0/.test(error.message) && /message: expected \{"type":"order","qty":2\}, was \{"id":"B-1","qty":3,"type":"order","token":"\*\*\*"\}/.test(error.message),
    );
  });

  it('waits for what has not been sent yet', async () => {
    const arriving = server.waitFor({ direction: 'in', message: { type: 'order', id: 'C-1' } }, { scope: 'waiting', timeout: 5000 });
    await placeOrder(url, 'waiting', { id: 'C-1', qty: 1 });
    assert.equal((await arriving).json.qty, 1);
  });
});
