/**
 * When a message the server sends is sent: as a stream (`interval`), once to each client as it connects
 * (`connect`), or only when asked (`demand`: a reply, or a publish from the admin API or the dashboard). A
 * message sent once and streamed every second teaches the client the wrong thing (a `goodbye` every second
 * has a client that reconnects on it loop), so the decision is read from the document, in this order:
 *
 *   1. `x-mockwave: { on: connect | interval | demand }` on the message or its operation, said outright;
 *      `x-mockwave: { interval }` means a stream;
 *   2. its name: `hello`, `welcome`, `connected`, … are greetings (connect); `error`, `goodbye`,
 *      `disconnect`, `reject`, … are events of their own (demand);
 *   3. its title, summary or description: "sent on connection", "when the connection is established"
 *      (connect); "before the server disconnects" (demand);
 *   4. otherwise a stream.
 *
 * Each decision carries its reason for the start-up report.
 */
import type { ApiMessage } from './api.ts';

export type Delivery = 'connect' | 'interval' | 'demand';

const GREETING = /^(hello|welcome|connected|connection[_-]?(ack|established|opened)?|greeting|handshake|session[_-]?(start|info)?|ready|init(ial)?)$/i;
const ONE_OFF = /(error|goodbye|^bye$|disconnect|close|reject|fail|denied|unauthori[sz]ed|expired|kick|revoke|warning)/i;
const ON_CONNECT = /\b(on|upon|after|at|when)\b[^.]{0,40}\bconnect(ion|ed|s|ing)?\b|\bconnection (is |has been )?(established|opened|made)/i;
const BEFORE_CLOSE = /\b(before|prior to)\b[^.]{0,30}\b(clos|disconnect)|\babout to (close|disconnect)/i;

export function deliveryOf(message: ApiMessage): { readonly on: Delivery; readonly why: string } {
  const said = message.extensions['on'];
  if (said === 'connect' || said === 'interval' || said === 'demand') return { on: said, why: `x-mockwave: on: ${said}` };
  if (message.extensions['interval'] !== undefined) return { on: 'interval', why: 'x-mockwave sets its interval' };
  const base = message.name.replace(/[-_.]?\d+$/, '');
  if (GREETING.test(base)) return { on: 'connect', why: `its name "${message.name}" is a greeting` };
  if (ONE_OFF.test(base)) return { on: 'demand', why: `its name "${message.name}" is an event of its own, not a stream` };
  const onConnect = ON_CONNECT.exec(message.text);
  if (onConnect !== null) return { on: 'connect', why: `its description says "${onConnect[0]}"` };
  const beforeClose = BEFORE_CLOSE.exec(message.text);
  if (beforeClose !== null) return { on: 'demand', why: `its description says "${beforeClose[0]}"` };
  return { on: 'interval', why: 'nothing says it is sent once' };
}
