/**
 * Reading an AsyncAPI document: YAML or JSON, with every `$ref` resolved, local (`#/components/...`) or to
 * another file beside it (`./schemas.yaml#/Order`), recursively, also through references on the way
 * (`#/channels/echo/messages/ping` where `channels/echo` is itself a reference to another file). A name
 * written with an unescaped "/" (`#/components/schemas/orders/v1`, as some generators write them) is found
 * when exactly one reading of it exists. A reference that loops back on itself is cut (left as an empty
 * schema, with a warning) rather than expanded forever; one that leads nowhere is replaced by a placeholder
 * the model recognises (`missing`), so no data is ever made up for it.
 *
 * Written here rather than taken from @asyncapi/parser: the parser rejects real documents whose examples do
 * not match their own schemas (the Kraken one does), pulls in Spectral and dozens of packages, and mockwave
 * needs only references resolved; what the document means is read in model.ts, leniently, with warnings.
 */
import { dirname, resolve } from 'node:path';
import { MockwaveError } from '../errors/catalog.ts';
import { pointerKeys } from '../util/path.ts';
import { readDataFile } from '../util/data-file.ts';
import { isPlainObject } from '../util/plain-object.ts';

export interface AsyncApiDocument {
  /** 2 or 3, from the `asyncapi` field. */
  readonly major: 2 | 3;
  readonly version: string;
  /** The document with every reference replaced by what it points to. */
  readonly root: Record<string, unknown>;
  readonly file: string;
  readonly warnings: string[];
  /** The name a resolved object had where it was defined (`ping` for `#/components/messages/ping`). */
  readonly refNames: WeakMap<object, string>;
  /** Placeholders standing where a reference led nowhere: a message whose schema holds one is not served. */
  readonly missing: WeakSet<object>;
}

function parseFile(file: string): unknown {
  return readDataFile(file, 'AsyncAPI document');
}

/** True for a document mockwave should read as AsyncAPI rather than as its own configuration. */
export function isAsyncApi(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)['asyncapi'] === 'string';
}

/** Where a `$ref` leads: a file and a pointer into it (percent-decoded segments). */
interface Target {
  readonly file: string;
  readonly keys: readonly string[];
}

function targetOf(ref: string, base: string): Target {
  const [target = '', fragment = ''] = ref.split('#');
  const file = target === '' ? base : resolve(dirname(base), target);
  const pointer = fragment === '' || fragment === '/' ? '' : fragment.startsWith('/') ? fragment : `/${fragment}`;
  return { file, keys: pointerKeys(pointer, decodeURIComponent) };
}

/** A file of the document by its path, each parsed once, when first referred to. */
type Documents = (file: string) => unknown;

/**
 * Follows `keys` from `node` in `file`, stepping through any `$ref` met on the way (into its own file). At a
 * key that is not there, the rest of the keys joined by "/" is tried as one name (and shorter joins), which is
 * how generators' unescaped names read; only a single match counts.
 */
function follow(document: Documents, node: unknown, file: string, keys: readonly string[], hops = 0): { node: unknown; file: string } | undefined {
  let current = node;
  let where = file;
  for (let i = 0; i < keys.length; i++) {
    while (isPlainObject(current) && typeof current['$ref'] === 'string' && hops++ < 32) {
      const next = targetOf(current['$ref'], where);
      const found = follow(document, document(next.file), next.file, next.keys, hops);
      if (found === undefined) return undefined;
      ({ node: current, file: where } = found);
    }
    if (!isPlainObject(current) && !Array.isArray(current)) return undefined;
    const key = keys[i] as string;
    if (Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
      continue;
    }
    const joined: { node: unknown; file: string }[] = [];
    for (let end = keys.length; end > i + 1; end--) {
      const name = keys.slice(i, end).join('/');
      if (!Object.hasOwn(current, name)) continue;
      const rest = follow(document, (current as Record<string, unknown>)[name], where, keys.slice(end), hops);
      if (rest !== undefined) joined.push(rest);
    }
    return joined.length === 1 ? joined[0] : undefined;
  }
  return { node: current, file: where };
}

/**
 * Replaces every reference of a document by what it points to. Every source object is resolved once and
 * shared (so an operation's channel *is* the channel under `channels`, and a schema used in many places is
 * expanded once); `stack` catches reference loops.
 */
class Resolver {
  readonly warnings: string[] = [];
  readonly refNames = new WeakMap<object, string>();
  readonly missing = new WeakSet<object>();
  readonly #memo = new WeakMap<object, unknown>();
  readonly #document: Documents;

  constructor(document: Documents) {
    this.#document = document;
  }

  walk(node: unknown, base: string, stack: readonly string[]): unknown {
    if (Array.isArray(node)) return node.map((item) => this.walk(item, base, stack));
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    const ref = record['$ref'];
    if (typeof ref === 'string') return this.#resolve(ref, base, stack);
    if (this.#memo.has(record)) return this.#memo.get(record);
    const out: Record<string, unknown> = {};
    this.#memo.set(record, out);
    for (const [key, value] of Object.entries(record)) out[key] = this.walk(value, base, stack);
    return out;
  }

  #resolve(ref: string, base: string, stack: readonly string[]): unknown {
    if (/^[a-z]+:\/\//i.test(ref)) return this.#missing(`${ref}: remote references are not fetched; what uses it is left out`);
    const target = targetOf(ref, base);
    const key = `${target.file}#/${target.keys.join('/')}`;
    if (stack.includes(key)) {
      this.warnings.push(`${ref}: refers back to itself; the loop is cut there`);
      return {};
    }
    const found = follow(this.#document, this.#document(target.file), target.file, target.keys);
    if (found === undefined || found.node === undefined) return this.#missing(`${ref}: nothing there (or more than one reading of its name); what uses it is left out`);
    const resolved = this.walk(found.node, found.file, [...stack, key]);
    const name = target.keys.at(-1);
    if (resolved !== null && typeof resolved === 'object' && name !== undefined && name !== '' && !this.refNames.has(resolved)) this.refNames.set(resolved, name);
    return resolved;
  }

  /** A placeholder the model recognises, where a reference led nowhere: nothing is made up for it. */
  #missing(warning: string): object {
    this.warnings.push(warning);
    const placeholder = {};
    this.missing.add(placeholder);
    return placeholder;
  }
}

export function loadAsyncApi(file: string): AsyncApiDocument {
  const path = resolve(file);
  const files = new Map<string, unknown>([[path, parseFile(path)]]);
  const top = files.get(path);
  if (!isAsyncApi(top)) throw new MockwaveError('MW_CONFIG_INVALID', `${file} is not an AsyncAPI document (no "asyncapi" version field)`);
  const version = String((top as Record<string, unknown>)['asyncapi']);
  const major = version.startsWith('2.') ? 2 : version.startsWith('3.') ? 3 : undefined;
  if (major === undefined) throw new MockwaveError('MW_CONFIG_INVALID', `${file}: AsyncAPI ${version} is not supported (2.x and 3.x are)`);
  const resolver = new Resolver((target) => {
    if (!files.has(target)) files.set(target, parseFile(target));
    return files.get(target);
  });
  const root = resolver.walk(top, path, []) as Record<string, unknown>;
  return { major, version, root, file: path, warnings: resolver.warnings, refNames: resolver.refNames, missing: resolver.missing };
}
