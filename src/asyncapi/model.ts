/**
 * What an AsyncAPI document means for a mock, for 2.x and 3.x alike: per WebSocket channel, the messages
 * the server sends and the messages clients send (with the reply each expects, if any). Read leniently:
 * what cannot be mapped is listed in `skipped` with the reason, and the rest is served.
 *
 * Perspective: a document usually describes the server (2.x `subscribe` = the server sends; 3.x `send` =
 * the server sends). One written from the client's side (the Slack one) is the other way round; `side`
 * says which, detected from the title or chosen by the user.
 */
import type { AsyncApiDocument } from './document.ts';

type Obj = Record<string, unknown>;

export interface ApiMessage {
  readonly name: string;
  /** The payload's JSON Schema ({} when the message has none). */
  readonly schema: unknown;
  readonly examples: readonly unknown[];
  /** JSON pointer into the payload of this message's correlation value, from `correlationId.location`. */
  readonly correlation: string | undefined;
  readonly extensions: Obj;
}

export interface ApiChannel {
  readonly id: string;
  /** e.g. `/v1/marketdata/{symbol}` */
  readonly address: string;
  readonly parameters: readonly string[];
  readonly serverSends: readonly ApiMessage[];
  readonly clientSends: readonly { readonly message: ApiMessage; readonly reply: ApiMessage | undefined; readonly operation: string }[];
}

export interface ApiModel {
  readonly title: string;
  readonly side: 'server' | 'client';
  readonly channels: readonly ApiChannel[];
  readonly skipped: readonly { readonly what: string; readonly why: string }[];
  readonly warnings: readonly string[];
}

/** A document node as an object to read fields from; anything else reads as empty (lenient by design). */
export const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});
const WEBSOCKET = new Set(['ws', 'wss']);

function extensionsOf(...sources: Obj[]): Obj {
  const out: Obj = {};
  for (const source of sources) {
    const x = obj(source['x-mockwave']);
    Object.assign(out, x);
  }
  return out;
}

/** `names`: the name each resolved object had where it was defined (the document's refNames). */
function message(names: WeakMap<object, string>, raw: unknown, fallbackName: string, operation: Obj = {}): ApiMessage {
  const m = obj(raw);
  const defined = raw !== null && typeof raw === 'object' ? names.get(raw) : undefined;
  const examples = Array.isArray(m['examples'])
    ? (m['examples'] as unknown[]).map((e) => (obj(e)['payload'] !== undefined ? obj(e)['payload'] : e)).filter((e) => e !== undefined)
    : [];
  const location = obj(m['correlationId'])['location'];
  const correlation = typeof location === 'string' && location.startsWith('$message.payload#') ? location.slice('$message.payload#'.length) || '/' : undefined;
  const name = [m['name'], m['messageId'], defined, m['title'], fallbackName].find((n): n is string => typeof n === 'string' && n.length > 0) ?? fallbackName;
  return { name: name.replace(/[^\w.-]+/g, '-'), schema: m['payload'] ?? {}, examples, correlation, extensions: extensionsOf(operation, m) };
}

/** A `oneOf` of messages (2.x) or a list (3.x) as single messages. */
function messages(names: WeakMap<object, string>, raw: unknown, prefix: string, operation: Obj): ApiMessage[] {
  const list = Array.isArray(raw) ? raw : obj(raw)['oneOf'] !== undefined ? (obj(raw)['oneOf'] as unknown[]) : raw === undefined ? [] : [raw];
  return list.map((m, i) => message(names, m, `${prefix}${list.length > 1 ? `-${i + 1}` : ''}`, operation));
}

function detectSide(doc: AsyncApiDocument, chosen: 'server' | 'client' | undefined): 'server' | 'client' {
  if (chosen !== undefined) return chosen;
  const info = obj(doc.root['info']);
  const extension = info['x-mockwave-side'] ?? doc.root['x-mockwave-side'];
  if (extension === 'client' || extension === 'server') return extension;
  return /\bclient\b/i.test(String(info['title'] ?? '')) ? 'client' : 'server';
}

function websocketServers(doc: AsyncApiDocument, skipped: { what: string; why: string }[]): Set<unknown> {
  const servers = obj(doc.root['servers']);
  const ok = new Set<unknown>();
  for (const [name, server] of Object.entries(servers)) {
    const protocol = String(obj(server)['protocol'] ?? '').toLowerCase();
    if (WEBSOCKET.has(protocol)) ok.add(server);
    else skipped.push({ what: `server ${name}`, why: `protocol ${protocol || 'unknown'} is not WebSocket` });
  }
  return ok;
}

/** A channel bound to servers none of which speak WebSocket is not served (no servers listed: all). */
function onWebSocket(channelServers: unknown, allServers: Obj, ws: Set<unknown>): boolean {
  if (Object.keys(allServers).length === 0) return true;
  if (!Array.isArray(channelServers) || channelServers.length === 0) return ws.size > 0;
  return channelServers.some((s) => ws.has(typeof s === 'string' ? allServers[s] : s));
}

