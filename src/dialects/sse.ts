/**
 * Server-Sent Events as a message format: each stream message is an event named after its stream, with the
 * endpoint's running id and the stream's data as JSON (a string as is, one `data:` line per line of it).
 * There is no envelope and nothing else on the wire: no greeting, acks or errors (an EventSource cannot
 * answer them), and clients send nothing. Used by endpoints with `protocol: sse`, never chosen as a dialect;
 * `sse.format: ndjson` uses the JSON-lines form below instead (HTTP streaming APIs such as Gitter's).
 */
import type { Message } from '../util/message.ts';
import { jsonLine, sseEvent } from '../util/sse.ts';
import type { Command, ServerMessage, WireDialect } from './types.ts';

function decode(_message: Message): Command {
  return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: 'Server-Sent Events clients send nothing' };
}

function encode(message: ServerMessage): string | undefined {
  if (message.kind !== 'event') return undefined;
  const data = typeof message.data === 'string' ? message.data : (JSON.stringify(message.data) ?? 'null');
  return sseEvent({ id: message.id === undefined ? undefined : String(message.id), event: message.stream, data });
}

/** Chunked JSON lines (a `text/event-stream`'s plainer cousin): one line of JSON per message, no ids. */
function encodeLine(message: ServerMessage): string | undefined {
  if (message.kind !== 'event') return undefined;
  return jsonLine(typeof message.data === 'string' ? message.data : (JSON.stringify(message.data) ?? 'null'));
}

export const ndjsonDialect: WireDialect = {
  name: 'ndjson',
  receivesAllUntilSubscribed: true,
  rejectsUnknownTopics: true,
  topicNoun: 'event',
  sendsSnapshotOnSubscribe: false,
  decode,
  encode: encodeLine,
};

export const sseDialect: WireDialect = {
  name: 'sse',
  receivesAllUntilSubscribed: true,
  rejectsUnknownTopics: true,
  topicNoun: 'event',
  sendsSnapshotOnSubscribe: false,
  numbersEvents: true,
  decode,
  encode,
};
