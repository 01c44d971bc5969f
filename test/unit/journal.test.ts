/**
 * The journal's ring (src/journal/journal.ts) and the scope a request names (src/journal/scope.ts), without a
 * server: bounds in entries and bytes across many wraps, an entry larger than the byte bound, clearing, the
 * copy of a frame's bytes, and where a scope is read from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Journal, JOURNAL_PAYLOAD_BYTES, scopeOf } from '../../src/journal/index.ts';

const peer = { id: 'c1', endpoint: '/ws' };

describe('the journal\'s ring', () => {
  it('keeps the newest maxEntries in order across many wraps, and counts the rest as dropped', () => {
    const journal = new Journal({ maxEntries: 7, maxBytes: 1 << 30 }, () => 0);
    for (let n = 0; n < 100; n++) journal.message('websocket', peer, 'in', `m${n}`, false);
    assert.deepEqual([...journal.entries()].map((e) => e.data), ['m93', 'm94', 'm95', 'm96', 'm97', 'm98', 'm99']);
    assert.deepEqual([...journal.entries()].map((e) => e.seq), [94, 95, 96, 97, 98, 99, 100]);
    assert.deepEqual(journal.figures(), { entries: 7, bytes: 7 * 203, dropped: 93, next: 101 });
  });

  it('keeps within maxBytes: an entry over it alone is kept by itself, then the ring grows again from empty', () => {
    const journal = new Journal({ maxEntries: 10, maxBytes: 2000 }, () => 0);
    journal.message('websocket', peer, 'in', 'a'.repeat(600), false);
    journal.message('websocket', peer, 'in', 'b'.repeat(600), false);
    journal.message('websocket', peer, 'in', 'c'.repeat(5000), false);
    assert.deepEqual([...journal.entries()].map((e) => (e.data as string)[0]), ['c'], 'the two before it were dropped to make room');
    journal.message('websocket', peer, 'in', 'd', false);
    journal.message('websocket', peer, 'in', 'e', false);
    assert.deepEqual([...journal.entries()].map((e) => (e.data as string)[0]), ['d', 'e']);
    assert.equal(journal.figures().dropped, 3);
  });

  it('copies a binary frame\'s bytes (a frame may be a view into a larger read) and cuts a payload past its limit', () => {
    const journal = new Journal({ maxEntries: 10, maxBytes: 1 << 30 }, () => 0);
    const read = Buffer.from('xxhello-yy');
    journal.message('websocket', peer, 'in', read.subarray(2, 8), true);
    read.fill(0);
    const [entry] = [...journal.entries()];
    assert.equal((entry?.data as Buffer).toString(), 'hello-');
    journal.message('websocket', peer, 'out', Buffer.alloc(JOURNAL_PAYLOAD_BYTES + 10, 0x61), false);
    const big = [...journal.entries()][1];
    assert.deepEqual([big?.size, (big?.data as string).length, big?.truncated], [JOURNAL_PAYLOAD_BYTES + 10, JOURNAL_PAYLOAD_BYTES, true]);
  });

  it('clears one scope\'s entries and keeps the others in order; clearing all starts the count of dropped again', () => {
    const journal = new Journal({ maxEntries: 3, maxBytes: 1 << 30 }, () => 0);
    const a = { id: 'a', endpoint: '/ws' };
    const b = { id: 'b', endpoint: '/ws' };
    journal.open('websocket', a, 'one');
    journal.open('websocket', b, 'two');
    journal.message('websocket', a, 'in', 'x', false);
    journal.message('websocket', b, 'in', 'y', false);
    assert.equal(journal.clear('one'), 1);
    assert.deepEqual([...journal.entries()].map((e) => [e.client, e.kind, e.scope]), [['b', 'open', 'two'], ['b', 'message', 'two']]);
    journal.message('websocket', a, 'in', 'z', false);
    journal.message('websocket', a, 'in', 'w', false);
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
