import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, ManualClock } from '../../src/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

describe('templates and rules through a real server', () => {
  it('the trading example from the issue works verbatim (examples/trading.yaml)', async () => {
    const { config } = loadConfig({ cwd: ROOT, env: {}, configFile: 'examples/trading.yaml' });
    const { ws } = await startServer({ ...config, host: '127.0.0.1', port: 0, log: { level: 'silent' } });
    const client = await wsConnect(ws('/trading'));
    const quotes: { type: string; symbol: string; price: number; at: string }[] = [];
    while (quotes.length < 3) quotes.push(await client.next(2000));
    for (const quote of quotes) {
      assert.equal(quote.type, 'quote');
      assert.ok(['AAPL', 'MSFT', 'GOOG'].includes(quote.symbol));
      assert.equal(typeof quote.price, 'number');
      assert.match(quote.at, /Z$/);
    }
    for (let i = 1; i < quotes.length; i++) assert.ok(Math.abs(quotes[i]!.price - quotes[i - 1]!.price) <= 0.5 + 1e-9, 'the price drifts by small steps');

    const sent = Date.now();
    client.send({ type: 'order', side: 'buy', symbol: 'MSFT', qty: 10 });
    const ack = await client.nextOfType<{ orderId: string; symbol: string; qty: number }>('order_ack');
    assert.match(ack.orderId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(ack.symbol, 'MSFT');
    assert.equal(ack.qty, 10, 'a single expression keeps its type');
    const fill = await client.nextOfType<{ symbol: string; qty: number; price: number }>('fill');
    // The server cannot send the fill sooner than 100 ms after it got the order, which was after we sent it.
    assert.ok(Date.now() - sent >= 95, `the fill waits for the delay (${Date.now() - sent} ms)`);
    assert.deepEqual([fill.symbol, fill.qty], ['MSFT', 10]);
    assert.ok(fill.price >= 99 && fill.price <= 101);

    client.send({ type: 'order', side: 'sell', symbol: 'X', qty: 1 });
    client.send({ type: 'logout' });
    assert.deepEqual(await client.closed(), { code: 4001, reason: 'logged out' });
  });

  it('a condition filters a shared tick per subscriber, by the params it subscribed with', async () => {
    const clock = new ManualClock();
    const { ws } = await startServer(
      {
        websocket: { heartbeatInterval: 0 },
        endpoints: [{ path: '/ws', streams: [{ name: 'ticker', interval: 100, data: { symbol: "{{seq 'AAPL' 'MSFT'}}", n: '{{counter}}' }, condition: 'eq data.symbol params.symbol' }] }],
      },
      { clock },
    );
    const [apple, micro, none] = await Promise.all([wsConnect(ws()), wsConnect(ws()), wsConnect(ws())]);
    apple!.send({ type: 'subscribe', event: 'ticker', params: { symbol: 'AAPL' } });
    micro!.send({ type: 'subscribe', event: 'ticker', params: { symbol: 'MSFT' } });
    none!.send({ type: 'subscribe', event: 'ticker' });
    for (const c of [apple!, micro!, none!]) await c.nextOfType('subscribed');
    // Snapshots obey the condition too: the first render is AAPL.
    assert.equal((await apple!.nextOfType<{ data: { symbol: string } }>('event')).data.symbol, 'AAPL');
    clock.advance(400);
    const got = async (c: typeof apple) => (await c!.drain<{ data: { symbol: string } }>()).map((e) => e.data.symbol);
    assert.deepEqual(await got(apple), ['AAPL', 'AAPL']);
    assert.deepEqual(await got(micro), ['MSFT', 'MSFT']);
    assert.deepEqual(await got(none), [], 'no params: the condition is false');
    await Promise.all([apple!.close(), micro!.close(), none!.close()]);
  });

  it('onConnect greets, waits, and closes with a code', async () => {
    const { ws } = await startServer({
      endpoints: [{ path: '/unfriendly', dialect: 'raw', onConnect: [{ reply: { hello: '{{client.query.user}}' } }, { delay: 50 }, { close: { code: 4000, reason: 'go away' } }] }],
    });
    const client = await wsConnect(ws('/unfriendly?user=ada'));
    assert.deepEqual(await client.next(), { hello: 'ada' });
    assert.deepEqual(await client.closed(), { code: 4000, reason: 'go away' });
  });

  it('rules come before the dialect; unmatched messages still get the guide\'s errors', async () => {
    const { ws } = await startServer({
      endpoints: [{ path: '/ws', streams: [{ name: 'news', data: { n: 1 } }], rules: [{ when: { type: 'hello' }, then: [{ reply: { type: 'hi', at: '{{now}}' } }, { publish: 'news' }] }] }],
    });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'news' });
    await client.nextOfType('subscribed');
    await client.nextOfType('event');
    client.send({ type: 'hello' });
    assert.equal((await client.next())['type'], 'hi');
    assert.deepEqual((await client.next())['data'], { n: 1 }, 'publish reached the subscriber');
    client.send({ type: 'nope' });
    assert.match(String((await client.next())['error']), /^Unknown message type: nope/);
    await client.close();
  });

  it('{{messageText}} echoes the exact text; {{message}} is the JSON re-serialised', async () => {
    const { ws } = await startServer({
      endpoints: [{ path: '/echo', dialect: 'raw', rules: [{ when: { text: '^' }, then: [{ reply: '{{messageText}}' }, { reply: '{{json message}}' }] }] }],
    });
    const client = await wsConnect(ws('/echo'));
    for (const text of ['{"a": 1}', '{"n": 1.0, "s": "quoted"}', 'plain text']) {
      client.send(text);
      assert.equal((await client.nextRaw()).text, text, 'exact');
      assert.equal((await client.nextRaw()).text, text.startsWith('{') ? JSON.stringify(JSON.parse(text)) : JSON.stringify(text));
    }
    await client.close();
  });
});
