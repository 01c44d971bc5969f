import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cerberusDialect } from '../../src/dialects/cerberus.ts';
import { Message } from '../../src/util/message.ts';

const decode = (text: string) => cerberusDialect.decode(Message.text(text));

describe('cerberus dialect', () => {
  it('reads subscribe, unsubscribe and heartbeat', () => {
    assert.deepEqual(decode('{"type":"subscribe","payload":{"topics":["alerts","metrics"]}}'), { kind: 'subscribe', topics: ['alerts', 'metrics'], wireType: 'subscribe' });
    assert.deepEqual(decode('{"type":"unsubscribe","payload":{"topics":["alerts"]}}'), { kind: 'unsubscribe', topics: ['alerts'], wireType: 'unsubscribe' });
    assert.deepEqual(decode('{"type":"heartbeat","payload":{"timestamp":1700000000000}}'), { kind: 'ping', wireType: 'heartbeat' });
    assert.deepEqual(decode('{"type":"heartbeat"}'), { kind: 'ping', wireType: 'heartbeat' });
  });

  const bad: [string, string, RegExp][] = [
    ['no payload', '{"type":"subscribe"}', /missing "payload"/],
    ['a payload that is a list', '{"type":"subscribe","payload":[]}', /"payload" must be an object, got an array/],
    ['topics that are not a list', '{"type":"subscribe","payload":{"topics":"alerts"}}', /"payload.topics" must be an array of topic names, got a string/],
    ['no topics at all', '{"type":"subscribe","payload":{}}', /"payload.topics" must be an array of topic names, got nothing$/],
    ['a numeric topic', '{"type":"unsubscribe","payload":{"topics":[1]}}', /every topic must be a non-empty string, got a number/],
    ['a topic of 1,000 characters', JSON.stringify({ type: 'subscribe', payload: { topics: ['t'.repeat(1000)] } }), /longer than 256 characters \(1000\)/],
    ['200 topics', JSON.stringify({ type: 'subscribe', payload: { topics: Array.from({ length: 200 }, (_, i) => `t${i}`) } }), /at most 100 topics/],
    ['an unknown type', '{"type":"subscribe_all"}', /^Unknown message type: subscribe_all \(expected subscribe, unsubscribe or heartbeat\)$/],
    ['invalid JSON', 'heartbeat', /^Invalid JSON/],
  ];
  for (const [name, input, pattern] of bad) {
    it(`says what is wrong with ${name}`, () => {
      const command = decode(input);
      assert.equal(command.kind, 'invalid');
      assert.match(command.kind === 'invalid' ? command.error : '', pattern);
    });
  }

  it('writes {type, payload} with epoch-millisecond timestamps, and nothing for acks', () => {
    const at = 1_700_000_000_000;
    assert.equal(cerberusDialect.encode({ kind: 'event', stream: 'metrics', messageType: 'metric', data: { metricId: 'cpu_usage', value: 1 }, at }), '{"type":"metric","payload":{"metricId":"cpu_usage","value":1}}');
    assert.equal(cerberusDialect.encode({ kind: 'pong', clientId: 'client-1-abc', at }), `{"type":"pong","payload":{"timestamp":${at},"clientId":"client-1-abc"}}`);
    assert.equal(cerberusDialect.encode({ kind: 'error', code: 'MW_INVALID_JSON', error: 'Invalid JSON: x', at }), `{"type":"error","payload":{"message":"Invalid JSON: x","code":"MW_INVALID_JSON","timestamp":${at}}}`);
    assert.equal(cerberusDialect.encode({ kind: 'connected', clientId: 'c', at }), undefined);
    assert.equal(cerberusDialect.encode({ kind: 'subscribed', topics: ['a'], at }), undefined);
    assert.equal(cerberusDialect.encode({ kind: 'unsubscribed', topics: ['a'], at }), undefined);
  });
});
