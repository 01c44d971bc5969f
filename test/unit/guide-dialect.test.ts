import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guideDialect } from '../../src/dialects/guide.ts';
import { Message } from '../../src/util/message.ts';

const at = Date.UTC(2024, 0, 1, 12, 0, 0, 123);
const decode = (text: string) => guideDialect.decode(Message.text(text));

describe('guide dialect: decode', () => {
  it('reads the four client messages', () => {
    assert.deepEqual(decode('{"type":"subscribe","event":"ticker"}'), { kind: 'subscribe', topics: ['ticker'], wireType: 'subscribe' });
    assert.deepEqual(decode('{"type":"subscribe","event":"ticker","params":{"symbol":"AAPL"}}'), { kind: 'subscribe', topics: ['ticker'], params: { symbol: 'AAPL' }, wireType: 'subscribe' });
    assert.deepEqual(decode('{"type":"unsubscribe","event":"ticker"}'), { kind: 'unsubscribe', topics: ['ticker'], wireType: 'unsubscribe' });
    assert.deepEqual(decode('{"type":"request","event":"ticker"}'), { kind: 'request', topic: 'ticker', wireType: 'request' });
    assert.deepEqual(decode('{"type":"ping"}'), { kind: 'ping', wireType: 'ping' });
    assert.deepEqual(guideDialect.decode(new Message(Buffer.from('{"type":"ping"}'), false)), { kind: 'ping', wireType: 'ping' });
  });

  const bad: [string, string | Buffer, boolean, string, RegExp][] = [
    ['invalid JSON', '{type:', false, 'MW_INVALID_JSON', /^Invalid JSON: /],
    ['an array', '[1,2]', false, 'MW_INVALID_MESSAGE', /expected a JSON object, got an array/],
    ['a number', '42', false, 'MW_INVALID_MESSAGE', /expected a JSON object, got a number/],
    ['null', 'null', false, 'MW_INVALID_MESSAGE', /got null/],
    ['no type', '{"event":"x"}', false, 'MW_INVALID_MESSAGE', /missing "type"/],
    ['a numeric type', '{"type":7}', false, 'MW_INVALID_MESSAGE', /"type" must be a string, got a number/],
    ['an unknown type', '{"type":"dance"}', false, 'MW_UNKNOWN_MESSAGE_TYPE', /^Unknown message type: dance \(expected subscribe, unsubscribe, request or ping\)$/],
    ['subscribe without event', '{"type":"subscribe"}', false, 'MW_INVALID_MESSAGE', /Invalid subscribe message: missing "event"/],
    ['unsubscribe with a numeric event', '{"type":"unsubscribe","event":1}', false, 'MW_INVALID_MESSAGE', /"event" must be a string, got a number/],
    ['request with an empty event', '{"type":"request","event":""}', false, 'MW_INVALID_MESSAGE', /"event" must not be empty/],
    ['an event of 10,000 characters', JSON.stringify({ type: 'subscribe', event: 'x'.repeat(10_000) }), false, 'MW_INVALID_MESSAGE', /longer than 256 characters \(10000\)/],
    ['params that are not an object', '{"type":"subscribe","event":"a","params":[1]}', false, 'MW_INVALID_MESSAGE', /"params" must be an object/],
    ['a binary frame', Buffer.from([0xde, 0xad, 0xbe, 0xef]), true, 'MW_BINARY_NOT_SUPPORTED', /Binary messages are accepted only as UTF-8 JSON/],
    ['a binary frame of UTF-8 text that is not JSON', Buffer.from('ping'), true, 'MW_BINARY_NOT_SUPPORTED', /Binary messages are accepted only as UTF-8 JSON/],
    ['a binary frame of JSON that is not an object', Buffer.from('[1]'), true, 'MW_INVALID_MESSAGE', /expected a JSON object, got an array/],
  ];
  for (const [name, input, binary, code, pattern] of bad) {
    it(`says what is wrong with ${name}`, () => {
      const command = guideDialect.decode(new Message(Buffer.isBuffer(input) ? input : Buffer.from(input), binary));
      assert.equal(command.kind, 'invalid');
      if (command.kind !== 'invalid') return;
      assert.equal(command.code, code);
      assert.match(command.error, pattern);
      assert.ok(command.error.length < 300, 'errors stay short whatever the input');
    });
  }

  it('reads a binary frame of UTF-8 JSON as the same JSON sent as text', () => {
    const text = '{"type":"subscribe","event":"ticker","params":{"é":"✓"}}';
    assert.deepEqual(guideDialect.decode(new Message(Buffer.from(text), true)), guideDialect.decode(new Message(Buffer.from(text), false)));
    assert.equal(guideDialect.decode(new Message(Buffer.from(text), true)).kind, 'subscribe');
  });

  it('clips a long unknown type in the error', () => {
    const command = decode(JSON.stringify({ type: 'y'.repeat(5000) }));
    assert.ok(command.kind === 'invalid' && command.error.length < 250 && command.error.includes('(5000 characters)'));
  });
});

describe('guide dialect: encode', () => {
  it('spells every server message as the guide does, with an ISO timestamp', () => {
    const ts = '2024-01-01T12:00:00.123Z';
    assert.equal(guideDialect.encode({ kind: 'connected', clientId: 'client-1', at }), JSON.stringify({ type: 'connected', clientId: 'client-1', timestamp: ts, message: 'Connected to Mock API WebSocket server' }));
    assert.equal(guideDialect.encode({ kind: 'subscribed', topics: ['ticker'], at }), `{"type":"subscribed","event":"ticker","timestamp":"${ts}"}`);
    assert.equal(guideDialect.encode({ kind: 'unsubscribed', topics: ['ticker'], at }), `{"type":"unsubscribed","event":"ticker","timestamp":"${ts}"}`);
    assert.equal(guideDialect.encode({ kind: 'event', stream: 'ticker', messageType: 'event', data: { price: 100.5 }, at }), `{"type":"event","name":"ticker","data":{"price":100.5},"timestamp":"${ts}"}`);
    assert.equal(guideDialect.encode({ kind: 'response', stream: 'ticker', data: { price: 1 }, at }), `{"type":"response","event":"ticker","data":{"price":1},"timestamp":"${ts}"}`);
    assert.equal(guideDialect.encode({ kind: 'pong', clientId: 'c', at }), `{"type":"pong","timestamp":"${ts}"}`);
    assert.equal(guideDialect.encode({ kind: 'error', code: 'MW_UNKNOWN_EVENT', error: 'Unknown event: foo', at }), `{"type":"error","error":"Unknown event: foo","code":"MW_UNKNOWN_EVENT","timestamp":"${ts}"}`);
    assert.equal(guideDialect.encode({ kind: 'proxy_connected', clientId: 'c', route: 'echo', at }), `{"type":"proxy_connected","clientId":"c","routeName":"echo","timestamp":"${ts}"}`);
  });
});
