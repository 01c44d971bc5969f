/**
 * State in behaviours, one mechanism for rules, routes and (later) streams: a `state:` condition beside
 * `when`, and the `setState` step, shared by both step tables.
 *
 * A condition is an expression over the state (`"cart.items > 0 && user.role == 'admin'"`: a bare name is a
 * field of the state) or an object of dotted paths, each equal to a value or compared
 * (`{ loggedIn: true, "cart.items": { gt: 0 }, role: { in: [admin, owner] } }`).
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import { pathParts, readAt } from '../state/paths.ts';
import { GLOBAL_SCOPE, layerOf, type StateChange, type StateStore } from '../state/store.ts';
import { compileCondition, compileTemplate, conditionProblem, type RenderContext, type TemplateServices } from '../templates/index.ts';
import { brief } from './explain.ts';
import { defineStep, type StepScope } from './step.ts';

const COMPARISONS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists', 'default'] as const;

const comparisonSchema = z.strictObject({
  eq: z.unknown().optional(),
  ne: z.unknown().optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
  in: z.array(z.unknown()).optional(),
  exists: z.boolean().optional(),
  /** The value compared while the path holds none (a scenario's `Started`, a count's 0). */
  default: z.unknown().optional(),
});

const isComparison = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 && Object.keys(value).every((key) => (COMPARISONS as readonly string[]).includes(key));

/** Why a dotted path cannot be written, or undefined. */
function pathProblem(path: string): string | undefined {
  try {
    pathParts(path);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

/** A record keyed by dotted paths: each key checked with its own message (zod's key check says only "Invalid key"). */
function pathRecord<T extends z.ZodType>(value: T) {
  return z.record(z.string(), value).superRefine((fields, ctx) => {
    for (const path of Object.keys(fields)) {
      const problem = pathProblem(path);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [path], message: problem });
    }
  });
}

const statePath = z.string().superRefine((path, ctx) => {
  const problem = pathProblem(path);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** Chosen by type rather than by a union, so a mistake is reported in the form the user wrote. */
export const stateConditionSchema = z
  .custom<string | Readonly<Record<string, unknown>>>((value) => typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value)), {
    error: 'expected an expression over the state ("cart.items > 0") or an object of dotted paths ({ loggedIn: true })',
  })
  .superRefine((condition, ctx) => {
    if (typeof condition === 'string') {
      const problem = conditionProblem(condition);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      return;
    }
    for (const [path, value] of Object.entries(condition)) {
      const problem = pathProblem(path);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [path], message: problem });
      else if (isComparison(value) && !comparisonSchema.safeParse(value).success) ctx.addIssue({ code: 'custom', path: [path], message: `expected { ${COMPARISONS.join(', ')} } with numbers for gt, gte, lt and lte and a list for in` });
    }
  })
  .describe('What the state must hold for this to apply: an expression over the state ("cart.items > 0"), or dotted paths each equal to a value or compared ({ loggedIn: true, "cart.items": { gt: 0, default: 0 }, role: { in: [admin] } }).');

export type StateConditionConfig = z.output<typeof stateConditionSchema>;

/** A compiled `state:` condition: reads `context.state`. */
export type StateCondition = (context: RenderContext, services: TemplateServices) => boolean;

/** Equality of a state value with one written in the configuration: `===` for a primitive, deep otherwise. */
function equalTo(expected: unknown): (actual: unknown) => boolean {
  return typeof expected === 'object' && expected !== null ? (actual) => isDeepStrictEqual(actual, expected) : (actual) => actual === expected;
}

/**
 * One path's check, compiled once: a value is equality, a comparison each of its parts. Made at load so a
 * message pays only for the checks written (a gated rule is on the message path).
 */
function compileCheck(expected: unknown): (found: unknown) => boolean {
  if (!isComparison(expected)) return equalTo(expected);
  const c = expected as z.output<typeof comparisonSchema>;
  const checks: ((actual: unknown) => boolean)[] = [];
  const numeric = (test: (n: number) => boolean) => (actual: unknown) => typeof actual === 'number' && test(actual);
  if (c.eq !== undefined) checks.push(equalTo(c.eq));
  if (c.ne !== undefined) {
    const same = equalTo(c.ne);
    checks.push((actual) => !same(actual));
  }
  const { gt, gte, lt, lte } = c;
  if (gt !== undefined) checks.push(numeric((n) => n > gt));
  if (gte !== undefined) checks.push(numeric((n) => n >= gte));
  if (lt !== undefined) checks.push(numeric((n) => n < lt));
  if (lte !== undefined) checks.push(numeric((n) => n <= lte));
  if (c.in !== undefined) {
    const among = c.in.map(equalTo);
    checks.push((actual) => among.some((same) => same(actual)));
  }
  if (c.exists !== undefined) {
    const exists = c.exists;
    checks.push((actual) => (actual !== undefined) === exists);
  }
  const fallback = c.default;
  return (found) => {
    const actual = found === undefined ? fallback : found;
    return checks.every((check) => check(actual));
  };
}

