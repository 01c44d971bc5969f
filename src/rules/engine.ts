/**
 * Runs rules: the first matching rule's actions run in order (later rules too when it says `continue`).
 * Actions are looked up in a table by their key, so a new action is a new entry, not a new branch.
 */
import type { Peer } from '../hub/peer.ts';
import type { Render, RenderContext, TemplateServices } from '../templates/index.ts';
import { compileTemplate } from '../templates/index.ts';
import { createSchemaSampler, validatorFor, type SchemaSampler } from '../data/json-schema.ts';
import { deletePath, pointerKeys, readPath, writePath } from '../util/path.ts';
import type { Random } from '../util/random.ts';
import { parseRange, type NumberRange } from '../util/range.ts';
import { compileWhen, type Incoming, type Matcher } from './match.ts';
import type { ActionConfig, ActionName, RuleConfig } from './schema.ts';
import { binaryPayload } from '../util/binary.ts';

/** What actions may do, provided by the endpoint: rules never see a socket. */
export interface RuleHost {
  readonly random: Random;
  /** Runs `fn` after `ms` for this peer; the host cancels it when the peer goes or the server stops. */
  schedule(peer: Peer, fn: () => void, ms: number): void;
  readonly templates: TemplateServices;
  /** Sends a stream's message to its subscribers (data rendered by the rule, or the stream's own). */
  publish(stream: string, data: unknown): void;
  /** A `log` step's line, about this client (the host limits how often it is written). */
  log(peer: Peer, line: string): void;
  /** A step failed; `rule` names the rule (or `onConnect`). The host limits how often it is written. */
  onError(peer: Peer, error: unknown, rule: string): void;
}

export type Step = (peer: Peer, context: RenderContext, host: RuleHost) => number | 'stop' | void;

function toText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}


const ACTIONS: { [K in ActionName]: (config: Extract<ActionConfig, Record<K, unknown>>) => Step } = {
  reply: ({ reply }) => {
    const list = Array.isArray(reply) ? reply : [reply];
    const renders: Render[] = list.map((item) => compileTemplate(item));
    return (peer, context, host) => {
      for (const render of renders) peer.send(toText(render(context, host.templates)));
    };
  },
  replyBinary: ({ replyBinary }) => {
    const render = compileTemplate(replyBinary);
    const constant = render.constant ? binaryPayload(replyBinary, 'replyBinary') : undefined;
    return (peer, context, host) => peer.sendData(constant ?? binaryPayload(render(context, host.templates), 'replyBinary'), true);
  },
  delay: ({ delay }) => {
    // The schema accepted it, so it parses.
    const range = parseRange(delay) as NumberRange;
    return (_peer, _context, host) => (range.min === range.max ? range.min : host.random.int(range.min, range.max));
  },
  publish: ({ publish }) => {
    const stream = typeof publish === 'string' ? publish : publish.stream;
    const render = typeof publish === 'string' || publish.data === undefined ? undefined : compileTemplate(publish.data);
    return (_peer, context, host) => {
      host.publish(stream, render?.(context, host.templates));
    };
  },
  close: ({ close }) => (peer) => {
    peer.close(close.code, close.reason);
    return 'stop';
  },
  drop: () => () => undefined,
  log: ({ log }) => {
    const render = compileTemplate(log);
    return (peer, context, host) => host.log(peer, toText(render(context, host.templates)));
  },
  generate: ({ generate }) => {
    let sampler: SchemaSampler | undefined;
    const copies = Object.entries(generate.copy).map(([to, from]) => [pointerKeys(to), pointerKeys(from)] as const);
    const schema = generate.schema as { required?: unknown };
    const required = new Set(Array.isArray(schema.required) ? (schema.required as unknown[]) : []);
    const check = validatorFor(generate.schema);
    return (peer, context, host) => {
      // Made on first use, from the host's seeded randomness: json-schema-faker loads only when needed.
      sampler ??= createSchemaSampler({ schema: generate.schema, examples: generate.examples, seed: host.random.int(0, 2 ** 31 - 1), now: () => host.templates.clock.now(), label: 'generate' });
      const value = structuredClone(sampler.next());
      for (const [to, from] of copies) {
        const copied = readPath(context.message, from);
        if (value === null || typeof value !== 'object') break;
        if (copied !== undefined) writePath(value as Record<string, unknown>, to, copied);
        // Only what the client sent is copied: a correlation field it left out is left out of the reply too.
        else if (!(to.length === 1 && required.has(to[0]))) deletePath(value, to);
      }
      const problem = check(value);
      if (problem !== undefined) throw new Error(`the reply would not match its schema with what was copied from the request (${problem}); not sent`);
      peer.send(toText(value));
    };
  },
};

