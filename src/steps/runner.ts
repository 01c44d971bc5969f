/**
 * The one runner of steps, for rules and routes. It stays synchronous until a step waits or answers later:
 * a list of steps that only reply returns its result at once, with no promise made (a WebSocket message
 * matched by a rule costs no promise). A step that waits hands the rest to its run's `wait`; a step that
 * answers later returns a promise, and the runner goes on after it.
 */
import type { Outcome, RunResult, Step, StepRun } from './step.ts';

/** Runs `steps` from `from` until one ends the list; what it ended with (a promise only once a step made one). */
export function runSteps<X extends StepRun<R>, R>(steps: readonly Step<X, R>[], run: X, from = 0): RunResult<R> {
  for (let i = from; i < steps.length; i++) {
    let outcome: Outcome<R>;
    try {
      // A step that returns nothing returns undefined: `void` is only how TypeScript types such a function.
      outcome = (steps[i] as Step<X, R>)(run) as Outcome<R>;
    } catch (error) {
      return run.fail(error);
    }
    if (outcome !== undefined) return settle(outcome, steps, run, i);
  }
  return undefined;
}

/** What step `at` said: go on after it, wait, end with a value, or the same once its promise settles. */
function settle<X extends StepRun<R>, R>(outcome: Outcome<R>, steps: readonly Step<X, R>[], run: X, at: number): RunResult<R> {
  if (outcome === undefined) return runSteps(steps, run, at + 1);
  if (outcome instanceof Promise) return outcome.then((later: Outcome<R>) => settle(later, steps, run, at), (error: unknown) => run.fail(error));
  if ('wait' in outcome) return run.wait(outcome.wait, () => runSteps(steps, run, at + 1));
  return outcome.done;
}

/** A nested list's result as a step's outcome (a sequence runs one of its lists): a value ends the outer list too. */
export function outcomeOf<R>(result: RunResult<R>): Outcome<R> {
  if (result instanceof Promise) return result.then((value) => (value === undefined ? undefined : { done: value }));
  return result === undefined ? undefined : { done: result };
}
