/**
 * The raw dialect: no envelope. A stream's rendered data is the message (a string as is, anything else as
 * JSON; on a binary stream a string is base64 and is sent decoded), and client messages are handed on untouched for rules to match. This is how an existing API whose
 * messages look nothing like the guide's is mocked.
 */
import { binaryPayload } from '../util/binary.ts';
import type { Message } from '../util/message.ts';
import type { Command, ServerMessage, WireDialect } from './types.ts';

function decode(message: Message): Command {
  return { kind: 'message', value: message.value, text: message.text };
}

function encode(message: ServerMessage): string | undefined {
  switch (message.kind) {
    case 'event':
    case 'response':
      return typeof message.data === 'string' ? message.data : JSON.stringify(message.data);
    default:
      // Nothing but what streams and rules render goes on the wire: no greeting, no acks, no errors.
      return undefined;
  }
}

/** A binary stream's message is its data as bytes: a string is base64, anything else its JSON text. */
function encodeBinary(message: ServerMessage): Buffer | undefined {
  return message.kind === 'event' || message.kind === 'response' ? binaryPayload(message.data, `stream ${message.stream}: data`) : undefined;
}

export const rawDialect: WireDialect = {
  name: 'raw',
  receivesAllUntilSubscribed: true,
  rejectsUnknownTopics: false,
  topicNoun: 'topic',
  sendsSnapshotOnSubscribe: false,
  decode,
  encode,
  encodeBinary,
};
