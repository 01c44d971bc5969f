import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSchemaSampler, validatorFor } from '../../src/data/json-schema.ts';

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

  it('a schema that cannot be compiled or satisfied gives warnings, not a crash', () => {
    const s = sampler({ type: 'object', required: ['b'], properties: { b: { type: 'wrong' } } });
    assert.equal(s.next(), null);
    assert.ok(s.warnings.some((w) => /^t: the schema cannot be compiled/.test(w)));
    assert.ok(s.warnings.some((w) => /^t: cannot generate data for this schema \(unknown primitive wrong/.test(w)));
  });
});
