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

/**
 * Evaluators that read only the context (paths, literals): a render made of these alone needs no frame. A
 * render builds a frame per call otherwise, so telling them apart saves an object per path on the reply path.
 */
const CONTEXT_ONLY = new WeakSet<Evaluate>();

function contextOnly(evaluate: Evaluate): Evaluate {
  CONTEXT_ONLY.add(evaluate);
  return evaluate;
}

const LITERALS = new Set(['StringLiteral', 'NumberLiteral', 'BooleanLiteral', 'UndefinedLiteral', 'NullLiteral']);

/** The hash every helper call without one gets: helpers only read it. */
const EMPTY_HASH: Readonly<Record<string, unknown>> = Object.freeze({});

function expression(node: Node): Evaluate | undefined {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral': {
      const value = node['value'];
      return contextOnly(() => value);
    }
    case 'UndefinedLiteral':
      return contextOnly(() => undefined);
    case 'NullLiteral':
      return contextOnly(() => null);
    case 'PathExpression': {
      // @data variables and `this`/`../` paths need Handlebars' frames.
      if (node['data'] === true || node['depth'] !== 0 || node['original'] === 'this') return undefined;
      const parts = node['parts'] as string[];
      if (parts.length === 0) return undefined;
      return contextOnly((context) => readPath(context, parts));
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
  const hashPairs = (node['hash'] as { pairs: { key: string; value: Node }[] } | undefined)?.pairs ?? [];
  const pairs = hashPairs.map((p) => [p.key, expression(p.value)] as const);
  if (params.some((p) => p === undefined) || pairs.some(([, v]) => v === undefined)) return undefined;
  const evaluators = params as Evaluate[];
  const hashes = pairs as (readonly [string, Evaluate])[];
  const loc = node['loc'];
  // A hash of literals (`precision=2`) is the same object for every call: built once, and read-only.
  const literalHash = hashPairs.every((p) => LITERALS.has(p.value.type))
    ? hashes.length === 0
      ? EMPTY_HASH
      : Object.freeze(Object.fromEntries(hashes.map(([key, value]) => [key, value({}, undefined as unknown as FrameData)])))
    : undefined;
  return (context, data) => {
    let hash = literalHash;
    if (hash === undefined) {
      const built: Record<string, unknown> = {};
      for (const [key, value] of hashes) built[key] = value(context, data);
      hash = built;
    }
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
    if (CONTEXT_ONLY.has(only)) return (context) => only(context, undefined as unknown as FrameData);
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
