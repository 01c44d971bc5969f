/**
 * A route's steps, as a table of step definitions: the shared `delay` and `publish` (`src/steps/shared.ts`)
 * beside the HTTP side's own. A step either answers the request (respond, forward; a sequence runs the list
 * its call is due) and ends the list with the status, or does its work and lets the next step run. They run
 * on the one runner of steps (`src/steps/runner.ts`): a delay waits, and answers 499 if the client left.
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { MockwaveError } from '../errors/catalog.ts';
import { closeReasonSchema } from '../rules/index.ts';
import type { Positions } from '../state/positions.ts';
import { GLOBAL_SCOPE, testScope } from '../state/store.ts';
import type { CallerOf } from '../state/caller.ts';
import { scopeOf } from '../journal/index.ts';
import { compileStep, defineStep, delayStep, outcomeOf, publishStep, runSteps, scopeFor, setStateStep, testScopeOf, stepSchemas, type Done, type PublishTarget, type RunResult, type Step as AnyStep, type StepConfigOf, type StepHost, type StepListOptions, type StepRun, type StepScope, type StepTable } from '../steps/index.ts';
import type { RenderContext } from '../templates/index.ts';
import { answerWithFault, explainFault, faultStepSchema } from './fault-step.ts';
import { resolveFile, type FileScope } from './files.ts';
import { forward, type ForwardOptions } from './forward.ts';
import type { HttpRequestView } from './request.ts';
import { answerValue, compileRespond, explainRespond, respondSchema, type RespondHost, type SentAnswer } from './respond.ts';
import { act, actionOf, CHANGES, COLLECTION_ACTIONS, itemsOf, type Collection } from './collection.ts';

/** What steps may do, provided by the server: routes never see the WebSocket side's objects. */
export interface HttpHost extends StepHost, RespondHost {
  readonly positions: Positions;
  /** The configuration's folder: `file` bodies are read under it, never outside. */
  readonly baseDir: string;
  readonly forwarding: ForwardOptions;
  /** Sends to WebSocket and SSE clients (only those whose connection carried `caller`, when given); returns how many got it. */
  publish(target: PublishTarget, source: string, caller?: string): number;
  /** Who a request's caller is, for state (`stateStore.caller`). */
  readonly caller: CallerOf;
  /** The collections `collection` steps serve (`http.collections`). */
  readonly collections: ReadonlyMap<string, Collection>;
  /** Closes the WebSocket and SSE clients of `endpoint` (every endpoint's when undefined), only `caller`'s when given; how many. */
  disconnect(target: DisconnectTarget, caller: string | undefined): number;
}

export interface DisconnectTarget {
  readonly endpoint?: string | undefined;
  readonly code: number;
  readonly reason: string;
}

/** One request being answered (its state scopes are read from its headers when a step asks: `HttpRun`). */
export interface Exchange extends Omit<StepScope, 'stateScopes'> {
  readonly view: HttpRequestView;
  readonly response: ServerResponse;
  readonly context: RenderContext;
  readonly host: HttpHost;
  /** The route's name, for its state scope. */
  readonly route: string;
  /** Where the answering step notes its head and body for the journal (undefined: not journaled). */
  readonly sent: SentAnswer | undefined;
}

/** What compiling a step needs: where a `file` may be read, where the step is (for problems), and how to compile a nested list. */
export interface HttpCompile {
  readonly files: FileScope;
  readonly where: string;
  readonly collections: ReadonlyMap<string, Collection>;
  list(steps: readonly unknown[], where: string): Step[];
}

/** What a step runs against: the exchange, and what the runner asks of the HTTP side (`HttpRun`). */
type Run = Exchange & StepRun<number>;

export type Step = AnyStep<Run, number>;

/** The longest `per: header:` or `per: cookie:` value a sequence takes as a caller's key; longer is a 400. */
const MAX_CALLER_KEY = 256;

