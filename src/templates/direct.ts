/**
 * Direct evaluation of the templates most configurations use: text and `{{ }}` expressions made of paths,
 * literals, helper calls and sub-expressions, with no blocks (`#if`, `#each`). These skip the Handlebars
 * runtime, which builds a data frame and a proto-access wrapper on every render (about 0.7 us per template
 * string): on a rule-matched reply that is most of the server's work. Anything else returns undefined and
 * is rendered by Handlebars, so behaviour stays Handlebars' own.
 *
 * Semantics kept from Handlebars (compiled with noEscape, strict off): a missing path is undefined, only
 * own properties are read (no prototype access), null and undefined interpolate as '', helpers get
 * (...params, { hash, data, loc }).
 */
import { readPath } from '../util/path.ts';
import { isHelperCall, renderFrame, type Node, type Render, type RenderContext } from './ast.ts';
import { HELPERS, type FrameData } from './helpers.ts';

type Evaluate = (context: RenderContext, data: FrameData) => unknown;

function expression(node: Node): Evaluate | undefined {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral': {
      const value = node['value'];
      return () => value;
    }
    case 'UndefinedLiteral':
      return () => undefined;
    case 'NullLiteral':
      return () => null;
    case 'PathExpression': {
      // @data variables and `this`/`../` paths need Handlebars' frames.
      if (node['data'] === true || node['depth'] !== 0 || node['original'] === 'this') return undefined;
      const parts = node['parts'] as string[];
      if (parts.length === 0) return undefined;
      return (context) => readPath(context, parts);
    }
    case 'SubExpression':
      return call(node);
    default:
      return undefined;
  }
}

/** A helper call (a mustache or sub-expression with a helper name). */
function call(node: Node): Evaluate | undefined {
  const path = node['path'] as Node;
  const helper = path.type === 'PathExpression' ? HELPERS[String(path['original'])] : undefined;
  if (helper === undefined) return undefined;
  const params = (node['params'] as Node[]).map(expression);
  const pairs = ((node['hash'] as { pairs: { key: string; value: Node }[] } | undefined)?.pairs ?? []).map((p) => [p.key, expression(p.value)] as const);
  if (params.some((p) => p === undefined) || pairs.some(([, v]) => v === undefined)) return undefined;
  const evaluators = params as Evaluate[];
  const hashes = pairs as (readonly [string, Evaluate])[];
  const loc = node['loc'];
  return (context, data) => {
    const hash: Record<string, unknown> = {};
    for (const [key, value] of hashes) hash[key] = value(context, data);
    const args = evaluators.map((p) => p(context, data));
    args.push({ hash, data, loc });
    return (helper as (...a: unknown[]) => unknown)(...args);
  };
}

function mustache(node: Node): Evaluate | undefined {
  return isHelperCall(node) ? call(node) : expression(node['path'] as Node);
}

/**
 * A renderer for a parsed template, or undefined when it needs Handlebars. `single` keeps the value's type
 * (a template that is exactly one expression); otherwise parts are joined into a string.
 */
export function compileDirect(body: readonly Node[], single: boolean): Render | undefined {
  const parts: (string | Evaluate)[] = [];
  for (const statement of body) {
    if (statement.type === 'ContentStatement') parts.push(String(statement['value']));
    else if (statement.type === 'MustacheStatement') {
      const evaluate = mustache(statement);
      if (evaluate === undefined) return undefined;
      parts.push(evaluate);
    } else if (statement.type !== 'CommentStatement') return undefined;
  }
  const state = new Map<string, unknown>();
  if (single) {
    const only = parts.find((p) => typeof p !== 'string');
    if (typeof only !== 'function') return undefined;
    return (context, services) => only(context, renderFrame(state, context, services));
  }
  return (context, services) => {
    const data = renderFrame(state, context, services);
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') out += part;
      else {
        const value = part(context, data);
        if (value !== null && value !== undefined) out += String(value);
      }
    }
    return out;
  };
}
