export { brief, msText } from './explain.ts';
export { outcomeOf, runSteps } from './runner.ts';
export { stepSchemas, type StepListOptions } from './schema.ts';
export { delayStep, publishStep } from './shared.ts';
export { compileStep, explainSteps } from './table.ts';
export { defineStep, type AnyStepDefinition, type Done, type ExplainList, type Outcome, type PublishTarget, type RunResult, type Step, type StepConfigOf, type StepDefinition, type StepHost, type StepRun, type StepScope, type StepTable, type Wait } from './step.ts';
export { compileBehaviourState, explainBehaviourState, readsState, scenarioFields, scenarioProblem, withScenarioStep } from './scenario.ts';
export { compileStateCondition, scopeFor, setStateStep, testScopeOf, withState, stateConditionSchema, type StateCondition, type StateConditionConfig } from './state.ts';
