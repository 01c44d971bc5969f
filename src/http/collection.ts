/**
 * Collections, for CRUD mocks (what Mockoon's data buckets and json-server give): `http.collections` names
 * lists of items, seeded from inline `data` or a JSON `file`, and a route's `collection` step lists, reads,
 * creates, replaces, updates and deletes them. The items are kept in the state store under the collection's
 * name (`{{state.orders}}`), so rules, routes, streams and templates read them as any state, `/admin/state`
 * shows and edits them, and a reset of the state brings back the seed: a scope that holds no list reads the
 * seed. Each change is published to the collection's `publish` targets as `{ collection, action, id, item }`.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import { publishStep, type PublishTarget } from '../steps/index.ts';
import { uuid } from '../templates/index.ts';
import type { Random } from '../util/random.ts';
import { resolveFile, type FileScope } from './files.ts';

type Item = Readonly<Record<string, unknown>>;

/** The largest seed `file` read at load: a seed is kept whole in the state store. */
const MAX_SEED_BYTES = 16 * 1024 * 1024;

const isItem = (value: unknown): value is Item => typeof value === 'object' && value !== null && !Array.isArray(value);

export const collectionSettingsSchema = z
  .strictObject({
    data: z.array(z.record(z.string(), z.unknown())).optional().describe('The items it starts with (and comes back to after a state reset).'),
    file: z.string().min(1).optional().describe('A JSON file (an array of objects) it starts with, relative to the configuration\'s folder; read at load.'),
    id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { message: 'expected a field name' }).default('id').describe('The field that names an item (default id); a created item without one gets the next number, or a UUID when ids are not numbers.'),
    scope: z.enum(['global', 'client', 'scope']).optional().describe('Where its items are kept: global, client (each HTTP caller its own, by stateStore.caller) or scope (the test scope). Default: the request\'s test scope when it names one, else global.'),
    publishTo: z.enum(['all', 'caller']).optional().describe('Who is told of a change: every subscriber (all), or the connections of the caller who made it (caller: they carry its stateStore.caller cookie or header). Default: caller when scope is client, else all.'),
    publish: z.array(publishStep.schema).default([]).describe('Streams (or endpoints) told of each change, as { collection, action, id, item }.'),
    maxItems: z.number().int().min(1).max(1_000_000).default(10_000).describe('Items it may hold; a create past it is refused (MW_STATE_REFUSED).'),
  })
  .refine((c) => c.data === undefined || c.file === undefined, { message: 'give data or file, not both' })
  .refine((c) => c.publish.every((target) => target.data === undefined), { path: ['publish'], message: 'a collection publishes its change ({ collection, action, id, item }): give no data' });

export const collectionsSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { message: 'a collection\'s name is a state key: letters, digits, _ and -' }), collectionSettingsSchema)
  .default({})
  .describe('Lists of items that `collection` steps serve as a REST resource, kept in the state store under their name.');

export type CollectionSettings = z.output<typeof collectionSettingsSchema>;

export interface Collection {
  readonly name: string;
  readonly idField: string;
  readonly seed: readonly Item[];
  readonly scope: CollectionSettings['scope'];
  readonly publish: readonly PublishTarget[];
  readonly publishTo: 'all' | 'caller';
  readonly maxItems: number;
}

/** Each item is an object naming itself, once: checked at load, so a request never meets a broken seed. */
function seedProblem(items: unknown, idField: string): string | undefined {
  if (!Array.isArray(items)) return 'expected an array of objects';
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (!isItem(item)) return `item ${i} is not an object`;
    const id = item[idField];
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isSafeInteger(id))) return `item ${i} has no ${idField} (a string or a whole number)`;
    if (seen.has(String(id))) return `item ${i}: ${idField} ${String(id)} is there twice`;
    seen.add(String(id));
  }
  return undefined;
}

