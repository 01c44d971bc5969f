/**
 * The steps both sides have, defined once: `delay` (the rest of the list runs later) and `publish` (a
 * message to WebSocket clients). Each side's table adds them beside its own steps.
 */
import { z } from 'zod';
import { compileTemplate } from '../templates/index.ts';
import { drawIn, numberOrRangeSchema, parseRange, type NumberRange } from '../util/range.ts';
import { brief, msText } from './explain.ts';
import { defineStep, type PublishTarget, type StepScope } from './step.ts';

export const delayStep = defineStep({
  schema: numberOrRangeSchema({ max: 3_600_000 }),
  compile(delay) {
    // The schema accepted it, so it parses.
    const range = parseRange(delay) as NumberRange;
    return (run: StepScope) => ({ wait: drawIn(range, run.host.random) });
  },
  explain: (delay) => `delay ${msText(delay)}`,
});

const PUBLISH_EXPECTED = 'expected a stream name, { stream, endpoint?, data? } (a stream\'s subscribers) or { endpoint, data } (every client of an endpoint)';

/**
 * The one shape, `{ stream, endpoint?, data? }` (without a stream, every client of `endpoint`), and the
 * spellings written before it: a stream's name alone, and `{ endpoint, message }`. Each is turned into the one
 * shape here, so the compiled step, the checks at load and the admin API's definitions see only that.
 */
const publishObject = z
  .strictObject(
    {
    stream: z.string().min(1).optional().describe('The stream whose subscribers get the message.'),
    endpoint: z.string().min(1).optional().describe('The endpoint holding the stream (when several have one of that name); without a stream, every client of this endpoint gets `data`.'),
    data: z.unknown().optional().describe('What is sent, templated; without it a stream sends its own payload.'),
    message: z.unknown().optional().describe('The name `data` had in `{ endpoint, message }`; still read.'),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? PUBLISH_EXPECTED : undefined) },
  )
  .superRefine((target, ctx) => {
    if (target.stream === undefined && target.endpoint === undefined) ctx.addIssue({ code: 'custom', message: 'give a stream (its subscribers get the message) or an endpoint (every client of it gets `data`)' });
    if (target.message !== undefined && (target.stream !== undefined || target.data !== undefined)) ctx.addIssue({ code: 'custom', path: ['message'], message: '`message` is the name `data` had in { endpoint, message }: give `data` only' });
  })
  .transform(({ stream, endpoint, data, message }): PublishTarget => {
    const sent = data !== undefined ? data : message;
    const optional = { ...(endpoint === undefined ? {} : { endpoint }), ...(sent === undefined ? {} : { data: sent }) };
    return stream === undefined ? { endpoint: endpoint as string, ...optional } : { stream, ...optional };
  });

/** A stream's name alone is read as `{ stream }` first, so every spelling is checked by the one object. */
const publishSchema = z.preprocess((value) => (typeof value === 'string' ? { stream: value } : value), publishObject);

export const publishStep = defineStep({
  schema: publishSchema,
  templates: [['data'], ['message']],
  compile(target) {
    const render = target.data === undefined ? undefined : compileTemplate(target.data);
    return (run: StepScope) => {
      run.host.publish(render === undefined ? target : { ...target, data: render(run.context, run.host.templates) }, run.source);
    };
  },
  explain: (target) =>
    target.stream === undefined
      ? `publish ${target.data === undefined ? 'nothing' : brief(target.data)} to every client of ${target.endpoint}`
      : `publish ${target.stream}${target.endpoint === undefined ? '' : ` on ${target.endpoint}`}${target.data === undefined ? '' : ` ${brief(target.data)}`}`,
});
