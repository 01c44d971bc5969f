/**
 * Which parts of the context a value's templates may read, decided once at load: a route builds only the
 * parts of `request` its templates can reach (its body is not parsed for a template that never reads it).
 * The answer errs on the side of reading: a template that reads the whole root (`{{json request}}`), moves
 * the context (a block's `this`, `../`, `@root`) or is not a template Handlebars can parse counts as reading
 * everything.
 */
import type Handlebars from 'handlebars';
import { lazy } from '../util/lazy.ts';
import type { Node } from './ast.ts';

const handlebars = lazy<typeof Handlebars>('handlebars');

/** Whether a path expression can reach `path`: it is `path`, inside it, or holds it (a whole root). */
function reaches(node: Node, path: readonly string[]): boolean {
  if (node['data'] === true || node['depth'] !== 0 || node['original'] === 'this') return true;
  const parts = node['parts'] as string[];
  const shorter = Math.min(parts.length, path.length);
  for (let i = 0; i < shorter; i++) if (parts[i] !== path[i]) return false;
  return true;
}

/** Whether an AST node may read `path`; inside a block that moves the context, any path may. */
function nodeReads(node: unknown, path: readonly string[], moved: boolean): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => nodeReads(n, path, moved));
  const n = node as Node;
  if (n.type === 'PathExpression') return moved || reaches(n, path);
  if (n.type === 'BlockStatement') {
    const name = String((n['path'] as Node)['original']);
    const inner = moved || name === 'each' || name === 'with';
    const hash = n['hash'] as { pairs: { value: unknown }[] } | undefined;
    return nodeReads(n['path'], path, moved) || nodeReads(n['params'], path, moved) || nodeReads(hash?.pairs.map((p) => p.value), path, moved) || nodeReads(n['program'], path, inner) || nodeReads(n['inverse'], path, inner);
  }
  if (n.type === 'MustacheStatement' || n.type === 'SubExpression') {
    const hash = n['hash'] as { pairs: { value: unknown }[] } | undefined;
    // A helper's own name is a path expression too: it reads nothing unless it names the path's root.
    const head = n['path'] as Node;
    const params = n['params'] as unknown[];
    const callee = params.length > 0 || hash !== undefined ? false : reaches(head, path);
    return callee || nodeReads(params, path, moved) || nodeReads(hash?.pairs.map((p) => p.value), path, moved) || (moved && head.type === 'PathExpression');
  }
  if (n.type === 'Program') return nodeReads(n['body'], path, moved);
  return false;
}

/** Whether any template in `value` (every string, at any depth) may read the context at `path`. */
export function mayRead(value: unknown, path: readonly string[]): boolean {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return false;
    try {
      return nodeReads(handlebars().parse(value), path, false);
    } catch {
      return true;
    }
  }
  if (Array.isArray(value)) return value.some((item) => mayRead(item, path));
  if (value !== null && typeof value === 'object') return Object.values(value).some((item) => mayRead(item, path));
  return false;
}
