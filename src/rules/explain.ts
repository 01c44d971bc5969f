/**
 * A rule in one line, as mockttp's `explain()` says a rule: `when {"type":"ping"} then reply {"type":"pong"},
 * delay 100-200 ms`. Each action's phrase comes from its definition (actions.ts); a `when` reads as what it
 * matches. HTTP routes say their body matcher the same way.
 */
import { brief, explainBehaviourState, explainSteps, withScenarioStep } from '../steps/index.ts';
import { ACTION_TABLE, type ActionConfig } from './actions.ts';
import { MATCHER_KEYS, type MatcherConfig, type RuleConfig, type WhenConfig } from './schema.ts';

export function explainActions(actions: readonly ActionConfig[]): string {
  return explainSteps(ACTION_TABLE, actions);
}

function explainBinary(binary: NonNullable<MatcherConfig['binary']>): string {
  if (typeof binary === 'boolean') return binary ? 'binary' : 'text frames';
  const parts = [binary.length === undefined ? '' : ` of ${binary.length} bytes`, binary.prefix === undefined ? '' : ` starting ${binary.prefix}`];
  return `binary${parts.join('')}`;
}

/** What a `when` matches: its partial JSON, or each matcher it names. */
export function explainWhen(when: WhenConfig): string {
  const matcher = when as MatcherConfig;
  const named = MATCHER_KEYS.filter((key) => matcher[key] !== undefined);
  if (named.length === 0) return brief(when);
  return named
    .map((key) => {
      if (key === 'binary') return explainBinary(matcher.binary as NonNullable<MatcherConfig['binary']>);
      if (key === 'schema') return 'a JSON Schema';
      if (key === 'text') return `text /${matcher.text ?? ''}/`;
      if (key === 'jsonPath') return `jsonPath ${matcher.jsonPath ?? ''}`;
      return `${key} ${brief(matcher[key])}`;
    })
    .join(' and ');
}

export function explainRule(rule: RuleConfig): string {
  const onFailure = rule.onFailure === undefined || rule.onFailure.length === 0 ? '' : `; on failure ${explainActions(rule.onFailure)}`;
  return `when ${explainWhen(rule.when)}${explainBehaviourState(rule)} then ${explainActions(withScenarioStep(rule, rule.then))}${rule.continue ? ', then later rules' : ''}${onFailure}`;
}
