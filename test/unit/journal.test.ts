/**
 * The journal's ring (src/journal/journal.ts) and the scope a request names (src/journal/scope.ts), without a
 * server: bounds in entries and bytes across many wraps, an entry larger than the byte bound, clearing, the
 * copy of a frame's bytes, and where a scope is read from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Journal, JOURNAL_PAYLOAD_BYTES, journalSettingsSchema, scopeOf } from '../../src/journal/index.ts';

const peer = { id: 'c1', endpoint: '/ws' };

describe('the journal\'s ring', () => {
  it('keeps the newest maxEntries in order across many wraps, and counts the rest as dropped', () => {
    const one = new Journal({ maxEntries: 7, maxBytes: 1 << 20 }, () => 0);
    one.message('websocket', peer, 'in', 'm00', false, undefined);
    const journal = new Journal({ maxEntries: 7, maxBytes: 1 << 20 }, () => 0);
    for (let n = 0; n < 100; n++) journal.message('websocket', peer, 'in', `m${n}`, false, undefined);
    assert.deepEqual([...journal.entries()].map((e) => e.data), ['m93', 'm94', 'm95', 'm96', 'm97', 'm98', 'm99']);
    assert.deepEqual([...journal.entries()].map((e) => e.seq), [94, 95, 96, 97, 98, 99, 100]);
    assert.deepEqual(journal.figures(), { entries: 7, bytes: 7 * one.figures().bytes, dropped: 93, next: 101 });
  });

  it('keeps within maxBytes across wraps, the newest always kept in order; an entry larger than maxBytes is not kept, and counted', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 2, max: 50 }), (sizes, maxEntries) => {
        const journal = new Journal({ maxEntries, maxBytes: 2000 }, () => 0);
        sizes.forEach((size, n) => journal.message('websocket', peer, 'in', `${n}:${'x'.repeat(size)}`, false, undefined));
        const kept = [...journal.entries()];
        const figures = journal.figures();
        assert.ok(figures.bytes <= 2000 && kept.length <= maxEntries && kept.length === figures.entries);
        assert.equal(kept.at(-1)?.seq, sizes.length, 'the newest is kept');
        assert.deepEqual(kept.map((e) => e.seq), kept.map((_, i) => sizes.length - kept.length + 1 + i), 'a run of the newest, in order');
        assert.ok(kept.every((e) => (e.data as string) === `${e.seq - 1}:${'x'.repeat(sizes[e.seq - 1] as number)}`), 'each payload as it came');
        assert.equal(figures.dropped, sizes.length - kept.length);
      }),
      { seed: 29, numRuns: 300 },
    );
    // Many small entries: the offsets' slots double (from 64) while entries are dropped by count and by bytes.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 700 }), fc.integer({ min: 2, max: 400 }), (sizes, maxEntries) => {
        const journal = new Journal({ maxEntries, maxBytes: 20_000 }, () => 0);
        sizes.forEach((size, n) => journal.message('websocket', peer, 'in', `${n}:${'y'.repeat(size)}`, false, undefined));
        const kept = [...journal.entries()];
        assert.ok(journal.figures().bytes <= 20_000 && kept.length <= maxEntries);
        assert.deepEqual(kept.map((e) => e.data), kept.map((e) => `${e.seq - 1}:${'y'.repeat(sizes[e.seq - 1] as number)}`));
        assert.equal(kept.at(-1)?.seq, sizes.length);
      }),
      { seed: 29, numRuns: 100 },
    );
    const journal = new Journal({ maxEntries: 10, maxBytes: 2000 }, () => 0);
    journal.message('websocket', peer, 'in', 'a', false, undefined);
    journal.message('websocket', peer, 'in', 'c'.repeat(5000), false, undefined);
    assert.deepEqual([[...journal.entries()].map((e) => e.data), journal.figures().dropped], [['a'], 1]);
  });

  it('copies a binary frame\'s bytes (a frame may be a view into a larger read) and cuts a payload past its limit', () => {
    const journal = new Journal({ maxEntries: 10, maxBytes: 1 << 30 }, () => 0);
    const read = Buffer.from('xxhello-yy');
    journal.message('websocket', peer, 'in', read.subarray(2, 8), true, undefined);
    read.fill(0);
    const [entry] = [...journal.entries()];
    assert.equal((entry?.data as Buffer).toString(), 'hello-');
    journal.message('websocket', peer, 'out', Buffer.alloc(JOURNAL_PAYLOAD_BYTES + 10, 0x61), false, undefined);
    const big = [...journal.entries()][1];
    assert.deepEqual([big?.size, (big?.data as string).length, big?.truncated], [JOURNAL_PAYLOAD_BYTES + 10, JOURNAL_PAYLOAD_BYTES, true]);
  });

  it('clears one scope\'s entries and keeps the others in order; clearing all starts the count of dropped again', () => {
    const journal = new Journal({ maxEntries: 3, maxBytes: 1 << 30 }, () => 0);
    const a = { id: 'a', endpoint: '/ws' };
    const b = { id: 'b', endpoint: '/ws' };
    journal.open('websocket', a, 'one');
    journal.open('websocket', b, 'two');
    journal.message('websocket', a, 'in', 'x', false, undefined);
    journal.message('websocket', b, 'in', 'y', false, undefined);
    assert.equal(journal.clear('one'), 1);
    assert.deepEqual([...journal.entries()].map((e) => [e.client, e.kind, e.scope]), [['b', 'open', 'two'], ['b', 'message', 'two']]);
    journal.message('websocket', a, 'in', 'z', false, undefined);
    journal.message('websocket', a, 'in', 'w', false, undefined);
    assert.deepEqual([...journal.entries()].map((e) => e.data), ['y', 'z', 'w'], 'the oldest goes first after a clearing too');
    assert.equal(journal.clear(), 3);
    assert.deepEqual(journal.figures(), { entries: 0, bytes: 0, dropped: 0, next: 7 });
  });
});

describe('the scope a request names', () => {
  it('is the header, else the URL\'s scope parameter, else the cookie; trimmed, cut at 128 characters', () => {
    assert.equal(scopeOf({ 'x-mockwave-scope': ' t1 ', cookie: 'mockwave-scope=t3' }, new URLSearchParams('scope=t2')), 't1');
    assert.equal(scopeOf({ cookie: 'mockwave-scope=t3' }, new URLSearchParams('scope=t2')), 't2');
    assert.equal(scopeOf({ cookie: 'a=1; mockwave-scope=t%203; b=2' }), 't 3');
    assert.equal(scopeOf({ cookie: 'mockwave-scope=%E0%A4%A' }), '%E0%A4%A', 'a cookie that does not decode is taken as written');
    assert.equal(scopeOf({ cookie: 'not-mockwave-scope=x' }), undefined);
    assert.equal(scopeOf({ 'x-mockwave-scope': '' }), undefined);
    assert.equal(scopeOf({ 'x-mockwave-scope': 's'.repeat(500) })?.length, 128);
    assert.equal(scopeOf({}, new URLSearchParams('other=1')), undefined);
  });
});

describe('an entry as the journal encodes it', () => {
  it('decodes to what was kept: every field, any text, binary payloads, an HTTP exchange with its answer', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 80 });
    fc.assert(
      fc.property(
        fc.record({ client: text, endpoint: text, scope: fc.option(text, { nil: undefined }), payload: fc.oneof(text, fc.uint8Array({ maxLength: 300 })), header: text, answer: fc.oneof(text, fc.uint8Array({ maxLength: 100 })), status: fc.integer({ min: 100, max: 599 }), route: fc.option(text, { nil: undefined }) }),
        ({ client, endpoint, scope, payload, header, answer, status, route }) => {
          const journal = new Journal({ maxEntries: 10, maxBytes: 1 << 20 }, () => 1_700_000_000_123);
          const who = { id: client, endpoint };
          journal.open('sse', who, scope);
          const binary = payload instanceof Uint8Array;
          journal.message('sse', who, 'out', binary ? Buffer.from(payload) : payload, binary, undefined);
          journal.close('sse', who, 4001, header);
          const answerBody = answer instanceof Uint8Array ? Buffer.from(answer) : answer;
          journal.request({ method: 'PATCH', path: endpoint, search: '?a=1', rawHeaders: ['X-Name', header, 'Host', 'h'], body: Buffer.from('{"q":1}'), status, ms: 12.5, answerHeaders: { 'x-list': ['a', header], 'content-length': 3 }, answerBody }, route, scope);
          const [opened, message, closed, request] = [...journal.entries()];
          assert.deepEqual([opened?.kind, opened?.protocol, opened?.client, opened?.endpoint, opened?.scope, opened?.at], ['open', 'sse', client, endpoint, scope, 1_700_000_000_123]);
          assert.deepEqual(message?.data, binary ? Buffer.from(payload) : payload);
          assert.deepEqual([message?.direction, message?.size, message?.truncated], ['out', binary ? payload.length : Buffer.byteLength(payload), false]);
          assert.deepEqual([closed?.code, closed?.reason, closed?.direction], [4001, header, undefined]);
          assert.deepEqual(request?.http, { method: 'PATCH', path: endpoint, search: '?a=1', rawHeaders: ['X-Name', header, 'Host', 'h'], body: Buffer.from('{"q":1}'), status, ms: 12.5, answerHeaders: { 'x-list': `a, ${header}`, 'content-length': '3' }, answerBody });
          assert.deepEqual([request?.route, request?.scope, request?.seq, request?.topics, request?.recipients], [route, scope, 4, undefined, undefined]);
        },
      ),
      { seed: 29, numRuns: 200 },
    );
  });
});

describe('the journal\'s edges (a cold review\'s findings)', () => {
  it('clearing one scope copies the others as they were: text that is not UTF-8 is not re-encoded larger', () => {
    const journal = new Journal({ maxEntries: 100, maxBytes: 8192 }, () => 0);
    const a = { id: 'a', endpoint: '/ws' };
    const b = { id: 'b', endpoint: '/ws' };
    journal.open('websocket', a, 'one');
    journal.open('websocket', b, 'two');
    for (let i = 0; i < 3; i++) journal.message('websocket', a, 'out', Buffer.alloc(2000, 0xff), false, undefined);
    assert.equal(journal.clear('two'), 1);
    assert.deepEqual([journal.figures().entries, journal.figures().dropped], [4, 0]);
  });

  it('cuts text at 1 MiB of UTF-8 bytes, at a character\'s start', () => {
    const journal = new Journal({ maxEntries: 10, maxBytes: 8 * 1024 * 1024 }, () => 0);
    journal.message('websocket', peer, 'in', '中'.repeat(600_000), false, undefined);
    journal.message('websocket', peer, 'in', `a${'😀'.repeat(600_000)}`, false, undefined);
    const [cjk, emoji] = [...journal.entries()];
    assert.equal(cjk?.truncated, true);
    assert.ok(Buffer.byteLength(cjk?.data as string) <= JOURNAL_PAYLOAD_BYTES && /^中+$/.test(cjk?.data as string), 'whole characters only');
    assert.ok(!(emoji?.data as string).includes('\ufffd'), 'no surrogate pair split');
  });

  it('keeps an entry that fits a small journal though its strings\' worst case would not; long lists of topics and headers', () => {
    const small = new Journal({ maxEntries: 10, maxBytes: 1024 }, () => 0);
    small.request({ method: 'GET', path: `/${'p'.repeat(400)}`, search: '', rawHeaders: ['Host', 'h'], body: Buffer.alloc(0), status: 200, ms: 1, answerHeaders: undefined, answerBody: undefined }, undefined, undefined);
    assert.equal(small.figures().entries, 1);
    const big = new Journal({ maxEntries: 10, maxBytes: 1 << 22 }, () => 0);
    const topics = Array.from({ length: 0x10000 }, (_, i) => `t${i}`);
    big.broadcast('websocket', '/ws', topics, Buffer.from('hi'), false, 3, 'test');
    const [entry] = [...big.entries()];
    assert.deepEqual([entry?.topics?.length, entry?.data, entry?.recipients], [0x10000, 'hi', 3]);
  });

  it('refuses a maxBytes past 1 GiB at load (a buffer that large could not be made on the first entry)', () => {
    assert.equal(journalSettingsSchema.safeParse({ maxBytes: 2 ** 31 }).success, false);
    assert.equal(journalSettingsSchema.safeParse({ maxBytes: 2 ** 30 }).success, true);
  });
});
