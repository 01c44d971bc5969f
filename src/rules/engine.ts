/**
 * Runs rules: the first matching rule's actions run in order (later rules too when it says `continue`), and
 * an endpoint's `onConnect` actions run for each new client. Actions come from the table of actions
 * (actions.ts) and run on the one runner of steps (`src/steps/runner.ts`), synchronously unless one waits:
 * a `delay` schedules the rest on the client's timers, cancelled when it leaves.
 */
import type { Peer } from '../hub/peer.ts';
import type { RenderContext } from '../templates/index.ts';
import { compileBehaviourState, compileStep, readsState, runSteps, withScenarioStep, withState, type RunResult, type StateCondition, type Step as AnyStep, type StepRun } from '../steps/index.ts';
import { mayRead } from '../templates/index.ts';
import { ACTION_TABLE, type ActionConfig } from './actions.ts';
import { explainActions, explainRule } from './explain.ts';
import type { RuleHost, RuleScope } from './host.ts';
import { compileWhen, type Incoming, type Matcher } from './match.ts';
import type { RuleConfig } from './schema.ts';
import { ruleSource, type MessageSource } from '../util/source.ts';

/** A compiled action. */
export type Step = AnyStep<RuleScope, undefined>;

/** What a rule (or an endpoint's onConnect) has done: the admin API and the dashboard show it. */
interface Tally {
  readonly name: string;
  /** What its messages are journaled as coming from: `rule:<name>`, made once. */
  readonly source: MessageSource;
  /** The rule in one line: `when {"type":"ping"} then reply {"type":"pong"}`. */
  readonly explain: string;
  /** Steps run instead when one of the rule's steps fails. */
  readonly onFailure?: readonly Step[] | undefined;
  /** Messages this rule matched. */
  hits: number;
  /** Steps that failed (a reply that would not match its schema, a publish to no stream, …). */
  failures: number;
}

interface CompiledRule extends Tally {
  readonly matches: Matcher;
  /** Its `state:` condition. */
  readonly holds: StateCondition | undefined;
  /** Whether it reads state (a `state:` condition, a template of `state`): its runs get `state` in their context. */
  readonly readsState: boolean;
  readonly steps: readonly Step[];
  readonly continues: boolean;
}

/** A rule as the admin API and the dashboard show it. */
export interface RuleFigures {
  readonly name: string;
  readonly explain: string;
  readonly hits: number;
  readonly failures: number;
}

const compileAction = (action: ActionConfig): Step => compileStep(ACTION_TABLE, action, undefined);

/**
 * One run of a rule's steps for one client: a delay schedules the rest on the client's timers; a failing
 * step is counted and logged, and the rule's `onFailure` steps run instead, once.
 */
class RuleRun implements StepRun<undefined>, RuleScope {
  constructor(
    readonly peer: Peer,
    readonly context: RenderContext,
    readonly host: RuleHost,
    readonly tally: Tally,
  ) {}

  get source(): MessageSource {
    return this.tally.source;
  }

  get stateScopes(): readonly string[] {
    return this.host.stateScopes(this.peer);
  }

  wait(ms: number, resume: () => RunResult<undefined>): undefined {
    this.host.schedule(this.peer, () => void resume(), ms);
    return undefined;
  }

  fail(error: unknown): undefined {
    const { tally } = this;
    tally.failures += 1;
    this.host.onError(this.peer, error, tally.name);
    // The failure steps run once, as a tally of their own: a failure there cannot loop back here.
    if (tally.onFailure !== undefined) void runSteps(tally.onFailure, new RuleRun(this.peer, this.context, this.host, { name: `${tally.name} (onFailure)`, source: tally.source, explain: '', hits: 0, failures: 0 }));
    return undefined;
  }
}

export class RuleEngine {
  readonly #rules: readonly CompiledRule[];
  /** The endpoint's onConnect steps, counted as a rule of their own. */
  readonly #onConnect: Tally & { readonly steps: readonly Step[]; readonly readsState: boolean };

  constructor(rules: readonly RuleConfig[], onConnect: readonly ActionConfig[] = []) {
    this.#rules = rules.map((rule, index) => ({
      name: rule.name ?? `rules[${index}]`,
      source: ruleSource(rule.name ?? `rules[${index}]`),
      explain: explainRule(rule),
      matches: compileWhen(rule.when),
      holds: compileBehaviourState(rule),
      readsState: readsState(rule, rule.then, rule.onFailure),
      steps: withScenarioStep(rule, rule.then).map(compileAction),
      onFailure: rule.onFailure?.map(compileAction),
      continues: rule.continue,
      hits: 0,
      failures: 0,
    }));
    this.#onConnect = { name: 'onConnect', source: ruleSource('onConnect'), explain: `on connect: ${explainActions(onConnect)}`, steps: onConnect.map(compileAction), readsState: mayRead(onConnect, ['state']), hits: 0, failures: 0 };
  }

  get size(): number {
    return this.#rules.length;
  }

  /** Whether there are onConnect steps to run for a new client. */
  get greets(): boolean {
    return this.#onConnect.steps.length > 0;
  }

  /** Runs the onConnect steps for a client that has just connected. */
  greet(peer: Peer, context: RenderContext, host: RuleHost): void {
    this.#onConnect.hits += 1;
    const run = this.#onConnect.readsState ? withState(context, host.state, host.stateScopes(peer)) : context;
    void runSteps(this.#onConnect.steps, new RuleRun(peer, run, host, this.#onConnect));
  }

  /** Each rule, then onConnect, in one line. */
  explain(): string[] {
    const rules = this.#rules.map((rule) => rule.explain);
    return this.greets ? [...rules, this.#onConnect.explain] : rules;
  }

  /** Each rule's name (or its place), its line and how many messages it matched; onConnect once it has run. */
  figures(): RuleFigures[] {
    const figures = ({ name, explain, hits, failures }: Tally): RuleFigures => ({ name, explain, hits, failures });
    const rules = this.#rules.map(figures);
    return this.#onConnect.hits === 0 ? rules : [...rules, figures(this.#onConnect)];
  }

  /** Runs the matching rules' actions; returns false when no rule matched (the dialect handles it). */
  handle(peer: Peer, incoming: Incoming, context: RenderContext, host: RuleHost): boolean {
    let matched = false;
    let stateful: RenderContext | undefined;
    for (const rule of this.#rules) {
      if (!rule.matches(incoming)) continue;
      let run = context;
      if (rule.readsState) {
        run = stateful ??= withState(context, host.state, host.stateScopes(peer));
        if (rule.holds !== undefined && !rule.holds(run, host.templates)) continue;
      }
      matched = true;
      rule.hits += 1;
      void runSteps(rule.steps, new RuleRun(peer, run, host, rule));
      if (!rule.continues) break;
    }
    return matched;
  }
}
