import assert from 'node:assert/strict';
import { MemoryStateStore } from '../../src/state/memory.ts';
import { describe, it } from 'node:test';
import { checkConfig } from '../../src/config/validate.ts';
import { newCounters, NO_OBSERVERS, type Peer } from '../../src/hub/peer.ts';
import { compilePartial, compileWhen, partialEqual, RuleEngine, ruleSchema, type RuleHost } from '../../src/rules/index.ts';
import { createTemplateServices } from '../../src/templates/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';
import { Message } from '../../src/util/message.ts';

const incoming = (text: string) => Message.text(text);

function harness(rules: unknown[]) {
  const clock = new ManualClock(0);
  const random = createRandom(1);
  const sent: string[] = [];
  const published: [string, unknown][] = [];
  const errors: unknown[] = [];
  const logged: string[] = [];
  let closed: [number, string] | undefined;
  const peer: Peer = {
    id: 'c1', endpoint: '/', url: '/?room=7', remoteAddress: '127.0.0.1', compressed: false, connectedAt: 0, counters: newCounters(), observers: NO_OBSERVERS,
    get closed() {
      return closed !== undefined;
    },
    send: (text) => sent.push(String(text)),
    offer: () => true,
    sendData: () => undefined,
    relay: () => undefined,
    bufferedAmount: 0,
    pause: () => undefined,
    resume: () => undefined,
    close: (code, reason) => (closed = [code ?? 1005, reason ?? '']),
    terminate: () => undefined,
  };
  const host: RuleHost = {
    random,
    templates: createTemplateServices(clock, random, 1),
    state: new MemoryStateStore(),
    stateScopes: (p) => ['global', `client:${p.id}`],
    refuse: (p, error) => p.send(JSON.stringify({ refused: error }), 'dialect'),
    schedule: (_p, fn, ms) => clock.setTimeout(fn, ms),
    publish: (target) => published.push([target.stream ?? '', target.data]),
    log: (_p, line) => logged.push(line),
    onError: (_p, e) => errors.push(e),
  };
  const engine = new RuleEngine(rules.map((r) => ruleSchema.parse(r)));
  const send = (text: string) => {
    const message = incoming(text);
    return engine.handle(peer, message, { message: message.isJson ? message.value : message.text, client: { id: 'c1', connectedAt: '', query: { room: '7' } } }, host);
  };
  return { clock, sent, published, errors, logged, send, closed: () => closed };
}

describe('rule matching', () => {
  it('partial deep equality', () => {
    assert.ok(partialEqual({ type: 'order', side: 'buy' }, { type: 'order', side: 'buy', qty: 1 }));
    assert.ok(partialEqual({ a: { b: 1 } }, { a: { b: 1, c: 2 } }));
    assert.ok(!partialEqual({ type: 'order', side: 'buy' }, { type: 'order', side: 'sell' }));
    assert.ok(!partialEqual({ a: 1 }, { a: '1' }));
    assert.ok(partialEqual({ tags: [1, 2] }, { tags: [1, 2] }));
    assert.ok(!partialEqual({ tags: [1] }, { tags: [1, 2] }));
    assert.ok(!partialEqual({ a: 1 }, null));
    assert.ok(partialEqual({ a: null }, { a: null }));
    assert.ok(partialEqual([1, { x: 2 }], [1, { x: 2, y: 3 }]));
    const compiled = compilePartial({ type: 'order' });
    assert.ok(compiled({ type: 'order', id: 1 }) && !compiled({ type: 'quote' }), 'compiled once, used many times');
  });

  it('json, regex on a field, raw text, and all of them together', () => {
    const json = compileWhen({ type: 'order' });
    assert.ok(json(incoming('{"type":"order","qty":1}')));
    assert.ok(!json(incoming('type order')));
    const regex = compileWhen({ regex: { 'order.symbol': '^A[A-Z]+$' } });
    assert.ok(regex(incoming('{"order":{"symbol":"AAPL"}}')));
    assert.ok(!regex(incoming('{"order":{"symbol":"MSFT"}}')));
    assert.ok(!regex(incoming('{"order":{}}')));
    const text = compileWhen({ text: '^PING\\b' });
    assert.ok(text(incoming('PING 1')));
    assert.ok(!text(new Message(Buffer.from([0xff, 0x50, 0x49]), true)), 'binary that is not UTF-8 has no text');
    assert.ok(text(new Message(Buffer.from('PING 2'), true)), 'binary UTF-8 reads as its text');
    const path = compileWhen({ jsonPath: '$.orders[?(@.qty > 10)]' });
    assert.ok(path(incoming('{"orders":[{"qty":5},{"qty":20}]}')));
    assert.ok(!path(incoming('{"orders":[{"qty":5}]}')));
    assert.ok(!path(incoming('not json')));
    const both = compileWhen({ json: { type: 'q' }, regex: { id: '^\\d+$' } });
    assert.ok(both(incoming('{"type":"q","id":12}')));
    assert.ok(!both(incoming('{"type":"q","id":"x"}')));
  });
});

