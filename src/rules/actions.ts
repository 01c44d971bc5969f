/**
 * The actions of WebSocket rules (and of an endpoint's `onConnect`), as a table of step definitions: the
 * shared `delay` and `publish` (`src/steps/shared.ts`) beside the WebSocket side's own. A new action is a new
 * entry here; its schema, order, templates, compiled form and one-line phrase all come from it.
 */
import { z } from 'zod';
import { compileTemplate, type Render } from '../templates/index.ts';
import { binaryPayload, base64Problem } from '../util/binary.ts';
import { brief, defineStep, delayStep, publishStep, setStateStep, type Done, type StepConfigOf, type StepTable } from '../steps/index.ts';
import { generateStep } from './generate.ts';
import type { RuleScope } from './host.ts';
import { closeCodeSchema, closeReasonSchema } from './value-schemas.ts';

const toText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const required = z.unknown().refine((v) => v !== undefined, { message: 'is required' });

/** What `close` and `drop` end the list with: nothing more runs. */
const STOP: Done<undefined> = { done: undefined };

const replyStep = defineStep({
  schema: required.describe('A message (or a list of them) sent back, templated with `message` and `client` in scope.'),
  templates: [[]],
  compile(reply) {
    const renders: Render[] = (Array.isArray(reply) ? reply : [reply]).map((item) => compileTemplate(item));
    return ({ peer, context, host, source }: RuleScope) => {
      for (const render of renders) peer.send(toText(render(context, host.templates)), source);
    };
  },
  explain: (reply) => `reply ${Array.isArray(reply) ? reply.map((item) => brief(item)).join(' + ') : brief(reply)}`,
});

const replyBinaryStep = defineStep({
  schema: required
    .superRefine((value, ctx) => {
      const problem = typeof value === 'string' && !value.includes('{{') ? base64Problem(value) : undefined;
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('A binary message sent back: a string is base64 (templated, e.g. "{{messageBase64}}" echoes), any other value its JSON text as bytes.'),
  templates: [[]],
  compile(replyBinary) {
    const render = compileTemplate(replyBinary);
    const constant = render.constant ? binaryPayload(replyBinary, 'replyBinary') : undefined;
    return ({ peer, context, host, source }: RuleScope) => {
      peer.sendData(constant ?? binaryPayload(render(context, host.templates), 'replyBinary'), true, source);
    };
  },
  explain: (replyBinary) => `reply binary ${brief(replyBinary)}`,
});

const closeStep = defineStep({
  schema: z.strictObject({ code: closeCodeSchema.default(1000), reason: closeReasonSchema.default('') }),
  final: true,
  compile: (close) => ({ peer }: RuleScope) => {
    peer.close(close.code, close.reason);
    return STOP;
  },
  explain: (close) => `close ${close.code}${close.reason === '' ? '' : ` ${brief(close.reason)}`}`,
});

const dropStep = defineStep({
  schema: z.literal(true),
  final: true,
  compile: () => () => STOP,
  explain: () => 'drop',
});

/** `refuse`: the dialect's own error, so a client sees a refusal as it sees the server's (a subscribe before login). */
const refuseStep = defineStep({
  schema: z.string().min(1).max(1000).describe('Answers with the dialect\'s error (code MW_REFUSED) saying this (templated): the message is refused as the server refuses a bad one.'),
  templates: [[]],
  compile(refuse) {
    const render = compileTemplate(refuse);
    return ({ peer, context, host }: RuleScope) => {
      host.refuse(peer, toText(render(context, host.templates)));
    };
  },
  explain: (refuse) => `refuse ${brief(refuse)}`,
});

const logStep = defineStep({
  schema: z.string().min(1).max(1000).describe('A line for the log (templated), at most one per client per second with a count of those left out: to see what no rule expected.'),
  templates: [[]],
  compile(log) {
    const render = compileTemplate(log);
    return ({ peer, context, host }: RuleScope) => {
      host.log(peer, toText(render(context, host.templates)));
    };
  },
  explain: (log) => `log ${brief(log)}`,
});

/** Every action by its key: what the rule schema parses and the rule engine compiles. */
export const ACTION_TABLE = {
  reply: replyStep,
  replyBinary: replyBinaryStep,
  delay: delayStep,
  publish: publishStep,
  close: closeStep,
  drop: dropStep,
  log: logStep,
  refuse: refuseStep,
  generate: generateStep,
  setState: setStateStep,
} as const satisfies StepTable<RuleScope, undefined, unknown>;

export type ActionConfig = StepConfigOf<typeof ACTION_TABLE>;