const parametersOf = (address: string): string[] => [...address.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);

function v2(doc: AsyncApiDocument, side: 'server' | 'client', ws: Set<unknown>, skipped: { what: string; why: string }[]): ApiChannel[] {
  const allServers = obj(doc.root['servers']);
  const channels: ApiChannel[] = [];
  for (const [address, rawChannel] of Object.entries(obj(doc.root['channels']))) {
    const channel = obj(rawChannel);
    if (!onWebSocket(channel['servers'], allServers, ws)) {
      skipped.push({ what: `channel ${address}`, why: 'none of its servers speaks WebSocket' });
      continue;
    }
    // 2.x is written from the client's view of the application: `subscribe` is what the application sends.
    const [sendsKey, receivesKey] = side === 'server' ? ['subscribe', 'publish'] : ['publish', 'subscribe'];
    const sends = obj(channel[sendsKey]);
    const receives = obj(channel[receivesKey]);
    const serverSends = messages(doc.refNames, sends['message'], String(sends['operationId'] ?? 'message'), sends);
    const clientSends = messages(doc.refNames, receives['message'], String(receives['operationId'] ?? 'request'), receives).map((m, i) => {
      const raw = obj(receives['message'])['oneOf'] !== undefined ? (obj(receives['message'])['oneOf'] as unknown[])[i] : receives['message'];
      const response = obj(raw)['x-response'];
      return { message: m, reply: response === undefined ? undefined : message(doc.refNames, response, `${m.name}-reply`), operation: String(receives['operationId'] ?? receivesKey) };
    });
    channels.push({ id: address, address, parameters: parametersOf(address), serverSends, clientSends });
  }
  return channels;
}

function v3(doc: AsyncApiDocument, side: 'server' | 'client', ws: Set<unknown>, skipped: { what: string; why: string }[]): ApiChannel[] {
  const allServers = obj(doc.root['servers']);
  const byChannel = new Map<unknown, { id: string; address: string; serverSends: ApiMessage[]; clientSends: ApiChannel['clientSends'][number][] }>();
  for (const [id, rawChannel] of Object.entries(obj(doc.root['channels']))) {
    const channel = obj(rawChannel);
    const address = typeof channel['address'] === 'string' ? channel['address'] : `/${id}`;
    if (!onWebSocket(channel['servers'], allServers, ws)) {
      skipped.push({ what: `channel ${id}`, why: 'none of its servers speaks WebSocket' });
      continue;
    }
    byChannel.set(rawChannel, { id, address, serverSends: [], clientSends: [] });
  }
  // References were resolved to shared objects, so an operation's channel is found by identity.
  const nameOf = (channel: unknown, m: unknown, fallback: string): string => {
    for (const [key, value] of Object.entries(obj(obj(channel)['messages']))) if (value === m) return key;
    return fallback;
  };
  for (const [opId, rawOperation] of Object.entries(obj(doc.root['operations']))) {
    const operation = obj(rawOperation);
    const entry = byChannel.get(operation['channel']);
    if (entry === undefined) {
      skipped.push({ what: `operation ${opId}`, why: 'its channel is not served (not WebSocket, or not found)' });
      continue;
    }
    const action = operation['action'];
    const serverSends = (action === 'send') === (side === 'server');
    const list = Array.isArray(operation['messages']) && (operation['messages'] as unknown[]).length > 0 ? (operation['messages'] as unknown[]) : Object.values(obj(obj(operation['channel'])['messages']));
    const reply = obj(operation['reply']);
    const replyMessages = Array.isArray(reply['messages']) ? (reply['messages'] as unknown[]) : [];
    for (const raw of list) {
      const m = message(doc.refNames, raw, nameOf(operation['channel'], raw, opId), operation);
      if (serverSends) {
        entry.serverSends.push(m);
      } else {
        const answer = replyMessages[0] === undefined ? undefined : message(doc.refNames, replyMessages[0], nameOf(reply['channel'] ?? operation['channel'], replyMessages[0], `${m.name}-reply`));
        entry.clientSends.push({ message: m, reply: answer, operation: opId });
      }
    }
  }
  return [...byChannel.values()].map((c) => ({ ...c, parameters: parametersOf(c.address) }));
}

export function readModel(doc: AsyncApiDocument, options: { side?: 'server' | 'client' } = {}): ApiModel {
  const skipped: { what: string; why: string }[] = [];
  const side = detectSide(doc, options.side);
  const ws = websocketServers(doc, skipped);
  const channels = doc.major === 2 ? v2(doc, side, ws, skipped) : v3(doc, side, ws, skipped);
  return { title: String(obj(doc.root['info'])['title'] ?? doc.file), side, channels, skipped, warnings: [...doc.warnings] };
}
