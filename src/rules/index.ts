export { RuleEngine, type RuleFigures, type RuleHost, type Step } from './engine.ts';
export { compilePartial, compileWhen, partialEqual, type Incoming, type Matcher } from './match.ts';
export { compileRegex, pathConstraintProblem } from './regex.ts';
export { actionSchema, closeCodeSchema, regexSchema, ruleSchema, whenSchema, type ActionConfig, type RuleConfig, type WhenConfig } from './schema.ts';
