import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawDialect } from '../../src/dialects/raw.ts';
import { Message } from '../../src/util/message.ts';

describe('raw dialect', () => {
  it('hands messages on untouched, parsed when they are JSON', () => {
    assert.deepEqual(rawDialect.decode(Message.text('{"a":1}')), { kind: 'message', value: { a: 1 }, text: '{"a":1}' });
    assert.deepEqual(rawDialect.decode(Message.text('hello')), { kind: 'message', value: undefined, text: 'hello' });
    assert.deepEqual(rawDialect.decode(new Message(Buffer.from([0xff]), true)), { kind: 'message', value: undefined, text: undefined });
  });

  it('sends exactly the rendered data and nothing else', () => {
    assert.equal(rawDialect.encode({ kind: 'event', stream: 's', messageType: 'event', data: { type: 'quote', price: 1 }, at: 0 }), '{"type":"quote","price":1}');
    assert.equal(rawDialect.encode({ kind: 'event', stream: 's', messageType: 'event', data: 'plain text', at: 0 }), 'plain text');
    assert.equal(rawDialect.encode({ kind: 'connected', clientId: 'c', at: 0 }), undefined);
    assert.equal(rawDialect.encode({ kind: 'error', code: 'MW_INVALID_JSON', error: 'x', at: 0 }), undefined);
  });
});
