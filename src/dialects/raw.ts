/**
 * The raw dialect: no envelope. A stream's rendered data is the message (a string as is, anything else as
 * JSON), and client messages are handed on untouched for rules to match. This is how an existing API whose
 * messages look nothing like the guide's is mocked.
 */
import type { Command, ServerMessage, WireDialect } from './types.ts';

function decode(data: string | Buffer, isBinary: boolean): Command {
  if (isBinary) return { kind: 'message', value: undefined, text: undefined };
  const text = typeof data === 'string' ? data : data.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  return { kind: 'message', value, text };
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

export const rawDialect: WireDialect = {
  name: 'raw',
  receivesAllUntilSubscribed: true,
  rejectsUnknownTopics: false,
  sendsSnapshotOnSubscribe: false,
  decode,
  encode,
};