function readSeed(file: string, files: FileScope, where: string): unknown {
  const { path } = resolveFile(file, files, where);
  try {
    if (statSync(path).size > MAX_SEED_BYTES) throw new Error(`over ${MAX_SEED_BYTES} bytes`);
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const problem = `${where}.file: ${file} cannot be read as JSON (${errorMessage(error)})`;
    throw new MockwaveError('MW_CONFIG_INVALID', problem, { details: [problem] });
  }
}

/**
 * The collections of a configuration, seeds read and checked; a problem is the configuration's. `maxBytes`:
 * what one state scope may hold (`stateStore.maxScopeBytes`): a seed larger could be read but never changed.
 */
export function loadCollections(settings: Readonly<Record<string, CollectionSettings>>, files: FileScope, maxBytes = Infinity): ReadonlyMap<string, Collection> {
  const collections = new Map<string, Collection>();
  const problems: string[] = [];
  for (const [name, c] of Object.entries(settings)) {
    const where = `http.collections.${name}`;
    const seed = c.file === undefined ? (c.data ?? []) : readSeed(c.file, files, where);
    const problem = seedProblem(seed, c.id);
    if (problem !== undefined) problems.push(`${where}.${c.file === undefined ? 'data' : 'file'}: ${problem}`);
    else if ((seed as Item[]).length > c.maxItems) problems.push(`${where}: ${(seed as Item[]).length} items, over maxItems (${c.maxItems})`);
    else if (Buffer.byteLength(JSON.stringify(seed)) > maxBytes) problems.push(`${where}: the seed is over stateStore.maxScopeBytes (${maxBytes} bytes as JSON): it could never be changed`);
    else collections.set(name, Object.freeze({ name, idField: c.id, seed: Object.freeze([...(seed as Item[])]), scope: c.scope, publish: c.publish, publishTo: c.publishTo ?? (c.scope === 'client' ? 'caller' : 'all'), maxItems: c.maxItems }));
  }
  if (problems.length > 0) throw new MockwaveError('MW_CONFIG_INVALID', `Invalid configuration: ${problems.join('; ')}`, { details: problems });
  return collections;
}

export const COLLECTION_ACTIONS = ['list', 'get', 'create', 'replace', 'update', 'delete'] as const;
export type CollectionAction = (typeof COLLECTION_ACTIONS)[number];

/**
 * The list a scope holds under the collection's name (the seed while it holds none). Rules, the admin API and
 * the state file can write that key too: what is not a list of objects there is the route's failure, said.
 */
export function itemsOf(collection: Collection, held: unknown, scope: string): readonly Item[] {
  if (held === undefined) return collection.seed;
  if (Array.isArray(held) && held.every(isItem)) return held;
  throw new Error(`the state's ${collection.name} in ${scope} is not a list of objects, so the collection cannot read it (reset it: DELETE /admin/state/${scope}?key=${collection.name})`);
}

/** The actions that change the list: never on GET or HEAD, whatever the step names. */
export const CHANGES: ReadonlySet<CollectionAction> = new Set(['create', 'replace', 'update', 'delete']);

/** The action a request asks for, by its method and whether its path names an item. */
export function actionOf(method: string, id: string | undefined): CollectionAction | undefined {
  if (id === undefined) return method === 'GET' || method === 'HEAD' ? 'list' : method === 'POST' ? 'create' : undefined;
  return ({ GET: 'get', HEAD: 'get', PUT: 'replace', PATCH: 'update', DELETE: 'delete' } as Record<string, CollectionAction | undefined>)[method];
}

/** What an action did: the answer, and (when it changed anything) the new list and the change to publish. */
export interface Acted {
  readonly status: number;
  readonly body: unknown;
  readonly location?: string | undefined;
  readonly items?: readonly Item[] | undefined;
  readonly change?: { readonly collection: string; readonly action: 'created' | 'replaced' | 'updated' | 'deleted'; readonly id: string | number; readonly item: Item } | undefined;
}

