/**
 * Templates: any string in a JSON value may hold Handlebars `{{ … }}`. A value is compiled once, at load,
 * into a renderer; rendering walks only the templated parts. A string that is exactly one expression keeps
 * the expression's type (`"{{float 1 2}}"` renders a number), anything else interpolates into a string.
 */
import type Handlebars from 'handlebars';
import { lazy } from '../util/lazy.ts';
import { isHelperCall, renderFrame, type Node, type Render } from './ast.ts';
import { compileDirect } from './direct.ts';
import { HELPERS, HELPER_NAMES } from './helpers.ts';
import { errorMessage } from '../errors/error-message.ts';

export type { Render, RenderContext } from './ast.ts';

const handlebars = lazy<typeof Handlebars>('handlebars');

export const CONTEXT_ROOTS: ReadonlySet<string> = new Set(['message', 'messageText', 'messageBase64', 'client', 'previous', 'params', 'data', 'request', 'state']);
const BUILT_IN_BLOCKS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with', 'lookup']);

export interface TemplateProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

// Synchronous rendering makes one slot enough to carry a single expression's typed value out of Handlebars.
let captured: unknown;
const capture = (value: unknown): string => {
  captured = value;
  return '';
};

/**
 * Handlebars wraps every registered helper on every render, so a render's cost grows with the number of
 * helpers in its environment. Each template gets an environment holding only the helpers it calls.
 */
function environmentFor(used: ReadonlySet<string>): typeof Handlebars {
  const env = handlebars().create();
  env.registerHelper('__capture', capture);
  for (const name of used) {
    const fn = HELPERS[name];
    if (fn !== undefined) env.registerHelper(name, fn as Handlebars.HelperDelegate);
  }
  return env;
}

const SINGLE = /^\s*\{\{(?!\{)\s*([^{}]*?)\s*\}\}\s*$/;

function checkPath(node: Node, where: string[]): void {
  if (node['data'] === true) return;
  const parts = node['parts'] as string[];
  const head = parts[0];
  if (head === undefined || node['original'] === 'this') return;
  if (!CONTEXT_ROOTS.has(head) && !HELPER_NAMES.has(head)) {
    where.push(`unknown helper or variable "${head}" (variables: ${[...CONTEXT_ROOTS].join(', ')}; helpers: ${[...HELPER_NAMES].join(', ')})`);
  }
}

/** Walks the AST and collects unknown helpers and variables, so a typo is a load error, not a surprise. */
function inspect(node: unknown, problems: string[], scoped: boolean, used: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) inspect(n, problems, scoped, used);
    return;
  }
  const n = node as Node;
  if (n.type === 'MustacheStatement' || n.type === 'SubExpression' || n.type === 'BlockStatement') {
    const path = n['path'] as Node;
    const name = String(path['original']);
    const params = n['params'] as unknown[];
    const hash = n['hash'] as { pairs: { value: unknown }[] } | undefined;
    if (HELPER_NAMES.has(name)) used.add(name);
    if (isHelperCall(n)) {
      if (!HELPER_NAMES.has(name) && !BUILT_IN_BLOCKS.has(name)) problems.push(`unknown helper "${name}" (helpers: ${[...HELPER_NAMES].join(', ')})`);
    } else if (!scoped) checkPath(path, problems);
    inspect(params, problems, scoped, used);
    inspect(hash?.pairs.map((p) => p.value), problems, scoped, used);
    // Inside each/with the context moves, so relative paths there are not checked.
    const inner = scoped || name === 'each' || name === 'with';
    inspect(n['program'], problems, inner, used);
    inspect(n['inverse'], problems, inner, used);
    return;
  }
  if (n.type === 'PathExpression') {
    if (!scoped) checkPath(n, problems);
    return;
  }
  if (n.type === 'Program') inspect(n['body'], problems, scoped, used);
}

