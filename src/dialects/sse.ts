/**
 * Server-Sent Events as a message format: each stream message is an event named after its stream, with the
 * endpoint's running id and the stream's data as JSON (a string as is, one `data:` line per line of it).
 * There is no envelope and nothing else on the wire: no greeting, acks or errors (an EventSource cannot
 * answer them), and clients send nothing. Used by endpoints with `protocol: sse`, never chosen as a dialect.
 */
import type { Message } from '../util/message.ts';
import type { Command, ServerMessage, WireDialect } from './types.ts';

function decode(_message: Message): Command {
  return { kind: 'invalid', code: 'MW_INVALID_MESSAGE', error: 'Server-Sent Events clients send nothing' };
}

function encode(message: ServerMessage): string | undefined {
  if (message.kind !== 'event') return undefined;
  const data = typeof message.data === 'string' ? message.data : (JSON.stringify(message.data) ?? 'null');
  const id = message.id === undefined ? '' : `id: ${message.id}\n`;
  return `${id}event: ${message.stream}\ndata: ${data.replace(/\r?\n/g, '\ndata: ')}\n\n`;
}

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
