/**
 * A stream's per-subscriber `condition`, written either way its users write it:
 *
 * - an expression: `price > 100`, `data.price > 100 && data.symbol == 'AAPL'`, `!(symbol in ("A", "B"))`:
 *   comparisons, `&&` / `and`, `||` / `or`, `!` / `not`, arithmetic, `in`, strings in single or double quotes,
 *   numbers, and field paths. A bare name is a field of the tick's data (`price` is `data.price`), and
 *   `data`, `params` (the subscription's) and `client` are reachable by name; in a `state:` condition a bare
 *   name is a field of the state, and `state`, `client`, `message` and `request` are reachable by name. Evaluated by filtrex, which compiles
 *   only its own grammar (no calls, no property access beyond what we resolve: own properties only);
 * - the template form: `gt data.price 50`, `eq data.symbol params.symbol` (a helper call), or `{{ … }}`;
 * - a constant: `true`, `false`, `always`.
 *
 * A condition that fails at run time (a field of the wrong type) counts as false.
 */
import type * as Filtrex from 'filtrex';
import { errorMessage } from '../errors/error-message.ts';
import { lazy } from '../util/lazy.ts';
import { readPath } from '../util/path.ts';
import type { Render, RenderContext } from './ast.ts';
import { checkTemplates, compileTemplate } from './compile.ts';
import { HELPER_NAMES } from './helpers.ts';

const filtrex = lazy<typeof Filtrex>('filtrex');

const CONSTANTS: Readonly<Record<string, boolean>> = { true: true, false: false, always: true };
/**
 * What a bare name reads: a field of the tick's data (a stream's condition), or of the state (a `state:`
 * condition, where `cart.items` is `state.cart.items`).
 */
export type BareRoot = 'data' | 'state';

/** The names each kind of condition reaches as roots; any other name is a field of its bare root. */
const ROOTS: Readonly<Record<BareRoot, ReadonlySet<string>>> = { data: new Set(['data', 'params', 'client']), state: new Set(['state', 'client', 'message', 'request']) };

/** The template form: braces, or a leading helper name followed by its arguments (`gt data.price 50`). */
function isTemplateForm(condition: string): boolean {
  if (condition.includes('{{')) return true;
  const first = /^\s*([A-Za-z_]\w*)\s+\S/.exec(condition)?.[1];
  return first !== undefined && HELPER_NAMES.has(first) && !/^\s*not\s*\(/.test(condition);
}

function asTemplate(condition: string): string {
  return condition.includes('{{') ? condition : `{{${condition}}}`;
}

/**
 * The JavaScript-style spellings users write, in filtrex's own: `&&` `||` `!` `===` `!==`, and strings in
 * single quotes (filtrex keeps single quotes for odd property names). Text inside strings is left alone.
 */
export function toFiltrex(expression: string): string {
  let out = '';
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i] as string;
    if (c === '"' || c === "'") {
      let j = i + 1;
      let body = '';
      while (j < expression.length && expression[j] !== c) {
        if (expression[j] === '\\' && j + 1 < expression.length) {
          body += expression.slice(j, j + 2);
          j += 2;
        } else body += expression[j++];
      }
      out += `"${c === "'" ? body.replace(/\\'/g, "'").replace(/"/g, '\\"') : body}"`;
      i = j;
      continue;
    }
    const two = expression.slice(i, i + 2);
    const three = expression.slice(i, i + 3);
    if (three === '===' || three === '!==') {
      out += three === '===' ? '==' : '!=';
      i += 2;
    } else if (two === '&&' || two === '||') {
      out += two === '&&' ? ' and ' : ' or ';
      i += 1;
    } else if (c === '!' && expression[i + 1] !== '=') out += ' not ';
    else out += c;
  }
  return out;
}

/** Reads a field path: `data.x`, `params.x`, `client.x`, `state.x`, or a bare `x` of `bare`; own properties only. */
function resolve(name: string, context: RenderContext, bare: BareRoot): unknown {
  const parts = name.split('.');
  return ROOTS[bare].has(parts[0] as string) ? readPath(context, parts) : readPath(context[bare], parts);
}

function compileExpression(condition: string, bare: BareRoot = 'data'): Render {
  const compiled = filtrex().compileExpression(toFiltrex(condition), {
    constants: { true: true, false: false },
    customProp: (name: string, _get: unknown, context: RenderContext) => resolve(name, context, bare),
  });
  return (context) => {
    const result: unknown = compiled(context);
    // filtrex returns (rather than throws) a type error, e.g. a missing field compared with `>`.
    return result instanceof Error ? false : result;
  };
}

/** Why a condition cannot be used (with filtrex's own pointer to the place), or undefined. */
export function conditionProblem(condition: string): string | undefined {
  const trimmed = condition.trim();
  if (Object.hasOwn(CONSTANTS, trimmed)) return undefined;
  if (isTemplateForm(condition)) return checkTemplates(asTemplate(condition))[0]?.message;
  try {
    compileExpression(condition);
    return undefined;
  } catch (error) {
    const rewritten = toFiltrex(condition);
    // filtrex points into the text it read: show that text when it is not what the user wrote.
    const read = rewritten === condition ? '' : ` (read as ${JSON.stringify(rewritten)})`;
    return `not an expression mockwave can read${read}: ${errorMessage(error).replace(/\s*\n\s*/g, ' | ')}`;
  }
}

/** A condition, compiled once: truthy when the tick goes to this subscriber (or, `bare: 'state'`, when the state holds). */
export function compileCondition(condition: string, bare: BareRoot = 'data'): Render {
  const trimmed = condition.trim();
  if (Object.hasOwn(CONSTANTS, trimmed)) {
    const value = CONSTANTS[trimmed];
    return () => value;
  }
  if (isTemplateForm(condition)) return compileTemplate(asTemplate(condition));
  return compileExpression(condition, bare);
}
