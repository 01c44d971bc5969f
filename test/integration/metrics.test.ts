import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startServer, tickerEndpoint } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

describe('GET /metrics', () => {
  it('exposes connections, messages, stream deliveries, refusals and event-loop lag in Prometheus text', async () => {
    const { ws, http, server } = await startServer({ endpoints: [tickerEndpoint] });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.send({ type: 'subscribe', event: 'news' });
    await client.nextOfType('event');
    server.publish('news');
    await client.nextOfType('event');
    client.send({ type: 'ping' });
    await client.nextOfType('pong');
    await assert.rejects(wsConnect(ws('/nowhere')));

    const response = await fetch(http('/metrics'));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const families = new Map(parsePrometheusTextFormat(await response.text()).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string> = {}): number => {
      const family = families.get(name);
      assert.ok(family !== undefined, `${name} is exported`);
      const sample = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      assert.ok(sample !== undefined, `${name} ${JSON.stringify(labels)}`);
      return Number(sample.value);
    };
    assert.equal(value('mockwave_connections', { endpoint: '/ws' }), 1);
    assert.equal(value('mockwave_messages_in_total', { endpoint: '/ws' }), 2);
    assert.equal(value('mockwave_messages_out_total', { endpoint: '/ws' }), 5, 'connected, subscribed, snapshot, published event, pong');
    assert.equal(value('mockwave_stream_messages_total', { endpoint: '/ws', stream: 'news' }), 1);
    assert.equal(value('mockwave_handshake_rejections_total', { reason: 'MW_UNKNOWN_ENDPOINT' }), 1);
    assert.equal(value('mockwave_proxy_connections'), 0);
    assert.ok(families.has('mockwave_nodejs_eventloop_lag_seconds'));

    await client.close();
    // Totals never go down when a client leaves.
    const after = parsePrometheusTextFormat(await (await fetch(http('/metrics'))).text());
    const messagesIn = after.find((f) => f.name === 'mockwave_messages_in_total')?.metrics[0]?.value;
    assert.equal(Number(messagesIn), 2);
  });
});
