/**
 * The guide dialect: the Mock API Server guide's JSON envelope. Server messages carry an ISO-8601 UTC
 * `timestamp`; the key order matches the guide's examples so logs and snapshots read the same.
 */
import { isoTime, parseJsonObject, requireName, requireType, unknownType } from './types.ts';
import type { Message } from '../util/message.ts';
import type { Command, ServerMessage, WireDialect } from './types.ts';

const TYPES = ['subscribe', 'unsubscribe', 'request', 'ping'] as const;

export const CONNECTED_MESSAGE = 'Connected to Mock API WebSocket server';

function decode(incoming: Message): Command {
  const parsed = parseJsonObject(incoming);
  if (!parsed.ok) return parsed.command;
  const message = parsed.value;
  const type = requireType(message);
  if (typeof type !== 'string') return type;
  switch (type) {
    case 'subscribe': {
      const event = requireName(message, 'event', type);
      if (typeof event !== 'string') return event;
      const params = message['params'];
      if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
        return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: 'Invalid subscribe message: "params" must be an object' };
      }
      return params === undefined ? { kind: 'subscribe', topics: [event], wireType: type } : { kind: 'subscribe', topics: [event], params: params as Record<string, unknown>, wireType: type };
    }
    case 'unsubscribe': {
      const event = requireName(message, 'event', type);
      return typeof event === 'string' ? { kind: 'unsubscribe', topics: [event], wireType: type } : event;
    }
    case 'request': {
      const event = requireName(message, 'event', type);
      return typeof event === 'string' ? { kind: 'request', topic: event, wireType: type } : event;
    }
    case 'ping':
      return { kind: 'ping', wireType: type };
    default:
      return unknownType(type, TYPES);
  }
}

export function encodeGuide(message: ServerMessage): string {
  const timestamp = isoTime(message.at);
  switch (message.kind) {
    case 'connected':
      return JSON.stringify({ type: 'connected', clientId: message.clientId, timestamp, message: CONNECTED_MESSAGE });
    case 'subscribed':
    case 'unsubscribed':
      return JSON.stringify({ type: message.kind, event: message.topics[0], timestamp });
    case 'event':
      return JSON.stringify({ type: 'event', name: message.stream, data: message.data, timestamp });
    case 'response':
      return JSON.stringify({ type: 'response', event: message.stream, data: message.data, timestamp });
    case 'pong':
      return JSON.stringify({ type: 'pong', timestamp });
    case 'error':
      return JSON.stringify({ type: 'error', error: message.error, code: message.code, timestamp });
    case 'proxy_connected':
      return JSON.stringify({ type: 'proxy_connected', clientId: message.clientId, routeName: message.route, timestamp });
  }
}

export const guideDialect: WireDialect = {
  name: 'guide',
  receivesAllUntilSubscribed: false,
  rejectsUnknownTopics: true,
  topicNoun: 'event',
  sendsSnapshotOnSubscribe: true,
  decode,
  encode: encodeGuide,
};
