/**
 * What a step is, for WebSocket rules and HTTP routes alike: a definition (its schema, whether it ends the
 * list, where its templates are, how it compiles and how it explains itself), and the function it compiles to.
 * A compiled step runs against a `StepRun`: what it sees (the render context, the host) and what the runner
 * asks of the side that runs it (how to wait, what a failure does).
 */
import type { z } from 'zod';
import type { RenderContext, TemplateServices } from '../templates/index.ts';
import type { StateStore } from '../state/store.ts';
import type { Random } from '../util/random.ts';

/**
 * Where a `publish` step sends, whichever spelling it was written in: a stream's subscribers (the stream on
 * `endpoint` when several endpoints have it), or, without a stream, every client of `endpoint`. `data`
 * is rendered; without it a stream sends its own payload.
 */
export type PublishTarget =
  | { readonly stream: string; readonly endpoint?: string | undefined; readonly data?: unknown }
  | { readonly stream?: undefined; readonly endpoint: string; readonly data?: unknown };

/** What every step may reach, on either side: the server provides it, so steps never see a socket. */
export interface StepHost {
  readonly random: Random;
  readonly templates: TemplateServices;
  /** The state rules, routes and templates read and `setState` writes (src/state/store.ts). */
  readonly state: StateStore;
  /** Sends to WebSocket clients; throws when the target is not there. */
  publish(target: PublishTarget, source: string): void;
}

/** What a compiled step sees of its run. */
export interface StepScope {
  readonly context: RenderContext;
  readonly host: StepHost;
  /** What the messages its steps send are journaled as coming from (`rule:<name>`, `route:<name>`; src/util/source.ts). */
  readonly source: string;
  /** The state scopes this run reads, most general first: `global`, its test scope, its client (src/state/store.ts). */
  readonly stateScopes: readonly string[];
}

/** What a list of steps ends with: `R` (an HTTP status), or undefined when no step ended it with a value. */
export type RunResult<R> = R | undefined | Promise<R | undefined>;

/** One run of a list of steps: its scope, and what the runner asks of the side running it. */
export interface StepRun<R> extends StepScope {
  /**
   * After `ms`, `resume` runs the rest. Returns what the run is meanwhile: the WebSocket side schedules the
   * rest on the client's timers and returns at once; the HTTP side waits and answers 499 if the client left.
   */
  wait(ms: number, resume: () => RunResult<R>): RunResult<R>;
  /** A step failed: what the run ends with instead (the WebSocket side counts it and runs `onFailure`; the HTTP side throws it to the route). */
  fail(error: unknown): RunResult<R>;
}

/** A step ended the list with this value. */
export interface Done<R> {
  readonly done: R;
}

/** The rest of the list runs after this many ms. */
export interface Wait {
  readonly wait: number;
}

/** What a step did: nothing to say (the next one runs), ended the list, asked to wait, or will say later. */
export type Outcome<R> = undefined | Done<R> | Wait | Promise<Outcome<R>>;

/** A compiled step; one that only does its work (a reply) returns nothing. */
export type Step<X, R> = (run: X) => Outcome<R> | void;

/** What a definition's `explain` may use: the phrase of a nested list of steps (a sequence's). */
export type ExplainList = (steps: readonly unknown[]) => string;

/** One step as data. `X` is the run it needs, `R` what it may end the list with, `C` what compiling it needs. */
export interface StepDefinition<S extends z.ZodType, X, R, C> {
  /** Checks the step's value (`{ delay: "100-200" }` checks "100-200"). */
  readonly schema: S;
  /** Nothing may follow it: it ends the list (close, drop) or answers the request (respond, forward, sequence). */
  readonly final?: boolean;
  /** Where its templates are in the value as written, checked at load: `[]` the whole value, `['data']` one field. */
  readonly templates?: readonly (readonly string[])[];
  compile(value: z.output<S>, context: C): Step<X, R>;
  /** A short phrase for one-line descriptions of rules and routes: `delay 100-200 ms`, `respond 200 (json body)`. */
  explain(value: z.output<S>, list: ExplainList): string;
}

/** A definition whose value type is no longer known: what a table of steps holds. */
export interface AnyStepDefinition<X, R, C> {
  readonly schema: z.ZodType;
  readonly final?: boolean;
  readonly templates?: readonly (readonly string[])[];
  compile(value: never, context: C): Step<X, R>;
  explain(value: never, list: ExplainList): string;
}

/** The steps one side knows, by key. */
export type StepTable<X, R, C> = Readonly<Record<string, AnyStepDefinition<X, R, C>>>;

/** Keeps a definition's types: its value is what its schema gives. */
export function defineStep<S extends z.ZodType, X, R = never, C = unknown>(definition: StepDefinition<S, X, R, C>): StepDefinition<S, X, R, C> {
  return definition;
}

/** A step as written in a configuration, after its schema: `{ delay: 100 }`, one key per step of the table. */
export type StepConfigOf<T extends Readonly<Record<string, { readonly schema: z.ZodType }>>> = { [K in keyof T]: { [P in K]: z.output<T[K]['schema']> } }[keyof T];
