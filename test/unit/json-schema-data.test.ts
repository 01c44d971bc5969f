import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSchemaSampler, NoValidSample, validatorFor } from '../../src/data/json-schema.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const sampler = (schema: unknown, examples?: unknown[], seed = 3) => createSchemaSampler({ schema, examples, seed, now: () => NOW, label: 't' });

describe('payloads from JSON Schema', () => {
  it('steers open fields to realistic values by their names, and stays valid', () => {
    const schema = {
      type: 'object',
      required: ['price', 'symbol', 'timestamp', 'email', 'qty', 'orderId'],
      properties: { price: { type: 'number' }, symbol: { type: 'string' }, timestamp: { type: 'string' }, email: { type: 'string' }, qty: { type: 'integer' }, orderId: { type: 'string' } },
    };
    const s = sampler(schema);
    for (let i = 0; i < 50; i++) {
      const value = s.next() as { price: number; symbol: string; timestamp: string; email: string; qty: number; orderId: string };
      assert.equal(validatorFor(schema)(value), undefined);
      assert.ok(value.price >= 1 && value.price <= 10_000, `price ${value.price}`);
      assert.match(value.symbol, /^(BTC\/USD|ETH\/USD|XBT\/EUR|AAPL|MSFT|GOOG|btcusd|ethusd)$/);
      assert.equal(value.timestamp, new Date(NOW).toISOString());
      assert.match(value.email, /^[^@\s]+@[^@\s]+\.[a-z]+$/i);
      assert.ok(Number.isInteger(value.qty) && value.qty >= 0 && value.qty <= 1000);
      assert.match(value.orderId, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
    assert.deepEqual(s.warnings, []);
  });

  it('never narrows past what the schema says: bounds, enums, patterns and const win over names', () => {
    const schema = { type: 'object', required: ['price', 'symbol', 'kind'], properties: { price: { type: 'number', minimum: 5, maximum: 6 }, symbol: { type: 'string', pattern: '^Z{3}$' }, kind: { const: 'quote' } } };
    const s = sampler(schema);
    for (let i = 0; i < 30; i++) {
      const value = s.next() as { price: number; symbol: string; kind: string };
      assert.ok(value.price >= 5 && value.price <= 6);
      assert.equal(value.symbol, 'ZZZ');
      assert.equal(value.kind, 'quote');
    }
  });

  it('always includes single-valued fields (discriminators), cycles valid examples and reports invalid ones', () => {
    const schema = { type: 'object', properties: { event: { const: 'pong' }, reqid: { type: 'integer' } } };
    for (let i = 0; i < 20; i++) assert.equal((sampler(schema, undefined, i).next() as { event: string }).event, 'pong');
    const withExamples = sampler(schema, [{ event: 'pong', reqid: 1 }, { event: 'ping' }, { event: 'pong', reqid: 2 }]);
    assert.deepEqual([withExamples.next(), withExamples.next(), withExamples.next()], [{ event: 'pong', reqid: 1 }, { event: 'pong', reqid: 2 }, { event: 'pong', reqid: 1 }]);
    assert.match(withExamples.warnings[0] ?? '', /^t: example 2 does not match its schema \(\/event must be equal to constant\)/);
  });

  it('is reproducible for a seed', () => {
    const schema = { type: 'object', required: ['a', 'b'], properties: { a: { type: 'integer' }, b: { type: 'string' } } };
    assert.deepEqual([sampler(schema, undefined, 9).next(), sampler(schema, undefined, 9).next()], [sampler(schema, undefined, 9).next(), sampler(schema, undefined, 9).next()]);
  });

  it('a schema that cannot be compiled or satisfied gives warnings and NoValidSample, never a made-up value', () => {
    const s = sampler({ type: 'object', required: ['b'], properties: { b: { type: 'wrong' } } });
    assert.throws(() => s.next(), (error: Error) => error instanceof NoValidSample && /cannot generate data for this schema/.test(error.message));
    assert.ok(s.warnings.some((w) => /^t: the schema cannot be compiled/.test(w)));
    assert.ok(s.warnings.some((w) => /^t: cannot generate data for this schema \(unknown primitive wrong/.test(w)));
  });

  it('cycled examples move forward: sequences count up, times are now, UUIDs are fresh; the schema still holds', () => {
    let now = NOW;
    const schema = {
      type: 'object',
      properties: { socket_sequence: { type: 'integer' }, timestamp: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, id: { type: 'string', format: 'uuid' }, ts: { type: 'string' }, price: { type: 'string' } },
    };
    const examples = [
      { socket_sequence: 661, timestamp: 1609459200, at: '2021-01-01T00:00:00Z', id: '0b1a7c2e-4d5f-4a6b-8c7d-9e0f1a2b3c4d', ts: '1609459200.000100', price: '100.5' },
      { socket_sequence: 1656, timestamp: 1609459260, at: '2021-01-01T00:01:00Z', id: '1b1a7c2e-4d5f-4a6b-8c7d-9e0f1a2b3c4d', ts: '1609459260.000200', price: '101.5' },
    ];
    const s = createSchemaSampler({ schema, examples, seed: 5, now: () => now, label: 't' });
    const sent = Array.from({ length: 5 }, () => {
      now += 1000;
      return s.next() as Record<string, unknown>;
    });
    assert.deepEqual(sent.map((m) => m['socket_sequence']), [661, 662, 663, 664, 665]);
    assert.deepEqual(sent.map((m) => m['timestamp']), [1, 2, 3, 4, 5].map((i) => Math.floor((NOW + i * 1000) / 1000)));
    assert.deepEqual(sent.map((m) => m['at']), [1, 2, 3, 4, 5].map((i) => new Date(NOW + i * 1000).toISOString()));
    assert.equal(new Set(sent.map((m) => m['id'])).size, 5, 'a fresh id each time');
    for (const m of sent) {
      assert.equal(validatorFor(schema)(m), undefined);
      assert.match(String(m['ts']), /^\d{10}\.\d{6}$/);
      assert.ok(Number(m['ts']) >= NOW / 1000, 'Slack-style ts is now');
    }
    assert.deepEqual(sent.map((m) => m['price']), ['100.5', '101.5', '100.5', '101.5', '100.5'], 'example values that are not moving fields are kept');
  });

  it('generated prices walk in small steps and generated times never go backwards', () => {
    let now = NOW;
    const schema = { type: 'object', required: ['price', 'time'], properties: { price: { type: 'number' }, time: { type: 'integer' } } };
    const s = createSchemaSampler({ schema, seed: 9, now: () => now, label: 't' });
    const sent = Array.from({ length: 200 }, () => {
      now += 10;
      return s.next() as { price: number; time: number };
    });
    for (let i = 1; i < sent.length; i++) {
      const [a, b] = [sent[i - 1]!, sent[i]!];
      assert.ok(Math.abs(b.price - a.price) <= a.price * 0.0051 + 0.01, `price ${a.price} -> ${b.price}`);
      assert.ok(b.time >= a.time, `time ${a.time} -> ${b.time}`);
    }
  });

  it('generated ts and created look like their kind: Slack-style text and epoch seconds, now', () => {
    const schema = { type: 'object', required: ['ts', 'created'], properties: { ts: { type: 'string' }, created: { type: 'integer' } } };
    const s = sampler(schema);
    for (let i = 0; i < 10; i++) {
      const value = s.next() as { ts: string; created: number };
      assert.match(value.ts, /^1\d{9}\.\d{6}$/);
      assert.ok(Math.abs(Number(value.ts) - NOW / 1000) < 2, `ts ${value.ts}`);
      assert.equal(value.created, Math.floor(NOW / 1000));
    }
  });
});
