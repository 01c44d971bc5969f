/**
 * A collection's actions as the pure function they are (src/http/collection.ts): the answer, the new list
 * and the change of each, the ids a create gives, the refusals with their codes; the action each method
 * asks for; and the checks a seed passes at load.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { act, actionOf, collectionSettingsSchema, itemsOf, loadCollections, type Collection } from '../../src/http/collection.ts';
import { MockwaveError } from '../../src/errors/catalog.ts';
import { createRandom } from '../../src/util/random.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const orders: Collection = { name: 'orders', idField: 'id', seed: [], scope: undefined, publish: [], publishTo: 'all', maxItems: 3 };
const items = [{ id: 1, item: 'tea', qty: 2 }, { id: 7, item: 'milk', qty: 1 }];
const asked = (id: string | undefined, body?: unknown, query: Record<string, string> = {}) => ({ path: '/api/orders', id, query, body: () => body });
const code = (run: () => unknown): string => {
  try {
    run();
    return 'none';
  } catch (error) {
    return error instanceof MockwaveError ? `${error.code} ${error.message}` : String(error);
  }
};

describe('a collection\'s actions', () => {
  it('maps methods to actions, with and without an item named', () => {
    assert.deepEqual(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => actionOf(m, undefined)), ['list', 'list', 'create', undefined, undefined, undefined, undefined]);
    assert.deepEqual(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => actionOf(m, '1')), ['get', 'get', undefined, 'replace', 'update', 'delete', undefined]);
  });

  it('lists (filtered by equal fields, own fields only), gets, and changes nothing doing so', () => {
    const random = createRandom(1);
    assert.deepEqual(act(orders, 'list', items, asked(undefined), random), { status: 200, body: items });
    assert.deepEqual(act(orders, 'list', items, asked(undefined, undefined, { qty: '1' }), random).body, [items[1]]);
    assert.deepEqual(act(orders, 'list', items, asked(undefined, undefined, { toString: 'x' }), random).body, [], 'a field the items do not own matches none');
    assert.deepEqual(act(orders, 'get', items, asked('7'), random), { status: 200, body: items[1] });
    assert.match(code(() => act(orders, 'get', items, asked('8'), random)), /^MW_ITEM_NOT_FOUND orders has no item whose id is 8$/);
  });

  it('creates with the next number, keeps a given id, refuses a taken one, a body that is not an object, and past maxItems', () => {
    const random = createRandom(1);
    const created = act(orders, 'create', items, asked(undefined, { item: 'rye' }), random);
    assert.deepEqual(created, { status: 201, body: { item: 'rye', id: 8 }, location: '/api/orders/8', items: [...items, { item: 'rye', id: 8 }], change: { collection: 'orders', action: 'created', id: 8, item: { item: 'rye', id: 8 } } });
    assert.equal(act(orders, 'create', [], asked(undefined, { item: 'first' }), random).body && (act(orders, 'create', [], asked(undefined, { item: 'first' }), random).body as { id: number }).id, 1, 'an empty list starts at 1');
    assert.deepEqual(act(orders, 'create', items, asked(undefined, { id: 'a b', x: 1 }), random).location, '/api/orders/a%20b', 'a given id is kept, and escaped in Location');
    assert.match(code(() => act(orders, 'create', items, asked(undefined, { id: '7' }), random)), /^MW_ITEM_EXISTS orders has an item whose id is 7/);
    for (const id of [{ no: 1 }, 1.5, 2 ** 53, Number.MAX_VALUE]) assert.match(code(() => act(orders, 'create', items, asked(undefined, { id }), random)), /^MW_HTTP_BAD_REQUEST An item's id is a string or a whole number/);
    const unsafe = act(orders, 'create', [{ id: 2 ** 53 - 1 }], asked(undefined, {}), random).body as { id: unknown };
    assert.equal(typeof unsafe.id, 'string', 'past the last exact whole number, a UUID rather than a number that repeats');
    for (const body of [[1], 'text', null, undefined]) assert.match(code(() => act(orders, 'create', items, asked(undefined, body), random)), /^MW_HTTP_BAD_REQUEST An item of orders is a JSON object/);
    assert.match(code(() => act(orders, 'create', [...items, { id: 9 }], asked(undefined, { item: 'x' }), random)), /^MW_STATE_REFUSED orders holds 3 items, its maxItems/);
    const mixed = act(orders, 'create', [{ id: 'a' }], asked(undefined, {}), createRandom(5)).body as { id: string };
    assert.match(mixed.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'ids that are not all numbers: a UUID');
    assert.equal((act(orders, 'create', [{ id: 'a' }], asked(undefined, {}), createRandom(5)).body as { id: string }).id, mixed.id, 'the same seed, the same id');
  });

  it('replaces and updates keeping the id the path names (and its type); deletes; each says its change', () => {
    const random = createRandom(1);
    const replaced = act(orders, 'replace', items, asked('7', { id: 99, item: 'oat' }), random);
    assert.deepEqual([replaced.status, replaced.body, replaced.items, replaced.change?.action], [200, { id: 7, item: 'oat' }, [items[0], { id: 7, item: 'oat' }], 'replaced']);
    const updated = act(orders, 'update', items, asked('1', { qty: 5, id: 'x' }), random);
    assert.deepEqual([updated.body, updated.items?.[0], updated.items?.[1], updated.change?.action], [{ id: 1, item: 'tea', qty: 5 }, { id: 1, item: 'tea', qty: 5 }, items[1], 'updated']);
    const deleted = act(orders, 'delete', items, asked('1'), random);
    assert.deepEqual([deleted.status, deleted.body, deleted.items, deleted.change], [204, undefined, [items[1]], { collection: 'orders', action: 'deleted', id: 1, item: items[0] }]);
    for (const action of ['replace', 'update', 'delete'] as const) assert.match(code(() => act(orders, action, items, asked('2', {}), random)), /^MW_ITEM_NOT_FOUND/);
    assert.deepEqual(items, [{ id: 1, item: 'tea', qty: 2 }, { id: 7, item: 'milk', qty: 1 }], 'the list given is never changed');
  });
});

describe('a collection\'s list in the state', () => {
  it('is the seed while the scope holds none, a list of objects as it is, and anything else a failure that says how to reset it', () => {
    const seeded = { ...orders, seed: [{ id: 1 }] };
    assert.deepEqual(itemsOf(seeded, undefined, 'global'), [{ id: 1 }]);
    assert.deepEqual(itemsOf(seeded, [], 'global'), []);
    for (const held of [null, {}, [null], [1], 'x']) assert.throws(() => itemsOf(seeded, held, 'scope:t'), /the state's orders in scope:t is not a list of objects.*DELETE \/admin\/state\/scope:t\?key=orders/);
  });
});

describe('a collection at load', () => {
  const files = (dir: string) => ({ dir, label: 'the configuration\'s folder', hideEnv: false });
  const load = (settings: Record<string, unknown>, dir = tempDir('mockwave-collection-')) => {
    try {
      return [...loadCollections({ c: collectionSettingsSchema.parse(settings) }, files(dir)).values()];
    } catch (error) {
      return (error as MockwaveError).details;
    }
  };

  it('takes inline data or a file, each item naming itself once; refuses the rest, naming where', () => {
    const dir = tempDir('mockwave-collection-');
    writeFileSync(join(dir, 'ok.json'), JSON.stringify([{ sku: 'a' }]));
    writeFileSync(join(dir, 'object.json'), JSON.stringify({ sku: 'a' }));
    writeFileSync(join(dir, 'broken.json'), '[{');
    assert.deepEqual((load({ file: 'ok.json', id: 'sku' }, dir) as Collection[])[0]?.seed, [{ sku: 'a' }]);
    assert.deepEqual(load({ file: 'object.json', id: 'sku' }, dir), ['http.collections.c.file: expected an array of objects']);
    assert.match(String(load({ file: 'broken.json' }, dir)), /^http\.collections\.c\.file: broken\.json cannot be read as JSON/);
    writeFileSync(join(dir, 'numbers.json'), '[1]');
    assert.deepEqual(load({ file: 'numbers.json' }, dir), ['http.collections.c.file: item 0 is not an object']);
    assert.equal(collectionSettingsSchema.safeParse({ data: [1] }).success, false, 'inline data is checked by the schema');
    assert.deepEqual(load({ data: [{ id: 1 }, { id: '1' }] }), ['http.collections.c.data: item 1: id 1 is there twice']);
    assert.deepEqual(load({ data: [{ id: true }] }), ['http.collections.c.data: item 0 has no id (a string or a whole number)']);
    assert.throws(() => loadCollections({ c: collectionSettingsSchema.parse({ data: [{ id: 1, text: 'x'.repeat(2000) }] }) }, files(dir), 1024), (error: MockwaveError) => /^http\.collections\.c: the seed is over stateStore\.maxScopeBytes \(1024 bytes as JSON\)/.test(String(error.details?.[0])));
    assert.deepEqual(load({ data: [{ id: 1 }, { id: 2 }], maxItems: 1 }), ['http.collections.c: 2 items, over maxItems (1)']);
    assert.equal((load({ scope: 'client' }) as Collection[])[0]?.publishTo, 'caller', 'a caller\'s own list tells only that caller by default');
    assert.equal((load({}) as Collection[])[0]?.publishTo, 'all');
    assert.equal(collectionSettingsSchema.safeParse({ data: [], file: 'x.json' }).success, false);
    assert.equal(collectionSettingsSchema.safeParse({ publish: [{ stream: 's', data: 1 }] }).success, false);
  });
});
