/**
 * The state store (src/state/): changes by dotted path that copy what they touch, layered views, paths that
 * may not be written, and the bounds: a scope's bytes refused, scopes and total bytes evicted least recently
 * used first, counted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockwaveError } from '../../src/errors/catalog.ts';
import { MemoryStateStore } from '../../src/state/memory.ts';
import type { StateEvent } from '../../src/state/store.ts';

const refused = (fn: () => void, words: RegExp) =>
  assert.throws(fn, (error: unknown) => error instanceof MockwaveError && error.code === 'MW_STATE_REFUSED' && words.test(error.message));

describe('state changes', () => {
  it('sets, merges, increments, appends to and deletes by dotted path', () => {
    const store = new MemoryStateStore();
    store.change('global', { set: { 'user.name': 'ada', loggedIn: true } }, 'test');
    store.change('global', { merge: { user: { role: 'admin' } }, increment: { 'cart.items': 2 }, append: { 'cart.list': 'a' } }, 'test');
    store.change('global', { increment: { 'cart.items': 1 }, append: { 'cart.list': 'b' }, delete: ['loggedIn', 'no.such.path'] }, 'test');
    assert.deepEqual(store.get('global'), { user: { name: 'ada', role: 'admin' }, cart: { items: 3, list: ['a', 'b'] } });
  });

  it('never writes to a document it handed out', () => {
    const store = new MemoryStateStore();
    store.change('global', { set: { 'a.b': 1, c: [1] } }, 'test');
    const before = store.get('global');
    const copy = structuredClone(before);
    store.change('global', { set: { 'a.b': 2 }, append: { c: 2 }, delete: ['a'] }, 'test');
    assert.deepEqual(before, copy);
    assert.deepEqual(store.get('global'), { c: [1, 2] });
  });

  it('removing what is not there changes nothing and makes nothing', () => {
    const store = new MemoryStateStore();
    store.change('global', { set: { a: 1 } }, 'test');
    const doc = store.get('global');
    store.change('global', { delete: ['b.c', 'a.x'] }, 'test');
    assert.equal(store.get('global'), doc);
  });

  it('refuses paths that would reach a prototype, empty parts, and increments or appends of the wrong type, applying nothing', () => {
    const store = new MemoryStateStore();
    store.change('global', { set: { n: 'text', list: 1 } }, 'test');
    refused(() => store.change('global', { set: { '__proto__.polluted': true } }, 'test'), /"__proto__" may not be written/);
    refused(() => store.change('global', { set: { 'a.constructor.prototype': 1 } }, 'test'), /may not be written/);
    refused(() => store.change('global', { set: { 'a..b': 1 } }, 'test'), /an empty part/);
    refused(() => store.change('global', { set: { ok: 1 }, increment: { n: 1 } }, 'test'), /cannot increment "text"/);
    refused(() => store.change('global', { append: { list: 2 } }, 'test'), /cannot append to 1/);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(store.get('global'), { n: 'text', list: 1 });
  });

  it('a value holding a __proto__ key of its own (from JSON) stays a plain field', () => {
    const store = new MemoryStateStore();
    store.change('global', { set: { a: JSON.parse('{"__proto__": {"polluted": true}}') } }, 'test');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(store.get('global')?.['a']), Object.prototype);
  });
});

describe('layered views', () => {
  it('reads global, then the test scope, then the client, key by key', () => {
    const store = new MemoryStateStore();
    store.change('global', { set: { theme: 'light', lang: 'en', user: 'nobody' } }, 'test');
    store.change('scope:a', { set: { lang: 'fr' } }, 'test');
    store.change('client:1', { set: { user: 'ada' } }, 'test');
    assert.deepEqual(store.view(['global', 'scope:a', 'client:1']), { theme: 'light', lang: 'fr', user: 'ada' });
    assert.deepEqual(store.view(['global', 'scope:b', 'client:2']), { theme: 'light', lang: 'en', user: 'nobody' });
    assert.equal(store.view(['global']), store.get('global'), 'one scope: its document itself, no copy');
    assert.deepEqual(store.get('global'), { theme: 'light', lang: 'en', user: 'nobody' }, 'the view wrote to no document');
  });

  it('two test scopes do not see each other', () => {
    const store = new MemoryStateStore();
    store.change('scope:a', { set: { cart: 1 } }, 'test');
    store.change('scope:b', { set: { cart: 2 } }, 'test');
    assert.deepEqual(store.view(['global', 'scope:a']), { cart: 1 });
    assert.deepEqual(store.view(['global', 'scope:b']), { cart: 2 });
    store.reset('scope:a', 'test');
    assert.deepEqual(store.view(['global', 'scope:a']), {});
    assert.deepEqual(store.view(['global', 'scope:b']), { cart: 2 });
  });
});

describe('bounds', () => {
  it('refuses a change that would take one scope past maxScopeBytes, whole', () => {
    const store = new MemoryStateStore({ maxScopeBytes: 100 });
    store.change('caller:x', { set: { a: 'x'.repeat(50) } }, 'test');
    refused(() => store.change('caller:x', { set: { b: 'y'.repeat(50) }, increment: { n: 1 } }, 'test'), /over stateStore\.maxScopeBytes \(100\)/);
    assert.deepEqual(Object.keys(store.get('caller:x') ?? {}), ['a']);
    // Replacing the large value frees its bytes.
    store.change('caller:x', { set: { a: 1, b: 'y'.repeat(50) } }, 'test');
    assert.deepEqual(Object.keys(store.get('caller:x') ?? {}), ['a', 'b']);
  });

  it('keeps at most maxScopes scopes besides global, forgetting the least recently used, counted', () => {
    const store = new MemoryStateStore({ maxScopes: 3 });
    const events: StateEvent[] = [];
    store.onChange((event) => events.push(event));
    for (const id of ['1', '2', '3']) store.change(`client:${id}`, { set: { id } }, 'test');
    store.get('client:1');
    store.change('client:4', { set: { id: '4' } }, 'test');
    assert.deepEqual(store.list().map((scope) => scope.scope), ['global', 'client:3', 'client:1', 'client:4']);
    assert.equal(store.figures().evicted, 1);
    assert.deepEqual(events.filter((e) => e.kind === 'evict').map((e) => e.scope), ['client:2']);
  });

  it('100,000 callers stay within the bounds of scopes and bytes', () => {
    const store = new MemoryStateStore({ maxScopes: 1000, maxBytes: 40_000 });
    for (let i = 0; i < 100_000; i++) store.change(`caller:${i}`, { set: { visits: i } }, 'test');
    const figures = store.figures();
    assert.ok(figures.scopes <= 1000, `${figures.scopes} scopes`);
    assert.ok(figures.bytes <= 40_000, `${figures.bytes} bytes`);
    assert.equal(figures.evicted, 100_000 - figures.scopes);
    assert.equal(figures.bytes, store.list().reduce((sum, scope) => sum + scope.bytes, 0), 'the total is the sum of the scopes');
    assert.deepEqual(store.get('caller:99999'), { visits: 99999 });
  });

  it('counts bytes as the documents change and drops a scope left empty', () => {
    const store = new MemoryStateStore();
    store.change('client:1', { set: { a: 'abc' } }, 'test');
    const bytes = store.figures().bytes;
    assert.equal(bytes, 'a'.length + 3 + '"abc"'.length);
    store.change('client:1', { delete: ['a'] }, 'test');
    assert.equal(store.figures().bytes, 0);
    assert.equal(store.figures().scopes, 0);
    assert.equal(store.get('client:1'), undefined);
    assert.equal(store.figures().transitions, 2);
  });
});
