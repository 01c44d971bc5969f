import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { captureLog } from '../helpers/log-capture.ts';
import { startServer, tickerEndpoint } from '../helpers/server.ts';
import { deadPort } from '../helpers/upstream.ts';
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

  it('counts each rule\'s hits, and refusals from every path: a proxy upstream that is down is a counted, logged 502', async () => {
    const down = await deadPort();
    const log = captureLog('info');
    const { ws, http, server } = await startServer(
      {
        endpoints: [{ path: '/ws', rules: [{ name: 'greet', when: { type: 'hello' }, then: [{ reply: 'hi' }] }, { when: { type: 'bye' }, then: [{ reply: 'ciao' }] }] }],
        proxy: { enabled: true, routes: [{ name: 'down', url: `ws://127.0.0.1:${down}` }] },
      },
      { logger: log.logger },
    );
    const client = await wsConnect(ws());
    for (const type of ['hello', 'hello', 'bye']) {
      client.send({ type });
      await client.nextRaw();
    }
    // Offering a subprotocol makes the proxy open the upstream before answering the handshake: 502 if it cannot.
    await assert.rejects(wsConnect(ws('/ws/proxy/down'), { protocols: ['v1'] }), (error: { status?: number }) => error.status === 502);
    assert.deepEqual(server.stats().endpoints[0]?.rules, [
      { name: 'greet', explain: 'when {"type":"hello"} then reply "hi"', hits: 2, failures: 0 },
      { name: 'rules[1]', explain: 'when {"type":"bye"} then reply "ciao"', hits: 1, failures: 0 },
    ]);
    const families = new Map(parsePrometheusTextFormat(await (await fetch(http('/metrics'))).text()).map((f) => [f.name, f]));
    const sample = (name: string, labels: Record<string, string>): number => Number(families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);
    assert.equal(sample('mockwave_rule_hits_total', { endpoint: '/ws', rule: 'greet' }), 2);
    assert.equal(sample('mockwave_handshake_rejections_total', { reason: 'MW_PROXY_UPSTREAM_FAILED' }), 1);
    assert.match(await log.waitFor(/Refused \/ws\/proxy\/down/), /from 127\.0\.0\.1: Proxy route down failed: .*ECONNREFUSED.* \[MW_PROXY_UPSTREAM_FAILED 502\]/);
    await client.close();
  });
});
