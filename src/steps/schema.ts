/**
 * The one parser of steps: from a table of step definitions, the schema of one step (an object with one key
 * naming it, `src/util/one-key.ts`) and of a list of them, in an order that can run. Templates are checked at
 * load, where each definition says they are. The order check is the one check for both sides: nothing after a
 * final step (mockttp checks its step order the same way) and, for a route, a last step that answers.
 */
import { z } from 'zod';
import { checkTemplates } from '../templates/index.ts';
import { oneKeySchema } from '../util/one-key.ts';
import type { AnyStepDefinition, StepConfigOf } from './step.ts';

export interface StepListOptions {
  /** What one step is called in messages: `action` (rules), `step` (routes). */
  readonly noun: string;
  /** Why nothing may follow a final step, said after the step that breaks the order. */
  readonly afterFinal: (key: string) => string;
  /** The list must end with a final step; the message's start when it does not (`the last step must answer`). */
  readonly mustEnd?: string;
}

/** `a, b or c` */
function orList(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

type Table = Readonly<Record<string, AnyStepDefinition<never, unknown, never>>>;

const keyOf = (step: unknown): string | undefined => (step === null || typeof step !== 'object' ? undefined : Object.keys(step)[0]);

/** Checks the templates of a step's value as written, where its definition says they are, whether or not its schema accepted it. */
function templateCheck(table: Table) {
  return (key: string, value: unknown, ctx: z.RefinementCtx): void => {
    for (const where of table[key]?.templates ?? []) {
      let part = value;
      for (const field of where) part = part !== null && typeof part === 'object' ? (part as Record<string, unknown>)[field] : undefined;
      for (const problem of checkTemplates(part)) ctx.addIssue({ code: 'custom', path: [key, ...where, ...problem.path], message: problem.message });
    }
  };
}

/** The one order check: nothing runs after a final step; with `mustEnd`, the last step is a final one. */
function stepOrder(finals: readonly string[], options: StepListOptions) {
  return (steps: readonly unknown[], ctx: z.RefinementCtx): void => {
    const at = steps.findIndex((step) => finals.includes(keyOf(step) ?? ''));
    const key = keyOf(steps[at]) ?? '';
    if (at !== -1 && at < steps.length - 1) ctx.addIssue({ code: 'custom', path: [at + 1], message: `nothing runs after "${key}" (step ${at}): ${options.afterFinal(key)}` });
    if (options.mustEnd !== undefined && at === -1 && steps.length > 0) ctx.addIssue({ code: 'custom', path: [steps.length - 1], message: `${options.mustEnd}: ${orList(finals)}` });
  };
}

/** The schema of one step of `table` and of a list of them in an order that can run. */
export function stepSchemas<T extends Table>(table: T, options: StepListOptions) {
  const names = Object.keys(table);
  const schemas = Object.fromEntries(names.map((name) => [name, (table[name] as AnyStepDefinition<never, unknown, never>).schema])) as { [K in keyof T]: T[K]['schema'] };
  const step = oneKeySchema(schemas, { expected: `expected one ${options.noun}: ${orList(names)}`, check: templateCheck(table) }) as z.ZodType<StepConfigOf<T>, Record<string, unknown>>;
  const finals = names.filter((name) => table[name]?.final === true);
  const list = z.array(step).superRefine(stepOrder(finals, options));
  return { step, list };
}
