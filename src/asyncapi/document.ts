/**
 * Reading an AsyncAPI document: YAML or JSON, with every `$ref` resolved, local (`#/components/...`) or to
 * another file beside it (`./schemas.yaml#/Order`), recursively. A reference that loops back on itself is
 * cut (left as an empty schema, with a warning) rather than expanded forever.
 *
 * Written here rather than taken from @asyncapi/parser: the parser rejects real documents whose examples do
 * not match their own schemas (the Kraken one does), pulls in Spectral and dozens of packages, and mockwave
 * needs only references resolved; what the document means is read in model.ts, leniently, with warnings.
 */
import { dirname, resolve } from 'node:path';
import { MockwaveError } from '../errors/catalog.ts';
import { pointerKeys, readPath } from '../util/path.ts';
import { readDataFile } from '../util/data-file.ts';


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
}

function parseFile(file: string): unknown {
  return readDataFile(file, 'AsyncAPI document');
}

/** True for a document mockwave should read as AsyncAPI rather than as its own configuration. */
export function isAsyncApi(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)['asyncapi'] === 'string';
}

/** A `$ref` fragment is a JSON Pointer written into a URI: each segment is percent-decoded first. */
function pointer(root: unknown, fragment: string): unknown {
  if (fragment === '' || fragment === '/') return root;
  return readPath(root, pointerKeys(fragment.startsWith('/') ? fragment : `/${fragment}`, decodeURIComponent));
}

export function loadAsyncApi(file: string): AsyncApiDocument {
  const path = resolve(file);
  const files = new Map<string, unknown>([[path, parseFile(path)]]);
  const warnings: string[] = [];
  const top = files.get(path);
  if (!isAsyncApi(top)) throw new MockwaveError('MW_CONFIG_INVALID', `${file} is not an AsyncAPI document (no "asyncapi" version field)`);
  const version = String((top as Record<string, unknown>)['asyncapi']);
  const major = version.startsWith('2.') ? 2 : version.startsWith('3.') ? 3 : undefined;
  if (major === undefined) throw new MockwaveError('MW_CONFIG_INVALID', `${file}: AsyncAPI ${version} is not supported (2.x and 3.x are)`);

  const document = (target: string): unknown => {
    if (!files.has(target)) files.set(target, parseFile(target));
    return files.get(target);
  };
  // Every source object is resolved once and shared (so an operation's channel *is* the channel under
  // `channels`, and a schema used in many places is expanded once); `stack` catches reference loops.
  const memo = new WeakMap<object, unknown>();
  const refNames = new WeakMap<object, string>();
  const walk = (node: unknown, base: string, stack: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, base, stack));
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    const ref = record['$ref'];
    if (typeof ref === 'string') {
      const [target = '', fragment = ''] = ref.split('#');
      const targetFile = target === '' ? base : resolve(dirname(base), target);
      if (/^[a-z]+:\/\//i.test(target)) {
        warnings.push(`${ref}: remote references are not fetched; left as an empty schema`);
        return {};
      }
      const key = `${targetFile}#${fragment}`;
      if (stack.includes(key)) {
        warnings.push(`${ref}: refers back to itself; the loop is cut there`);
        return {};
      }
      const found = pointer(document(targetFile), fragment);
      if (found === undefined) {
        warnings.push(`${ref}: nothing there; left as an empty schema`);
        return {};
      }
      const resolved = walk(found, targetFile, [...stack, key]);
      const name = fragment.split('/').pop();
      if (resolved !== null && typeof resolved === 'object' && name !== undefined && name !== '' && !refNames.has(resolved)) refNames.set(resolved, decodeURIComponent(name));
      return resolved;
    }
    if (memo.has(record)) return memo.get(record);
    const out: Record<string, unknown> = {};
    memo.set(record, out);
    for (const [key, value] of Object.entries(record)) out[key] = walk(value, base, stack);
    return out;
  };
  return { major, version, root: walk(top, path, []) as Record<string, unknown>, file: path, warnings, refNames };
}