export interface CollectionRequest {
  readonly path: string;
  readonly id: string | undefined;
  readonly query: Readonly<Record<string, string>>;
  /** The body as JSON, read only by the actions that take one. */
  body(): unknown;
}

/**
 * A new item's id: the next whole number while every id is one (and the next stays exact), else a UUID from
 * the run's (seeded) randomness that no item holds.
 */
function newId(items: readonly Item[], idField: string, random: Random): string | number {
  let highest = 0;
  let numbers = true;
  for (const item of items) {
    const id = item[idField];
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) numbers = false;
    else if (id > highest) highest = id;
  }
  if (numbers && Number.isSafeInteger(highest + 1)) return highest + 1;
  const taken = new Set(items.map((item) => String(item[idField])));
  let id = uuid(random);
  while (taken.has(id)) id = uuid(random);
  return id;
}

function objectBody(request: CollectionRequest, collection: Collection): Item {
  const body = request.body();
  if (!isItem(body)) throw new MockwaveError('MW_HTTP_BAD_REQUEST', `An item of ${collection.name} is a JSON object; the body is not one`);
  return body;
}

function notFound(collection: Collection, id: string): never {
  throw new MockwaveError('MW_ITEM_NOT_FOUND', `${collection.name} has no item whose ${collection.idField} is ${id}`);
}

/** Runs one action on `items` (the list as the request's scopes read it); pure, so each action is tested alone. */
export function act(collection: Collection, action: CollectionAction, items: readonly Item[], request: CollectionRequest, random: Random): Acted {
  const { idField, name } = collection;
  const at = request.id === undefined ? -1 : items.findIndex((item) => String(item[idField]) === request.id);
  const found = at < 0 ? undefined : (items[at] as Item);
  switch (action) {
    case 'list': {
      const filters = Object.entries(request.query);
      return { status: 200, body: filters.length === 0 ? items : items.filter((item) => filters.every(([field, value]) => Object.hasOwn(item, field) && String(item[field]) === value)) };
    }
    case 'get':
      return found === undefined ? notFound(collection, request.id as string) : { status: 200, body: found };
    case 'create': {
      const body = objectBody(request, collection);
      const given = body[idField];
      if (given !== undefined && typeof given !== 'string' && !(typeof given === 'number' && Number.isSafeInteger(given))) throw new MockwaveError('MW_HTTP_BAD_REQUEST', `An item's ${idField} is a string or a whole number (at most 2^53 - 1)`);
      if (given !== undefined && items.some((item) => String(item[idField]) === String(given))) throw new MockwaveError('MW_ITEM_EXISTS', `${name} has an item whose ${idField} is ${String(given)}: PUT or PATCH it`);
      if (items.length >= collection.maxItems) throw new MockwaveError('MW_STATE_REFUSED', `${name} holds ${items.length} items, its maxItems: the item is not added`);
      const id = given ?? newId(items, idField, random);
      const item = { ...body, [idField]: id };
      return { status: 201, body: item, location: `${request.path.replace(/\/$/, '')}/${encodeURIComponent(String(id))}`, items: [...items, item], change: { collection: name, action: 'created', id, item } };
    }
    case 'replace':
    case 'update': {
      if (found === undefined) return notFound(collection, request.id as string);
      const body = objectBody(request, collection);
      // The item keeps the id its path names (and its type: a number stays a number), whatever the body says.
      const id = found[idField] as string | number;
      const item = action === 'replace' ? { ...body, [idField]: id } : { ...found, ...body, [idField]: id };
      return { status: 200, body: item, items: items.with(at, item), change: { collection: name, action: action === 'replace' ? 'replaced' : 'updated', id, item } };
    }
    case 'delete': {
      if (found === undefined) return notFound(collection, request.id as string);
      const id = found[idField] as string | number;
      return { status: 204, body: undefined, items: items.filter((_, i) => i !== at), change: { collection: name, action: 'deleted', id, item: found } };
    }
  }
}
