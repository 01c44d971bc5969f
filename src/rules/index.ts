export { RuleEngine, type RuleFigures, type Step } from './engine.ts';
export type { RuleHost } from './host.ts';
export { explainRule, explainWhen } from './explain.ts';
export { compilePartial, compileWhen, partialEqual, type Incoming, type Matcher } from './match.ts';
export { compileRegex, pathConstraintProblem } from './regex.ts';
export type { ActionConfig } from './actions.ts';
export { actionSchema, closeCodeSchema, closeReasonSchema, regexSchema, ruleSchema, whenSchema, type RuleConfig, type WhenConfig } from './schema.ts';