export function compileStateCondition(condition: StateConditionConfig): StateCondition {
  if (typeof condition === 'string') {
    const render = compileCondition(condition, 'state');
    return (context, services) => Boolean(render(context, services));
  }
  const checks = Object.entries(condition).map(([path, expected]) => ({ parts: pathParts(path), check: compileCheck(expected) }));
  return (context) => checks.every(({ parts, check }) => check(readAt(context.state, parts)));
}

/**
 * `context` with `state`: what the run reads, as a plain field (a getter there made every template's reads
 * slower). A `setState` step refreshes it, so the steps after it read the change. Made only for a rule or
 * route that reads state, once per message or request: the copy is that run's own. Copied with
 * Object.assign, not a spread: on Node 20, `{ ...context, state }` took 0.9-1 µs, the assign 0.09 µs.
 */
export function withState(context: RenderContext, state: StateStore, scopes: readonly string[]): RenderContext {
  const copy: { -readonly [K in keyof RenderContext]: RenderContext[K] } = Object.assign({}, context);
  copy.state = state.view(scopes);
  return copy;
}

/** Which scope a `setState` writes: `global`, the run's client (or HTTP caller), or its test scope. */
const SCOPES = ['global', 'client', 'scope'] as const;

const fieldsOf = <T extends z.ZodType>(value: T) => pathRecord(value).optional();

const setStateSchema = z
  .strictObject({
    scope: z.enum(SCOPES).optional().describe('Where the change goes: global, client (this connection or HTTP caller) or scope (the test scope). Default: the test scope when the run has one, else global.'),
    set: fieldsOf(z.unknown()).describe('Dotted path -> value (templated).'),
    merge: fieldsOf(z.record(z.string(), z.unknown())).describe('Dotted path -> fields added to the object there (templated).'),
    increment: fieldsOf(z.number()).describe('Dotted path -> number added (a missing value counts as 0).'),
    append: fieldsOf(z.unknown()).describe('Dotted path -> value appended to the list there (templated).'),
    delete: z.array(statePath).optional().describe('Dotted paths removed.'),
  })
  .refine((s) => s.set !== undefined || s.merge !== undefined || s.increment !== undefined || s.append !== undefined || s.delete !== undefined, { message: 'say what to change: set, merge, increment, append or delete' })
  .describe('Changes the state: { set, merge, increment, append, delete, scope }.');

/** The scope a run writes to when `scope` names one of its layers (`stateScopes`: global, test scope, client). */
export function scopeFor(run: Pick<StepScope, 'stateScopes'>, scope: (typeof SCOPES)[number] | undefined): string {
  const layers = run.stateScopes;
  if (scope === 'global') return GLOBAL_SCOPE;
  if (scope === 'client') {
    const own = layerOf(layers, 'client') ?? layerOf(layers, 'caller');
    if (own === undefined) throw new MockwaveError('MW_STATE_REFUSED', 'scope client: this run has no client (an HTTP request has one when stateStore.caller names a header or cookie it carries)');
    return own;
  }
  if (scope === 'scope') {
    const test = layerOf(layers, 'scope');
    if (test === undefined) throw new MockwaveError('MW_STATE_REFUSED', 'scope scope: this run names no test scope (x-mockwave-scope)');
    return test;
  }
  return layerOf(layers, 'scope') ?? GLOBAL_SCOPE;
}

/** The name of the test scope a run reads (its `scope:<name>` layer), if it names one: where its changes are journaled. */
export function testScopeOf(run: Pick<StepScope, 'stateScopes'>): string | undefined {
  return layerOf(run.stateScopes, 'scope')?.slice('scope:'.length);
}

export const setStateStep = defineStep({
  schema: setStateSchema,
  templates: [['set'], ['merge'], ['append']],
  compile(value) {
    const render = (fields: Readonly<Record<string, unknown>> | undefined) => (fields === undefined ? undefined : compileTemplate(fields));
    const set = render(value.set);
    const merge = render(value.merge);
    const append = render(value.append);
    return (run: StepScope) => {
      const { context, host } = run;
      const change: StateChange = {
        set: set?.(context, host.templates) as StateChange['set'],
        merge: merge?.(context, host.templates) as StateChange['merge'],
        increment: value.increment,
        append: append?.(context, host.templates) as StateChange['append'],
        delete: value.delete,
      };
      host.state.change(scopeFor(run, value.scope), change, run.source, testScopeOf(run));
      // The run's own context (withState's copy) reads the change from here on.
      if (context.state !== undefined) (context as { state: RenderContext['state'] }).state = host.state.view(run.stateScopes);
    };
  },
  explain: (value) => {
    const parts = [
      value.set === undefined ? '' : `set ${brief(value.set)}`,
      value.merge === undefined ? '' : `merge ${brief(value.merge)}`,
      value.increment === undefined ? '' : `increment ${brief(value.increment)}`,
      value.append === undefined ? '' : `append ${brief(value.append)}`,
      value.delete === undefined ? '' : `delete ${value.delete.join(', ')}`,
    ].filter((part) => part !== '');
    return `setState ${parts.join(', ')}${value.scope === undefined ? '' : ` (${value.scope})`}`;
  },
});
