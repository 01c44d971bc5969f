/**
 * The cerberus dialect: `{type, payload}` both ways, topics instead of events, epoch-millisecond timestamps.
 * A client that has never subscribed receives every topic; once it has, only its topics (none after it
 * unsubscribed from the last). There is no greeting and no subscribe
 * acknowledgement: cerberus clients expect only event, metric, status and pong (and error for bad input).
 */
import { MAX_NAME_LENGTH, describeJson, parseJsonObject, requireType, unknownType } from './types.ts';
import type { Message } from '../util/message.ts';
import type { Command, ServerMessage, WireDialect } from './types.ts';

const TYPES = ['subscribe', 'unsubscribe', 'heartbeat'] as const;

function invalid(error: string): Command {
  return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error };
}

function readTopics(message: Record<string, unknown>, type: string): readonly string[] | Command {
  const payload = message['payload'];
  if (payload === undefined) return invalid(`Invalid ${type} message: missing "payload" (expected {"topics": [...]})`);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return invalid(`Invalid ${type} message: "payload" must be an object, got ${describeJson(payload)}`);
  const topics = (payload as Record<string, unknown>)['topics'];
  if (!Array.isArray(topics)) return invalid(`Invalid ${type} message: "payload.topics" must be an array of topic names, got ${describeJson(topics)}`);
  if (topics.length > 100) return invalid(`Invalid ${type} message: at most 100 topics at once (got ${topics.length})`);
  for (const topic of topics) {
    if (typeof topic !== 'string' || topic.length === 0) return invalid(`Invalid ${type} message: every topic must be a non-empty string, got ${describeJson(topic)}`);
    if (topic.length > MAX_NAME_LENGTH) return invalid(`Invalid ${type} message: a topic is longer than ${MAX_NAME_LENGTH} characters (${topic.length})`);
  }
  return topics as string[];
}

function decode(incoming: Message): Command {
  const parsed = parseJsonObject(incoming);
  if (!parsed.ok) return parsed.command;
  const type = requireType(parsed.value);
  if (typeof type !== 'string') return type;
  switch (type) {
    case 'subscribe':
    case 'unsubscribe': {
      const topics = readTopics(parsed.value, type);
      return Array.isArray(topics) ? { kind: type, topics, wireType: type } : (topics as Command);
    }
    case 'heartbeat':
      return { kind: 'ping', wireType: type };
    default:
      return unknownType(type, TYPES);
  }
}

function encode(message: ServerMessage): string | undefined {
  switch (message.kind) {
    case 'event':
      return JSON.stringify({ type: message.messageType, payload: message.data });
    case 'response':
      return JSON.stringify({ type: 'response', payload: message.data });
    case 'pong':
      return JSON.stringify({ type: 'pong', payload: { timestamp: message.at, clientId: message.clientId } });
    case 'error':
      return JSON.stringify({ type: 'error', payload: { message: message.error, code: message.code, timestamp: message.at } });
    case 'proxy_connected':
      return JSON.stringify({ type: 'proxy_connected', payload: { clientId: message.clientId, routeName: message.route, timestamp: message.at } });
    case 'connected':
    case 'subscribed':
    case 'unsubscribed':
      return undefined;
  }
}

export const cerberusDialect: WireDialect = {
  name: 'cerberus',
  receivesAllUntilSubscribed: true,
  rejectsUnknownTopics: true,
  topicNoun: 'topic',
  sendsSnapshotOnSubscribe: false,
  decode,
  encode,
};
