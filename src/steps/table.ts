/**
 * Using a table of step definitions: a step as written is compiled, and explained, by the definition its
 * one key names. The schema (`schema.ts`) has already checked that the key is in the table.
 */
import type { AnyStepDefinition, Step, StepTable } from './step.ts';

function entry<X, R, C>(table: StepTable<X, R, C>, step: unknown): { definition: AnyStepDefinition<X, R, C>; value: never } {
  const key = Object.keys(step as object)[0] as string;
  const definition = table[key];
  // Only a parsed step reaches here; an unknown key is a bug, not a configuration problem.
  if (definition === undefined) throw new Error(`no step "${key}" in this table (${Object.keys(table).join(', ')})`);
  return { definition, value: (step as Record<string, never>)[key] as never };
}

export function compileStep<X, R, C>(table: StepTable<X, R, C>, step: unknown, context: C): Step<X, R> {
  const { definition, value } = entry(table, step);
  return definition.compile(value, context);
}

/** The phrases of a list of steps, joined: `reply {"type":"pong"}, delay 100-200 ms`. */
export function explainSteps<X, R, C>(table: StepTable<X, R, C>, steps: readonly unknown[]): string {
  return steps
    .map((step) => {
      const { definition, value } = entry(table, step);
      return definition.explain(value, (list) => explainSteps(table, list));
    })
    .join(', ');
}