function compileString(text: string): { render?: Render; problems: string[]; viaHandlebars?: boolean } {
  let ast: { body: Node[] };
  try {
    // Parsing needs no environment; each template compiles in one of its own (see environmentFor).
    ast = handlebars().parse(text) as unknown as { body: Node[] };
  } catch (error) {
    return { problems: [`template syntax: ${errorMessage(error).replace(/\s*\n\s*/g, ' ')}`] };
  }
  const problems: string[] = [];
  const used = new Set<string>();
  inspect(ast, problems, false, used);
  if (problems.length > 0) return { problems };

  const statements = ast.body.filter((s) => !(s.type === 'ContentStatement' && String(s['value']).trim() === ''));
  const single = SINGLE.exec(text);
  const only = statements[0];
  const typed = single !== null && statements.length === 1 && only?.type === 'MustacheStatement';
  const direct = compileDirect(typed ? statements : ast.body, typed);
  if (direct !== undefined) return { problems, render: direct };
  const env = environmentFor(used);
  const viaHandlebars = true;
  if (typed) {
    const inner = single[1] as string;
    const template = env.compile(`{{__capture ${isHelperCall(only) ? `(${inner})` : inner}}}`, { noEscape: true, strict: false });
    const state = new Map<string, unknown>();
    return {
      problems,
      viaHandlebars,
      render: (context, services) => {
        captured = undefined;
        template(context, { data: renderFrame(state, context, services) });
        return captured;
      },
    };
  }
  const template = env.compile(text, { noEscape: true });
  const state = new Map<string, unknown>();
  return { problems, viaHandlebars, render: (context, services) => template(context, { data: renderFrame(state, context, services) }) };
}

/** What compiling a value found: its problems, and how many of its strings need the Handlebars runtime. */
interface Compilation {
  readonly problems: TemplateProblem[];
  viaHandlebars: number;
}

function compileNode(value: unknown, path: (string | number)[], found: Compilation): Render | undefined {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return undefined;
    const compiled = compileString(value);
    for (const message of compiled.problems) found.problems.push({ path, message });
    if (compiled.viaHandlebars === true) found.viaHandlebars += 1;
    return compiled.render;
  }
  if (Array.isArray(value)) {
    const parts = value.map((item, i) => compileNode(item, [...path, i], found));
    if (parts.every((p) => p === undefined)) return undefined;
    return (context, services) => value.map((item, i) => (parts[i] === undefined ? item : parts[i](context, services)));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [key, item, compileNode(item, [...path, key], found)] as const);
    if (entries.every(([, , r]) => r === undefined)) return undefined;
    return (context, services) => {
      const out: Record<string, unknown> = {};
      for (const [key, item, render] of entries) out[key] = render === undefined ? item : render(context, services);
      return out;
    };
  }
  return undefined;
}

/** Finds every problem in a value's templates (unknown helper or variable, syntax), each with its path. */
export function checkTemplates(value: unknown): TemplateProblem[] {
  const found: Compilation = { problems: [], viaHandlebars: 0 };
  compileNode(value, [], found);
  return found.problems;
}

/** `constant`: no `{{` anywhere, renders as itself. `direct`: every template in it skips the Handlebars runtime. */
export type CompiledTemplate = Render & { readonly constant: boolean; readonly direct: boolean };

/**
 * Compiles a value once; a value with no `{{` is `constant` and renders as itself at no cost. Throws on a
 * bad template (configuration validation reports those first, with their paths).
 */
export function compileTemplate(value: unknown): CompiledTemplate {
  const found: Compilation = { problems: [], viaHandlebars: 0 };
  const render = compileNode(value, [], found);
  if (found.problems.length > 0) throw new TypeError(found.problems.map((p) => `${p.path.join('.') || '(value)'}: ${p.message}`).join('; '));
  return Object.assign(render ?? (() => value), { constant: render === undefined, direct: found.viaHandlebars === 0 });
}