/** A client that left while a step waited is not answered; the status says so (499, as nginx logs it). */
const CLIENT_GONE = 499;

const answered = (status: number): Done<number> => ({ done: status });

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

const respondStep = defineStep({
  schema: respondSchema,
  final: true,
  templates: [[]],
  compile(respond, { files, where }: HttpCompile) {
    const file = respond.file === undefined ? undefined : resolveFile(respond.file, files, where);
    if (file !== undefined && respond.file !== undefined) readableFile(file.path, respond.file, where);
    const answer = compileRespond(respond, file);
    return (x: Run) => {
      const status = answer(x.response, x.context, x.host, x.view.method === 'HEAD', x.sent);
      return typeof status === 'number' ? answered(status) : status.then(answered);
    };
  },
  explain: explainRespond,
});

const forwardStep = defineStep({
  schema: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).describe('Send the request on to this API (path and query appended) and answer with what it answers.'),
  final: true,
  compile: (base) => (x: Run) => forward(x.view, x.response, base, x.host.forwarding, x.sent).then(answered),
  // Origin and path only: a user name, password or query of the URL may be a secret.
  explain: (base) => `forward to ${new URL(base).origin}${new URL(base).pathname.replace(/\/$/, '')}`,
});

/**
 * `collection`: the request, read as REST on one of `http.collections` (GET lists or reads, POST creates,
 * PUT replaces, PATCH updates, DELETE deletes; the item is the one the path's `:id` names), answered with
 * JSON; each change is written to the state and published to the collection's targets.
 */
const collectionStep = defineStep({
  schema: z.preprocess(
    (value) => (typeof value === 'string' ? { name: value } : value),
    z.strictObject({
      name: z.string().min(1).describe('The collection (a key of http.collections).'),
      action: z.enum(COLLECTION_ACTIONS).optional().describe('What to do; default: by the method, and whether the path names an item.'),
      param: z.string().min(1).default('id').describe('The path parameter that names an item (default id: /api/orders/:id).'),
    }),
  ),
  final: true,
  compile({ name, action, param }, { collections, where }: HttpCompile) {
    const collection = collections.get(name);
    if (collection === undefined) {
      const problem = `${where}.collection: no collection ${name} in http.collections (${[...collections.keys()].join(', ') || 'none'}; collections are read at start: one added by a reload needs a restart)`;
      throw new MockwaveError('MW_CONFIG_INVALID', problem, { details: [problem] });
    }
    return (x: Run) => {
      const id = x.context.request?.params[param];
      const safe = x.view.method === 'GET' || x.view.method === 'HEAD';
      const asked = action ?? actionOf(x.view.method, id);
      if (asked === undefined || (safe && CHANGES.has(asked))) throw new MockwaveError('MW_HTTP_METHOD_NOT_ALLOWED', `${x.view.method} is not an action on ${id === undefined ? `the collection ${name}` : `an item of ${name}`}${asked === undefined ? '' : ` (${asked} changes it)`}`);
      const { state } = x.host;
      // Read from and written to the one scope the collection keeps its list in: a list another layer holds is
      // not copied into this one (a test scope or a caller starts from the seed).
      const scope = scopeFor(x, collection.scope);
      const own = state.get(scope);
      const items = itemsOf(collection, own !== undefined && Object.hasOwn(own, name) ? own[name] : undefined, scope);
      const done = act(collection, asked, items, { path: x.view.path, id, query: asked === 'list' ? x.view.query : {}, body: () => x.view.body.value }, x.host.random);
      if (done.items !== undefined) state.change(scope, { set: { [name]: done.items } }, x.source, testScopeOf(x));
      if (done.change !== undefined) {
        const to = collection.publishTo === 'caller' ? (x.host.caller(x.view.raw.headers) ?? NOBODY) : undefined;
        for (const target of collection.publish) x.host.publish({ ...target, data: done.change }, x.source, to);
      }
      return answered(answerValue(x.response, x.host, done, x.view.method === 'HEAD', x.sent));
    };
  },
  explain: ({ name, action }) => `collection ${name}${action === undefined ? '' : ` (${action})`}`,
});