describe('rule actions', () => {
  it('reply sends rendered messages in order; the first matching rule wins', () => {
    const h = harness([
      { when: { type: 'hello' }, then: [{ reply: [{ hi: '{{message.name}}' }, 'plain {{client.query.room}}'] }] },
      { when: { type: 'hello' }, then: [{ reply: 'never' }] },
    ]);
    assert.equal(h.send('{"type":"hello","name":"Ada"}'), true);
    assert.deepEqual(h.sent, ['{"hi":"Ada"}', 'plain 7']);
    assert.equal(h.send('{"type":"other"}'), false, 'no rule: falls through');
  });

  it('continue lets later rules run too', () => {
    const h = harness([
      { when: { type: 'x' }, then: [{ reply: 'one' }], continue: true },
      { when: { type: 'x' }, then: [{ reply: 'two' }] },
    ]);
    h.send('{"type":"x"}');
    assert.deepEqual(h.sent, ['one', 'two']);
  });

  it('delay holds the following actions on the clock; a range is drawn', () => {
    const h = harness([{ when: { type: 'x' }, then: [{ reply: 'a' }, { delay: 100 }, { reply: 'b' }, { delay: '10-20' }, { reply: 'c' }] }]);
    h.send('{"type":"x"}');
    assert.deepEqual(h.sent, ['a']);
    h.clock.advance(99);
    assert.deepEqual(h.sent, ['a']);
    h.clock.advance(1);
    assert.deepEqual(h.sent, ['a', 'b']);
    h.clock.advance(20);
    assert.deepEqual(h.sent, ['a', 'b', 'c']);
  });

  it('publish reaches a stream, with rendered data or the stream\'s own', () => {
    const h = harness([{ when: { type: 'x' }, then: [{ publish: 'news' }, { publish: { stream: 'news', data: { from: '{{client.id}}' } } }] }]);
    h.send('{"type":"x"}');
    assert.deepEqual(h.published, [['news', undefined], ['news', { from: 'c1' }]]);
  });

  it('close ends the connection with its code; drop swallows', () => {
    const h = harness([
      { when: { type: 'bye' }, then: [{ reply: 'goodbye' }, { close: { code: 4001, reason: 'logged out' } }] },
      { when: { type: 'noise' }, then: [{ drop: true }] },
    ]);
    assert.equal(h.send('{"type":"noise"}'), true);
    assert.deepEqual(h.sent, []);
    h.send('{"type":"bye"}');
    assert.deepEqual(h.closed(), [4001, 'logged out']);
    assert.deepEqual(h.sent, ['goodbye']);
  });

  it('a step after close or drop is refused at load, with its place', () => {
    const problems = (then: unknown[]): string[] => {
      const result = ruleSchema.safeParse({ when: { type: 'x' }, then });
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.deepEqual(problems([{ close: { code: 4001 } }, { reply: 'never' }]), ['then.1: nothing runs after "close" (step 0): remove this step or move it before the close']);
    assert.deepEqual(problems([{ drop: true }, { delay: 10 }, { reply: 'x' }]), ['then.1: nothing runs after "drop" (step 0): remove this step or move it before the drop']);
    assert.deepEqual(problems([{ reply: 'x' }, { delay: 10 }, { close: { code: 1000 } }]), []);
  });

  it('a failing action is reported and does not throw', () => {
    const h = harness([{ when: { type: 'x' }, then: [{ reply: '{{divide 1 message.n}}' }, { reply: "{{add 1 'x'}}" }, { reply: 'after' }] }]);
    h.send('{"type":"x","n":2}');
    assert.deepEqual(h.sent, ['0.5']);
    assert.equal(h.errors.length, 1);
  });
});

describe('rule validation', () => {
  it('reports bad rules at load, each with its path', () => {
    const result = checkConfig({
      endpoints: [{
        path: '/x',
        rules: [
          { when: { regex: { a: '([' } }, then: [{ reply: 1 }] },
          { when: { type: 'x' }, then: [{ reply: '{{nope}}' }, { close: { code: 1006 } }, { wiggle: 1 }, { delay: -1 }] },
          { when: { json: { a: 1 }, side: 'buy' }, then: [] },
          { when: { jsonPath: 'orders' }, then: [{ drop: true }] },
          { when: { jsonPath: '$.a[?(@.x >' }, then: [{ drop: true }] },
        ],
      }],
    });
    assert.ok(!result.ok);
    const text = result.problems.join('\n');
    assert.match(text, /endpoints\[0\]\.rules\[0\]\.when\.regex\.a: invalid regular expression/);
    assert.match(text, /endpoints\[0\]\.rules\[1\]\.then\[0\]\.reply: unknown helper or variable "nope"/);
    assert.match(text, /endpoints\[0\]\.rules\[1\]\.then\[1\]\.close\.code: expected a close code a server may send/);
    assert.match(text, /endpoints\[0\]\.rules\[1\]\.then\[2\]: expected one action: reply, replyBinary, delay, publish, close, drop, log, refuse, generate or setState/);
    assert.match(text, /endpoints\[0\]\.rules\[1\]\.then\[3\]/);
    assert.match(text, /endpoints\[0\]\.rules\[2\]\.when: unknown key "side"/);
    assert.match(text, /endpoints\[0\]\.rules\[2\]\.then: expected at least 1 items/);
    assert.match(text, /endpoints\[0\]\.rules\[3\]\.when\.jsonPath: a JSONPath starts with "\$"/);
    assert.match(text, /endpoints\[0\]\.rules\[4\]\.when\.jsonPath: invalid JSONPath/);
    const condition = checkConfig({ endpoints: [{ path: '/', streams: [{ name: 's', data: 1, condition: 'eq data.x nothing.y' }] }] });
    assert.ok(!condition.ok && /streams\[0\]\.condition: unknown helper or variable "nothing"/.test(condition.problems[0] ?? ''));
  });
});
