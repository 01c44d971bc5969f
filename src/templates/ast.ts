/**
 * What the two template evaluators (Handlebars, and the direct evaluator of src/templates/direct.ts) share:
 * the shape of the parsed template, whether a node calls a helper, the context a template reads and the
 * per-render frame its helpers get.
 */
import { HELPER_NAMES, type FrameData, type TemplateServices } from './helpers.ts';

/** A node of Handlebars' parsed template. */
export type Node = { type: string; [key: string]: unknown };

/** What a template can read: the triggering message, the client, the stream's previous value, params. */
export interface RenderContext {
  readonly message?: unknown;
  /** The triggering message's exact text (undefined for binary that is not UTF-8): `{{message}}` is the JSON re-serialised. */
  readonly messageText?: string | undefined;
  /** A binary triggering message's bytes as base64 (undefined for a text message). */
  readonly messageBase64?: string | undefined;
  readonly client?: { readonly id: string; readonly connectedAt: string; readonly query: Readonly<Record<string, string>> };
  readonly previous?: unknown;
  readonly params?: Readonly<Record<string, unknown>>;
  /** The state as this run reads it (global, its test scope, its client), when the rule or route reads state. */
  readonly state?: Readonly<Record<string, unknown>>;
  /** The rendered payload, for a stream's per-subscriber `condition`. */
  readonly data?: unknown;
  /** An HTTP route's request: method, path, params, query, headers, cookies, body (JSON, else text). */
  readonly request?: {
    readonly method: string;
    readonly path: string;
    readonly params: Readonly<Record<string, string>>;
    readonly query: Readonly<Record<string, string>>;
    readonly headers: Readonly<Record<string, string>>;
    readonly cookies: Readonly<Record<string, string>>;
    readonly body: unknown;
  };
}

export type Render = (context: RenderContext, services: TemplateServices) => unknown;

/**
 * True when a mustache, block or sub-expression calls a helper: it has arguments, or it is a block or a
 * sub-expression, or its bare name is a helper (`{{uuid}}`); otherwise it reads a path (`{{message.id}}`).
 */
export function isHelperCall(node: Node): boolean {
  const path = node['path'] as Node;
  return node.type !== 'MustacheStatement' || (node['params'] as unknown[]).length > 0 || node['hash'] !== undefined || (path.type === 'PathExpression' && HELPER_NAMES.has(String(path['original'])));
}

/** The frame one render hands its helpers: shared services, the call site's own state, the client. */
export function renderFrame(state: Map<string, unknown>, context: RenderContext, services: TemplateServices): FrameData {
  return { services, state, clientId: context.client?.id };
}