/** `disconnect`: closes WebSocket and SSE clients (the caller's own, or all) with a code: a logout that ends the caller's socket. */
const disconnectStep = defineStep({
  schema: z.strictObject({
    endpoint: z.string().min(1).optional().describe('The endpoint whose clients are closed (default: every endpoint).'),
    clients: z.enum(['caller', 'all']).default('caller').describe('caller: only the connections of this request\'s caller (stateStore.caller); all: every client.'),
    code: z.number().int().refine((code) => code === 1000 || (code >= 3000 && code <= 4999), { message: 'expected 1000 or a code from 3000 to 4999' }).default(1000).describe('The close code (1000, or 3000-4999).'),
    reason: closeReasonSchema.default('').describe('The close reason (at most 123 bytes, as a close frame allows).'),
  }),
  compile({ endpoint, clients, code, reason }) {
    return (x: Run) => {
      if (clients === 'all') {
        x.host.disconnect({ endpoint, code, reason }, undefined);
        return;
      }
      const caller = x.host.caller(x.view.raw.headers);
      if (caller !== undefined) x.host.disconnect({ endpoint, code, reason }, caller);
    };
  },
  explain: ({ endpoint, clients, code }) => `disconnect ${clients === 'all' ? 'every client' : 'the caller\'s clients'}${endpoint === undefined ? '' : ` of ${endpoint}`} with ${code}`,
});

/** `fault`: a reset with no answer, a body cut short, or a body that trickles (fault-step.ts). */
const faultStep = defineStep({
  schema: faultStepSchema,
  final: true,
  compile: (fault) => (x: Run) => {
    const status = answerWithFault(fault, x.response, x.host);
    return typeof status === 'number' ? answered(status) : status.then(answered);
  },
  explain: explainFault,
});

const ORDER: StepListOptions = { noun: 'step', afterFinal: () => 'the request is answered there', mustEnd: 'the last step must answer' };

/** The steps of one list of a sequence: every step but a sequence. */
const LIST_STEPS = { respond: respondStep, delay: delayStep, publish: publishStep, forward: forwardStep, setState: setStateStep, collection: collectionStep, disconnect: disconnectStep, fault: faultStep } as const satisfies StepTable<Run, number, HttpCompile>;

const listSchema = stepSchemas(LIST_STEPS, ORDER).list.min(1);

/** `sequence`: the first call runs the first list of steps, the next call the next, per caller or for all. */
const sequenceStep = defineStep({
  schema: z.strictObject({
    steps: z.array(listSchema).min(1).describe('One list of steps per call, in order.'),
    per: z
      .string()
      .regex(/^(global|header:[A-Za-z0-9-]+|cookie:[A-Za-z0-9_.-]+)$/, { message: 'expected global, header:<name> or cookie:<name>' })
      .default('global')
      .describe('Whose calls are counted: everyone\'s (global), or per caller, told apart by a header or a cookie.'),
    then: z.enum(['repeat-last', 'loop']).default('repeat-last').describe('After the last list: keep answering with it, or start again.'),
  }),
  final: true,
  compile({ steps, per, then }, context: HttpCompile) {
    const lists = steps.map((list, i) => context.list(list, `${context.where}.sequence.steps[${i}]`));
    const [kind, name = ''] = per.split(':') as [string, string | undefined];
    return (x: Run) => {
      const caller = kind === 'header' ? (x.view.headers[name.toLowerCase()] ?? '') : kind === 'cookie' ? (x.view.cookies[name] ?? '') : '';
      // Each caller is a key in the state store (10,000 kept per route): keys as long as a header may be would hold megabytes.
      if (caller.length > MAX_CALLER_KEY) throw new MockwaveError('MW_HTTP_BAD_REQUEST', `The ${kind} ${name} that tells this sequence's callers apart is over ${MAX_CALLER_KEY} characters`);
      const call = x.host.positions.next(`http:${x.route}`, caller);
      const list = lists[then === 'loop' ? call % lists.length : Math.min(call, lists.length - 1)] as Step[];
      return outcomeOf(runSteps(list, x));
    };
  },
  explain: ({ steps, per, then }, list) => `sequence${per === 'global' ? '' : ` per ${per}`} (${steps.map((s, i) => `${i + 1}: ${list(s)}`).join('; ')}; then ${then})`,
});

