/**
 * Whose side a document is written from. A document usually describes the server; some (Slack's, generated
 * client references) describe the client, and read as a server they would have mockwave stream the client's
 * own messages. The decision weighs what the document says, in this order:
 *
 *   1. `x-mockwave-side: client | server` (in `info` or at the top): said outright;
 *   2. the title names a client ("… WebSocket Client", "Client API");
 *   3. the messages, read as a server: requests it would *send* (`*Request`, subscribe, unsubscribe, auth,
 *      ping) and replies it would *receive* (`*Response`, `*Reply`, ack, pong) point to the client's side;
 *      requests it receives with replies described point to the server's. More evidence wins; a tie stays
 *      with the server.
 *
 * The reason is reported at start-up, and `--asyncapi-side` overrides all of it.
 */
import { isPlainObject } from '../util/plain-object.ts';
import type { ApiChannel } from './api.ts';

type Obj = Record<string, unknown>;

const REQUEST = /(request|^subscribe|^unsubscribe|^auth|^login|^ping$|command$)/i;
const RESPONSE = /(response|reply|ack$|^pong$|result$)/i;

export function decideSide(root: Obj, serverReading: readonly ApiChannel[]): { side: 'server' | 'client'; reason: string } {
  const info = isPlainObject(root['info']) ? root['info'] : {};
  const said = info['x-mockwave-side'] ?? root['x-mockwave-side'];
  if (said === 'client' || said === 'server') return { side: said, reason: `x-mockwave-side: ${said}` };
  const title = String(info['title'] ?? '');
  if (/\bclient\b/i.test(title)) return { side: 'client', reason: `the title "${title}" names a client` };

  const sent = serverReading.flatMap((c) => c.serverSends.map((m) => m.name));
  const received = serverReading.flatMap((c) => c.clientSends.map((s) => s.message.name));
  const answered = serverReading.flatMap((c) => c.clientSends.filter((s) => s.replies.length > 0).map((s) => s.message.name));
  const forClient = [...sent.filter((n) => REQUEST.test(n)).map((n) => `it would send the request ${n}`), ...received.filter((n) => RESPONSE.test(n)).map((n) => `it would receive the reply ${n}`)];
  const forServer = [
    ...received.filter((n) => REQUEST.test(n)).map((n) => `it receives the request ${n}`),
    ...sent.filter((n) => RESPONSE.test(n)).map((n) => `it sends the reply ${n}`),
    ...answered.map((n) => `it answers ${n}`),
  ];
  if (forClient.length > forServer.length) return { side: 'client', reason: `read as a server, ${forClient.slice(0, 3).join(', ')}` };
  if (forServer.length === 0) return { side: 'server', reason: 'the usual reading (nothing in the document says otherwise)' };
  return { side: 'server', reason: forServer.slice(0, 3).join(', ') };
}
