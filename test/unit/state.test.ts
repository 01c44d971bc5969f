/**
 * The state store (state/positions.ts): values per scope and key, the counter `next` that sequences read, what the
 * admin API sees and resets, and the bound on keys per scope (the least recently used is forgotten). The
 * eviction's corner cases a one-line bug would break are pinned in test/unit/guards.test.ts too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Positions } from '../../src/state/positions.ts';

describe('the state store', () => {
  it('keeps a value per scope and key; scopes never see each other\'s keys', () => {
    const store = new Positions();
    store.set('http:a', 'caller-1', { step: 2 });
    store.set('http:b', 'caller-1', 'other');
    assert.deepEqual(store.get('http:a', 'caller-1'), { step: 2 });
    assert.equal(store.get('http:b', 'caller-1'), 'other');
    assert.equal(store.get('http:a', 'caller-2'), undefined);
    assert.equal(store.get('http:none', 'caller-1'), undefined, 'an unknown scope is empty, not an error');
    assert.deepEqual(store.sizes(), { 'http:a': 1, 'http:b': 1 }, 'reading a scope does not make it');
  });

  it('a key set again holds the new value, and counts once', () => {
    const store = new Positions();
    store.set('s', 'k', 1);
    store.set('s', 'k', 2);
    assert.equal(store.get('s', 'k'), 2);
    assert.deepEqual(store.sizes(), { s: 1 });
  });

  it('next counts the calls for a key from 0, per key and per scope', () => {
    const store = new Positions();
    assert.deepEqual([store.next('s', 'a'), store.next('s', 'a'), store.next('s', 'a')], [0, 1, 2]);
    assert.deepEqual([store.next('s', 'b'), store.next('t', 'a')], [0, 0]);
    assert.equal(store.get('s', 'a'), 3, 'what next keeps is the count so far');
    store.set('s', 'c', 'not a number');
    assert.equal(store.next('s', 'c'), 0, 'a value that is not a count starts again at 0');
  });

  it('reset forgets one scope, or every scope', () => {
    const store = new Positions();
    for (const scope of ['x', 'y', 'z']) store.next(scope, 'k');
    store.reset('y');
    assert.deepEqual(store.sizes(), { x: 1, z: 1 });
    assert.equal(store.next('y', 'k'), 0, 'a reset scope starts again');
    store.reset();
    assert.deepEqual(store.sizes(), {});
    assert.equal(store.next('x', 'k'), 0);
  });

  it('past maxKeys in a scope, the key least recently read or written is forgotten; other scopes keep theirs', () => {
    const store = new Positions({ maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) store.set('s', key, key);
    store.set('other', 'a', 'kept');
    store.get('s', 'a');
    store.set('s', 'b', 'b2');
    store.set('s', 'd', 'd');
    assert.deepEqual(['a', 'b', 'c', 'd'].map((key) => store.get('s', key)), ['a', 'b2', undefined, 'd'], 'c was used least recently');
    assert.deepEqual(store.sizes(), { s: 3, other: 1 });
    assert.equal(store.get('other', 'a'), 'kept');
  });

  it('holds 10,000 keys per scope unless told otherwise', () => {
    const store = new Positions();
    for (let i = 0; i <= 10_000; i++) store.next('s', `caller-${i}`);
    assert.deepEqual(store.sizes(), { s: 10_000 });
    assert.equal(store.get('s', 'caller-0'), undefined, 'the first caller was the one forgotten');
    assert.equal(store.get('s', 'caller-10000'), 1);
  });
});