/** Every step of a route by its key: what the route schema parses and the routes compile. */
export const HTTP_STEPS = { ...LIST_STEPS, sequence: sequenceStep } as const satisfies StepTable<Run, number, HttpCompile>;

export const httpStepSchemas = stepSchemas(HTTP_STEPS, ORDER);

export type HttpStep = StepConfigOf<typeof HTTP_STEPS>;

/** `files`: the folder a `file` is read from (the configuration's, or the one for routes added at run time). */
export function compileSteps(steps: readonly unknown[], files: FileScope, where: string, collections: ReadonlyMap<string, Collection> = NO_COLLECTIONS): Step[] {
  const list = (of: readonly unknown[], at: string): Step[] => of.map((step, i) => compileStep(HTTP_STEPS, step, { files, where: `${at}[${i}]`, collections, list }));
  return list(steps, `${where}${where === '' ? '' : '.'}then`);
}

const NO_COLLECTIONS: ReadonlyMap<string, Collection> = new Map();

/** A caller no connection carries: a change meant for a request's caller, when it names none, reaches no one. */
const NOBODY = 'caller:';

/** One request's run of a route's steps: a delay waits on the response; a failure is the route's to handle. */
class HttpRun implements StepRun<number>, Exchange {
  readonly view: HttpRequestView;
  readonly response: ServerResponse;
  readonly context: RenderContext;
  readonly host: HttpHost;
  readonly route: string;
  readonly source: string;
  readonly sent: SentAnswer | undefined;

  constructor(exchange: Exchange) {
    ({ view: this.view, response: this.response, context: this.context, host: this.host, route: this.route, source: this.source, sent: this.sent } = exchange);
  }

  wait(ms: number, resume: () => RunResult<number>): Promise<number | undefined> {
    return this.host.wait(this.response, ms).then((stayed) => (stayed ? resume() : CLIENT_GONE));
  }

  fail(error: unknown): never {
    throw error;
  }

  /** Global, the test scope the request names (`x-mockwave-scope`, its cookie), its caller (`stateStore.caller`); read once. */
  get stateScopes(): readonly string[] {
    return (this.#scopes ??= httpStateScopes(this.view, this.host.caller));
  }

  #scopes: readonly string[] | undefined;
}

/** The state scopes a request reads: global, the test scope it names, its caller. */
export function httpStateScopes(view: Pick<HttpRequestView, 'raw'>, caller: CallerOf): readonly string[] {
  const named = scopeOf(view.raw.headers);
  const own = caller(view.raw.headers);
  if (own === undefined) return named === undefined ? GLOBAL_ONLY : [GLOBAL_SCOPE, testScope(named)];
  return named === undefined ? [GLOBAL_SCOPE, own] : [GLOBAL_SCOPE, testScope(named), own];
}

const GLOBAL_ONLY: readonly string[] = Object.freeze([GLOBAL_SCOPE]);

/**
 * Runs a route's steps until one answers; its status (undefined when none did). Synchronous while the steps
 * are (a route that only responds); a step's failure is thrown, or rejects once the run has made a promise.
 */
export function answerRequest(steps: readonly Step[], exchange: Exchange): RunResult<number> {
  return runSteps(steps, new HttpRun(exchange));
}
