/**
 * A dialect is the wire format of an endpoint, and nothing else: text in, command out; server message in,
 * text out. No socket, no timer, no state, so each is unit-tested with strings.
 */
import type { ErrorCode } from '../errors/catalog.ts';
import type { Message } from '../util/message.ts';

/** What a client asked for, independent of how its dialect spells it; `wireType` is how it was spelled. */
export type Command = CommandBody & { readonly wireType?: string };

type CommandBody =
  | { readonly kind: 'subscribe'; readonly topics: readonly string[]; readonly params?: Readonly<Record<string, unknown>> }
  | { readonly kind: 'unsubscribe'; readonly topics: readonly string[] }
  | { readonly kind: 'request'; readonly topic: string }
  | { readonly kind: 'ping' }
  /** A message the dialect has no built-in meaning for (raw dialect), left to rules. */
  | { readonly kind: 'message'; readonly value: unknown; readonly text: string | undefined }
  | { readonly kind: 'invalid'; readonly code: ErrorCode; readonly error: string };

/** What the server says, independent of how the endpoint's dialect spells it. `at` is epoch ms. */
export type ServerMessage =
  | { readonly kind: 'connected'; readonly clientId: string; readonly at: number }
  | { readonly kind: 'subscribed'; readonly topics: readonly string[]; readonly at: number }
  | { readonly kind: 'unsubscribed'; readonly topics: readonly string[]; readonly at: number }
  /** `id`: the endpoint's running number of the event, when its format numbers them (Server-Sent Events). */
  | { readonly kind: 'event'; readonly stream: string; readonly messageType: string; readonly data: unknown; readonly at: number; readonly id?: number }
  | { readonly kind: 'response'; readonly stream: string; readonly data: unknown; readonly at: number }
  | { readonly kind: 'pong'; readonly clientId: string; readonly at: number }
  | { readonly kind: 'error'; readonly code: ErrorCode; readonly error: string; readonly at: number }
  | { readonly kind: 'proxy_connected'; readonly clientId: string; readonly route: string; readonly at: number };

export interface WireDialect {
  readonly name: string;
  /**
   * True when a client that has never subscribed receives every topic (cerberus); false when it receives only
   * what it subscribed to (guide, raw).
   */
  readonly receivesAllUntilSubscribed: boolean;
  /** True when subscribing to a topic the endpoint does not have is an error (guide) rather than allowed. */
  readonly rejectsUnknownTopics: boolean;
  /** What its clients call what they subscribe to, in messages: the guide's "event", cerberus's "topic". */
  readonly topicNoun: 'event' | 'topic';
  /** True when `subscribe` is answered with a snapshot of the stream's current data (guide). */
  readonly sendsSnapshotOnSubscribe: boolean;
  /** True when events carry the endpoint's running id and are kept for a client that resumes (Server-Sent Events). */
  readonly numbersEvents?: boolean;
  /** What the client asked for; `message` is read lazily and at most once (rules may have read it first). */
  decode(message: Message): Command;
  /** The text to send, or undefined when this dialect has no such message (cerberus has no `subscribed`). */
  encode(message: ServerMessage): string | undefined;
  /**
   * The bytes of a message sent as a binary frame (a stream with `binary: true`), when they are not simply
   * the encoded text's UTF-8: the raw dialect, whose message is the data itself, reads string data as base64.
   */
  encodeBinary?(message: ServerMessage): Buffer | undefined;
}

/** Longest part of client-supplied text echoed back in an error, so errors stay small. */
export const ECHO_LIMIT = 100;

export function clip(text: string, limit = ECHO_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text;
}

export type ParsedObject = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly command: Command };

function invalid(code: ErrorCode, error: string): ParsedObject {
  return { ok: false, command: { kind: 'invalid', code, error } };
}

/** Reads a client message as a JSON object, or says precisely why it is not one. */
export function parseJsonObject(message: Message): ParsedObject {
  const json = message.json();
  // Binary that holds UTF-8 JSON reads as that JSON; any other binary is not for a JSON dialect.
  if (message.isBinary && !json.ok) return invalid('MW_BINARY_NOT_SUPPORTED', 'Binary messages are accepted only as UTF-8 JSON on this endpoint: send JSON, as text or binary');
  if (!json.ok) return invalid('MW_INVALID_JSON', `Invalid JSON: ${json.error}`);
  const value = json.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return invalid('MW_INVALID_MESSAGE', `Invalid message: expected a JSON object, got ${describeJson(value)}`);
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Longest topic or event name a client may send; longer is refused before any lookup. */
export const MAX_NAME_LENGTH = 256;

/** Reads a required, bounded string field, or says what is wrong with it. */
export function requireName(message: Record<string, unknown>, field: string, context: string): string | Command {
  const value = message[field];
  if (value === undefined) return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: `Invalid ${context} message: missing "${field}"` };
  if (typeof value !== 'string') {
    return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: `Invalid ${context} message: "${field}" must be a string, got ${describeJson(value)}` };
  }
  if (value.length === 0) return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: `Invalid ${context} message: "${field}" must not be empty` };
  if (value.length > MAX_NAME_LENGTH) {
    return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: `Invalid ${context} message: "${field}" is longer than ${MAX_NAME_LENGTH} characters (${value.length})` };
  }
  return value;
}

/** Reads the `type` field every JSON dialect dispatches on. */
export function requireType(message: Record<string, unknown>): string | Command {
  const type = message['type'];
  if (type === undefined) return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: 'Invalid message: missing "type"' };
  if (typeof type !== 'string') return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: `Invalid message: "type" must be a string, got ${describeJson(type)}` };
  return type;
}

export function unknownType(type: string, known: readonly string[]): Command {
  const list = `${known.slice(0, -1).join(', ')} or ${known[known.length - 1] ?? ''}`;
  // wireType: the traffic log names what the client sent, not "invalid".
  return { kind: 'invalid', code: 'MW_UNKNOWN_MESSAGE_TYPE', error: `Unknown message type: ${clip(type)} (expected ${list})`, wireType: clip(type) };
}

export { isoTime } from '../util/iso-time.ts';
