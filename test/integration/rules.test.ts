import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/index.ts';
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

    client.send({ type: 'order', side: 'buy', symbol: 'MSFT', qty: 10 });
    const ack = await client.nextOfType<{ orderId: string; symbol: string; qty: number }>('order_ack');
    assert.match(ack.orderId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(ack.symbol, 'MSFT');
    assert.equal(ack.qty, 10, 'a single expression keeps its type');
    const started = Date.now();
    const fill = await client.nextOfType<{ symbol: string; qty: number; price: number }>('fill');
    assert.ok(Date.now() - started >= 60, 'the fill waits for the delay');
    assert.deepEqual([fill.symbol, fill.qty], ['MSFT', 10]);
    assert.ok(fill.price >= 99 && fill.price <= 101);

    client.send({ type: 'order', side: 'sell', symbol: 'X', qty: 1 });
    client.send({ type: 'logout' });
    assert.deepEqual(await client.closed, { code: 4001, reason: 'logged out' });
  });
});