function compileAction(action: ActionConfig): Step {
  const key = Object.keys(action)[0] as keyof typeof ACTIONS;
  return (ACTIONS[key] as (a: ActionConfig) => Step)(action);
}

/** What a rule (or an endpoint's onConnect) has done: the admin API and the dashboard show it. */
interface Tally {
  readonly name: string;
  /** Steps run instead when one of the rule's steps fails. */
  readonly onFailure?: readonly Step[] | undefined;
  /** Messages this rule matched. */
  hits: number;
  /** Steps that failed (a reply that would not match its schema, a publish to no stream, …). */
  failures: number;
}

interface CompiledRule extends Tally {
  readonly matches: Matcher;
  readonly steps: readonly Step[];
  readonly continues: boolean;
}

/** A rule as the admin API and the dashboard show it. */
export interface RuleFigures {
  readonly name: string;
  readonly hits: number;
  readonly failures: number;
}

export class RuleEngine {
  readonly #rules: readonly CompiledRule[];

  constructor(rules: readonly RuleConfig[]) {
    this.#rules = rules.map((rule, index) => ({
      name: rule.name ?? `rules[${index}]`,
      matches: compileWhen(rule.when),
      steps: rule.then.map(compileAction),
      onFailure: rule.onFailure?.map(compileAction),
      continues: rule.continue,
      hits: 0,
      failures: 0,
    }));
  }

  /** Compiles a list of actions on their own (an endpoint's `onConnect`). */
  static compileActions(actions: readonly ActionConfig[]): readonly Step[] {
    return actions.map(compileAction);
  }

  /** The endpoint's onConnect steps, counted as a rule of their own. */
  readonly #onConnect: Tally = { name: 'onConnect', hits: 0, failures: 0 };

  /** Runs compiled actions for a peer, as a matching rule would (an endpoint's onConnect). */
  runActions(steps: readonly Step[], peer: Peer, context: RenderContext, host: RuleHost): void {
    this.#onConnect.hits += 1;
    this.#run(this.#onConnect, steps, 0, peer, context, host);
  }

  get size(): number {
    return this.#rules.length;
  }

  /** Each rule's name (or its place) and how many messages it matched. */
  figures(): RuleFigures[] {
    const rules = this.#rules.map((rule) => ({ name: rule.name, hits: rule.hits, failures: rule.failures }));
    return this.#onConnect.hits === 0 ? rules : [...rules, { ...this.#onConnect }];
  }

  /** Runs the matching rules' actions; returns false when no rule matched (the dialect handles it). */
  handle(peer: Peer, incoming: Incoming, context: RenderContext, host: RuleHost): boolean {
    let matched = false;
    for (const rule of this.#rules) {
      if (!rule.matches(incoming)) continue;
      matched = true;
      rule.hits += 1;
      this.#run(rule, rule.steps, 0, peer, context, host);
      if (!rule.continues) break;
    }
    return matched;
  }

  /** Runs steps from `index`; a delay schedules the rest on the clock and returns. */
  #run(tally: Tally, steps: readonly Step[], index: number, peer: Peer, context: RenderContext, host: RuleHost): void {
    for (let i = index; i < steps.length; i++) {
      let outcome: ReturnType<Step>;
      try {
        outcome = (steps[i] as Step)(peer, context, host);
      } catch (error) {
        tally.failures += 1;
        host.onError(peer, error, tally.name);
        // The failure steps run once, as a tally of their own: a failure there cannot loop back here.
        if (tally.onFailure !== undefined) this.#run({ name: `${tally.name} (onFailure)`, hits: 0, failures: 0 }, tally.onFailure, 0, peer, context, host);
        return;
      }
      if (outcome === 'stop') return;
      if (typeof outcome === 'number') {
        host.schedule(peer, () => this.#run(tally, steps, i + 1, peer, context, host), outcome);
        return;
      }
    }
  }
}
