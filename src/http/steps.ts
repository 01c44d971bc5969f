/**
 * A route's steps, compiled once: looked up by their key as the rule engine's actions are. A step either
 * answers the request (respond, forward; a sequence runs the list its call is due) and returns the status,
 * or does its work and lets the next step run (delay, publish).
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { MockwaveError } from '../errors/catalog.ts';
import type { StateStore } from '../state/state.ts';
import { compileTemplate, type RenderContext } from '../templates/index.ts';
import { parseRange, type NumberRange } from '../util/range.ts';
import { resolveFile, type FileScope } from './files.ts';
import { forward, type ForwardOptions } from './forward.ts';
import type { HttpRequestView } from './request.ts';
import { compileRespond, type RespondHost } from './respond.ts';
import type { HttpStep } from './schema.ts';

/** Where a publish step sends: a stream's subscribers, or every client of an endpoint. */
export type PublishTarget = { readonly stream: string; readonly endpoint?: string | undefined; readonly data?: unknown } | { readonly endpoint: string; readonly message: unknown };

/** What steps may do, provided by the server: routes never see the WebSocket side's objects. */
export interface HttpHost extends RespondHost {
  readonly state: StateStore;
  /** The configuration's folder: `file` bodies are read under it, never outside. */
  readonly baseDir: string;
  readonly forwarding: ForwardOptions;
  /** Sends to WebSocket clients; returns how many got it. */
  publish(target: PublishTarget): number;
}

/** One request being answered. */
export interface Exchange {
  readonly view: HttpRequestView;
  readonly response: ServerResponse;
  readonly context: RenderContext;
  readonly host: HttpHost;
  /** The route's name, for its state scope. */
  readonly route: string;
}

/** The longest `per: header:` or `per: cookie:` value a sequence takes as a caller's key; longer is a 400. */
const MAX_CALLER_KEY = 256;

/** The status when the step answered; undefined when the next step runs. */
export type Step = (exchange: Exchange) => Promise<number | undefined>;

/**
 * A `file` that cannot be served is a configuration problem, said at load (start-up, a reload, a route added
 * through the admin API), not a 500 at the first request. A file removed later still fails at that request.
 */
function readableFile(path: string, file: string, where: string): void {
  let problem: string | undefined;
  try {
    if (statSync(path).isDirectory()) problem = 'is a folder, not a file';
    else accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'unknown error'})`;
  }
  if (problem !== undefined) throw new MockwaveError('MW_CONFIG_INVALID', `${where}.respond.file: ${file} ${problem} (looked for ${path})`, { details: [`${where}.respond.file: ${file} ${problem}`] });
}

function compileStep(step: HttpStep, files: FileScope, where: string): Step {
  if ('respond' in step) {
    const file = step.respond.file === undefined ? undefined : resolveFile(step.respond.file, files, where);
    if (file !== undefined && step.respond.file !== undefined) readableFile(file.path, step.respond.file, where);
    const answer = compileRespond(step.respond, file);
    return (x) => answer(x.response, x.context, x.host, x.view.method === 'HEAD');
  }
  if ('delay' in step) {
    const range = parseRange(step.delay) as NumberRange;
    return async (x) => {
      const ms = range.min === range.max ? range.min : x.host.random.int(range.min, range.max);
      // A client that left while waiting is not answered; the status says so (499, as nginx logs it).
      return (await x.host.wait(x.response, ms)) ? undefined : 499;
    };
  }
  if ('publish' in step) {
    const target = step.publish;
    const template = 'stream' in target ? target.data : target.message;
    // A stream target without data sends the stream's own payload.
    const render = template === undefined ? undefined : compileTemplate(template);
    return async (x) => {
      const value = render?.(x.context, x.host.templates);
      x.host.publish('stream' in target ? { stream: target.stream, endpoint: target.endpoint, data: value } : { endpoint: target.endpoint, message: value });
      return undefined;
    };
  }
  if ('forward' in step) {
    const base = step.forward;
    return (x) => forward(x.view, x.response, base, x.host.forwarding);
  }
  const { steps, per, then } = step.sequence;
  const lists = steps.map((list, i) => list.map((s) => compileStep(s, files, `${where}.sequence.steps[${i}]`)));
  const [kind, name = ''] = per.split(':') as [string, string | undefined];
  return async (x) => {
    const caller = kind === 'header' ? (x.view.headers[name.toLowerCase()] ?? '') : kind === 'cookie' ? (x.view.cookies[name] ?? '') : '';
    // Each caller is a key in the state store (10,000 kept per route): keys as long as a header may be would hold megabytes.
    if (caller.length > MAX_CALLER_KEY) throw new MockwaveError('MW_HTTP_BAD_REQUEST', `The ${kind} ${name} that tells this sequence's callers apart is over ${MAX_CALLER_KEY} characters`);
    const call = x.host.state.next(`http:${x.route}`, caller);
    const list = lists[then === 'loop' ? call % lists.length : Math.min(call, lists.length - 1)] as Step[];
    return runSteps(list, x);
  };
}

/** `files`: the folder a `file` is read from (the configuration's, or the one for routes added at run time). */
export function compileSteps(steps: readonly HttpStep[], files: FileScope, where: string): Step[] {
  return steps.map((step, i) => compileStep(step, files, `${where}${where === '' ? '' : '.'}then[${i}]`));
}

/** Runs steps in order until one answers; its status. */
export async function runSteps(steps: readonly Step[], exchange: Exchange): Promise<number | undefined> {
  for (const step of steps) {
    const status = await step(exchange);
    if (status !== undefined) return status;
  }
  return undefined;
}
