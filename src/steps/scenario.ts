/**
 * Scenarios as WireMock users write them, on a rule or an HTTP route: `scenario: checkout`, `requiredState:
 * paid` (it applies only in that state; every scenario starts in `Started`), `newState: shipped` (matching
 * it moves the scenario there). One mechanism, two spellings: a scenario is the global state's
 * `scenarios.<name>`, `requiredState` a `state:` condition on it and `newState` a `setState` step run first.
 */
import { z } from 'zod';
import { mayRead } from '../templates/index.ts';
import { brief } from './explain.ts';
import { compileStateCondition, type StateCondition, type StateConditionConfig } from './state.ts';

/** Where a scenario keeps its state: `scenarios.<name>` of the global scope. */
export const SCENARIOS_KEY = 'scenarios';
/** The state every scenario starts in (WireMock's). */
export const SCENARIO_STARTED = 'Started';

export const scenarioFields = {
  scenario: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'expected a scenario name of letters, digits, - and _' }).optional().describe('The scenario this belongs to (WireMock\'s): its state is the global state\'s scenarios.<name>, Started at first.'),
  requiredState: z.string().min(1).optional().describe('Applies only while the scenario is in this state.'),
  newState: z.string().min(1).optional().describe('Matching moves the scenario to this state.'),
};

interface ScenarioConfig {
  readonly scenario?: string | undefined;
  readonly requiredState?: string | undefined;
  readonly newState?: string | undefined;
}

/** Why a rule's or route's scenario fields cannot be used, or undefined. */
export function scenarioProblem(config: ScenarioConfig): string | undefined {
  if (config.scenario === undefined) return config.requiredState !== undefined || config.newState !== undefined ? 'requiredState and newState need a scenario: name it' : undefined;
  return config.requiredState === undefined && config.newState === undefined ? `scenario ${config.scenario}: say requiredState, newState or both` : undefined;
}

/** The `state:` condition a `requiredState` means: the scenario's state, `Started` while it has none. */
export function scenarioCondition(config: ScenarioConfig): StateConditionConfig | undefined {
  if (config.scenario === undefined || config.requiredState === undefined) return undefined;
  return { [`${SCENARIOS_KEY}.${config.scenario}`]: { eq: config.requiredState, default: SCENARIO_STARTED } };
}

/** `steps` with, first, the `setState` step a `newState` means (as parsed: the step tables compile it). */
export function withScenarioStep<S>(config: ScenarioConfig, steps: readonly S[]): readonly S[] {
  if (config.scenario === undefined || config.newState === undefined) return steps;
  const step = { setState: { scope: 'global', set: { [`${SCENARIOS_KEY}.${config.scenario}`]: config.newState } } };
  return [step as S, ...steps];
}

/** A rule's or route's `state:` and its scenario's `requiredState`, both holding; undefined when it has neither. */
export function compileBehaviourState(config: ScenarioConfig & { readonly state?: StateConditionConfig | undefined }): StateCondition | undefined {
  const conditions = [config.state, scenarioCondition(config)].filter((c): c is StateConditionConfig => c !== undefined).map(compileStateCondition);
  if (conditions.length <= 1) return conditions[0];
  const [first, second] = conditions as [StateCondition, StateCondition];
  return (context, services) => first(context, services) && second(context, services);
}

/** What a rule's or route's one line says of its state: ` while state {...}`, ` in scenario checkout at paid`. */
export function explainBehaviourState(config: ScenarioConfig & { readonly state?: StateConditionConfig | undefined }): string {
  const state = config.state === undefined ? '' : ` while state ${brief(config.state)}`;
  const scenario = config.scenario === undefined || config.requiredState === undefined ? '' : ` in scenario ${config.scenario} at ${config.requiredState}`;
  return `${state}${scenario}`;
}

/** Whether a rule or route reads state (a `state:`, a `requiredState`, a template of `state` in these steps): its runs then get `state`. */
export function readsState(config: ScenarioConfig & { readonly state?: StateConditionConfig | undefined }, ...lists: readonly (readonly unknown[] | undefined)[]): boolean {
  return config.state !== undefined || config.requiredState !== undefined || lists.some((steps) => steps !== undefined && mayRead(steps, ['state']));
}
