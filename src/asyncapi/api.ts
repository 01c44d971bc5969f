/**
 * What an AsyncAPI document means for a mock, as types: its channels, the messages the server sends and those
 * clients send with the replies they expect. model.ts reads a document into them; side.ts, delivery.ts and
 * to-config.ts read them (in a file of their own, so none of those imports another for a type).
 */
type Obj = Record<string, unknown>;

export interface ApiMessage {
  readonly name: string;
  /** The payload's JSON Schema ({} when the message has none). */
  readonly schema: unknown;
  readonly examples: readonly unknown[];
  /** JSON pointer into the payload of this message's correlation value, from `correlationId.location`. */
  readonly correlation: string | undefined;
  readonly extensions: Obj;
  /** Its title, summary and description, and its operation's: what says how it is delivered. */
  readonly text: string;
  /** Its schema holds a reference that led nowhere: nothing may be made up for it, so it is not served. */
  readonly missing: boolean;
  /** Its content type (the message's, else the document's `defaultContentType`). */
  readonly contentType: string | undefined;
  /** Its HTTP binding says it is sent in a chunked body (an HTTP stream of JSON lines). */
  readonly chunked: boolean;
}

export interface ClientMessage {
  readonly message: ApiMessage;
  /** What the server answers with, in order (none: the message is only accepted). */
  readonly replies: readonly ApiMessage[];
  readonly operation: string;
}

export interface ApiChannel {
  readonly id: string;
  /** e.g. `/v1/marketdata/{symbol}` */
  readonly address: string;
  /** Where it is served: each server's path followed by the address, e.g. `/ws/v1/marketdata/{symbol}`. */
  readonly paths: readonly string[];
  /** True when it is on HTTP servers only (an HTTP stream, if it streams), false on WebSocket servers. */
  readonly http: boolean;
  readonly parameters: readonly string[];
  /** A parameter's allowed values as a regular expression, from its `enum` or `pattern` (or a server variable's). */
  readonly constraints: Readonly<Record<string, string>>;
  readonly serverSends: readonly ApiMessage[];
  readonly clientSends: readonly ClientMessage[];
}

export interface ApiModel {
  readonly title: string;
  readonly side: 'server' | 'client';
  /** Why that side: the user chose it, the document says so, or the evidence weighed (side.ts). */
  readonly sideReason: string;
  readonly channels: readonly ApiChannel[];
  readonly skipped: readonly { readonly what: string; readonly why: string }[];
  readonly warnings: readonly string[];
}
