/** What an admin route is: a method, a path pattern and a handler over the AdminView; each capability's table (router.ts, state-routes.ts) is a list of them. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal } from '../errors/refusal.ts';
import { acceptedTarget } from '../util/request-target.ts';
import type { LiveViews } from './live.ts';
import type { AdminView } from './view.ts';

export interface Context {
  readonly view: AdminView;
  readonly live: LiveViews;
  readonly request: IncomingMessage;
  /** For a handler that answers without reading the body (`skipBody`). */
  readonly response: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
}

export type Result = { status: number; data: unknown } | { status: number; text: string; contentType: string } | { stream: (response: ServerResponse) => void } | { refused: Refusal; fields: Record<string, unknown> };

export type Handler = (context: Context) => Promise<Result> | Result;

export interface AdminRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
}

/** One query parameter of an admin request. */
export function query(request: IncomingMessage, name: string): string | undefined {
  return acceptedTarget(request).url.searchParams.get(name) ?? undefined;
}
