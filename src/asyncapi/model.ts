/**
 * What an AsyncAPI document means for a mock, for 2.x and 3.x alike: per WebSocket channel, the messages
 * the server sends and the messages clients send (with the reply each expects, if any). Read leniently:
 * what cannot be mapped is listed in `skipped` with the reason, and the rest is served.
 *
 * Perspective: a document usually describes the server (2.x `subscribe` = the server sends; 3.x `send` =
 * the server sends). One written from the client's side (the Slack one) is the other way round; `side`
 * says which, chosen by the user or weighed from the document's evidence (side.ts), with the reason.
 *
 * Where a channel is served: each WebSocket server's path (`pathname` in 3.x, the path of `url` in 2.x)
 * followed by the channel's address; channels that share an address are one endpoint (to-config.ts).
 */
import { isPlainObject } from '../util/plain-object.ts';
import type { ApiChannel, ApiMessage, ApiModel, ClientMessage } from './api.ts';
import type { AsyncApiDocument } from './document.ts';
import { decideSide } from './side.ts';

type Obj = Record<string, unknown>;

/** A document node as an object to read fields from; anything else reads as empty (lenient by design). */
export const obj = (value: unknown): Obj => (isPlainObject(value) ? value : {});
const WEBSOCKET = new Set(['ws', 'wss']);
const HTTP = new Set(['http', 'https']);

/** A server mockwave can stand in for: its path, and whether it speaks HTTP (else WebSocket). */
interface Served {
  readonly path: string;
  readonly http: boolean;
}
type Skipped = { what: string; why: string }[];

function extensionsOf(...sources: Obj[]): Obj {
  const out: Obj = {};
  for (const source of sources) Object.assign(out, obj(source['x-mockwave']));
  return out;
}

/** Whether a schema holds one of the document's placeholders for a reference that led nowhere. */
function holdsMissing(node: unknown, missing: WeakSet<object>, seen = new WeakSet<object>()): boolean {
  if (node === null || typeof node !== 'object' || seen.has(node)) return false;
  if (missing.has(node)) return true;
  seen.add(node);
  return Object.values(node).some((value) => holdsMissing(value, missing, seen));
}

const words = (...sources: Obj[]): string =>
  sources
    .flatMap((source) => ['title', 'summary', 'description'].map((key) => source[key]))
    .filter((text): text is string => typeof text === 'string')
    .join(' ');

/**
 * Whether a message's bindings say its body is chunked: a `Transfer-Encoding` of `chunked` anywhere in them,
 * as a header schema (`const`/`enum`, 3.x) or a plain value (as some 2.x documents write it).
 */
function saysChunked(bindings: unknown, depth = 0): boolean {
  if (bindings === null || typeof bindings !== 'object' || depth > 6) return false;
  return Object.entries(bindings).some(([key, value]) => {
    if (key.toLowerCase() === 'transfer-encoding') {
      const v = obj(value);
      return value === 'chunked' || v['const'] === 'chunked' || (Array.isArray(v['enum']) && v['enum'].includes('chunked'));
    }
    return saysChunked(value, depth + 1);
  });
}

/** The message as the model keeps it; `fallbackName` when the document gives it no name of its own. */
function message(doc: AsyncApiDocument, raw: unknown, fallbackName: string, operation: Obj = {}): ApiMessage {
  const m = obj(raw);
  const defined = raw !== null && typeof raw === 'object' ? doc.refNames.get(raw) : undefined;
  const examples = Array.isArray(m['examples'])
    ? (m['examples'] as unknown[]).map((e) => (obj(e)['payload'] !== undefined ? obj(e)['payload'] : e)).filter((e) => e !== undefined)
    : [];
  const location = obj(m['correlationId'])['location'];
  const correlation = typeof location === 'string' && location.startsWith('$message.payload#') ? location.slice('$message.payload#'.length) || '/' : undefined;
  const name = [m['name'], m['messageId'], defined, m['title'], fallbackName].find((n): n is string => typeof n === 'string' && n.length > 0) ?? fallbackName;
  // A 3.x Multi Format Schema Object wraps the schema; one in a format other than JSON Schema is not served.
  const payload = obj(m['payload']);
  const wrapped = typeof payload['schemaFormat'] === 'string' && payload['schema'] !== undefined;
  const jsonFormat = !wrapped || /json|yaml|asyncapi/i.test(String(payload['schemaFormat']));
  return {
    name: name.replace(/[^\w.-]+/g, '-'),
    schema: wrapped ? (jsonFormat ? payload['schema'] : {}) : (m['payload'] ?? {}),
    contentType: typeof m['contentType'] === 'string' ? m['contentType'] : typeof doc.root['defaultContentType'] === 'string' ? doc.root['defaultContentType'] : undefined,
    chunked: saysChunked(m['bindings']),
    examples,
    correlation,
    extensions: extensionsOf(operation, m),
    text: words(m, operation),
    missing: holdsMissing(raw, doc.missing) || !jsonFormat,
  };
}

/** A `oneOf` of messages (2.x) or a list (3.x) as single messages. */
function messages(doc: AsyncApiDocument, raw: unknown, prefix: string, operation: Obj): ApiMessage[] {
  const list = Array.isArray(raw) ? raw : obj(raw)['oneOf'] !== undefined ? (obj(raw)['oneOf'] as unknown[]) : raw === undefined ? [] : [raw];
  return list.map((m, i) => message(doc, m, `${prefix}${list.length > 1 ? `-${i + 1}` : ''}`, operation));
}

function servedServers(doc: AsyncApiDocument, skipped: Skipped): Map<unknown, Served> {
  const servers = obj(doc.root['servers']);
  const ok = new Map<unknown, Served>();
  for (const [name, server] of Object.entries(servers)) {
    const protocol = String(obj(server)['protocol'] ?? '').toLowerCase();
    if (WEBSOCKET.has(protocol) || HTTP.has(protocol)) ok.set(server, { path: serverPath(doc, obj(server)), http: HTTP.has(protocol) });
    else skipped.push({ what: `server ${name}`, why: `protocol ${protocol || 'unknown'} is neither WebSocket nor HTTP` });
  }
  return ok;
}

/** The path part of a server: 3.x `pathname` (or a path inside `host`), 2.x the path of `url`. */
function serverPath(doc: AsyncApiDocument, server: Obj): string {
  const written = doc.major === 3 ? (typeof server['pathname'] === 'string' ? server['pathname'] : String(server['host'] ?? '')) : String(server['url'] ?? '');
  const withoutScheme = written.replace(/^[a-z]+:\/\//i, '');
  const slash = doc.major === 3 && typeof server['pathname'] === 'string' ? 0 : withoutScheme.indexOf('/');
  return slash < 0 ? '' : withoutScheme.slice(slash).replace(/\/+$/, '');
}

/** `/ws` + `/v1/feed` -> `/ws/v1/feed`; a trailing slash is dropped (the path matcher ignores it anyway). */
function joinPath(prefix: string, address: string): string {
  const tail = address === '' || address === '/' ? '' : address.startsWith('/') ? address : `/${address}`;
  const joined = `${prefix}${tail}`.replace(/\/+$/, '');
  return joined === '' ? '/' : joined.startsWith('/') ? joined : `/${joined}`;
}

/**
 * Where a channel is served: under each server it is on (all of them when it names none), its WebSocket
 * servers first (then it is a WebSocket channel), else its HTTP ones; undefined when it is on neither.
 */
function pathsOf(channelServers: unknown, allServers: Obj, served: Map<unknown, Served>, address: string): { paths: string[]; http: boolean } | undefined {
  if (Object.keys(allServers).length === 0) return { paths: [joinPath('', address)], http: false };
  const named = Array.isArray(channelServers) && channelServers.length > 0 ? channelServers.map((s) => (typeof s === 'string' ? allServers[s] : s)) : [...served.keys()];
  const matched = named.flatMap((server) => (served.has(server) ? [served.get(server) as Served] : []));
  const ws = matched.filter((m) => !m.http);
  const use = ws.length > 0 ? ws : matched;
  if (use.length === 0) return undefined;
  return { paths: [...new Set(use.map((m) => joinPath(m.path, address)))], http: ws.length === 0 };
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `enum` as alternatives, or `pattern` without its anchors; undefined when neither is given. */
function constraintOf(holder: Obj): string | undefined {
  const values = holder['enum'];
  if (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string' || typeof v === 'number')) return values.map((v) => escapeRegex(String(v))).join('|');
  const pattern = holder['pattern'];
  if (typeof pattern === 'string' && pattern !== '' && !pattern.includes('/')) return pattern.replace(/^\^/, '').replace(/(?<!\\)\$$/, '');
  return undefined;
}

/** The constraints of a channel's parameters (2.x: their `schema`; 3.x: the parameter itself) and of server variables. */
function constraintsOf(doc: AsyncApiDocument, channel: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const server of Object.values(obj(doc.root['servers']))) {
    for (const [name, variable] of Object.entries(obj(obj(server)['variables']))) {
      const constraint = constraintOf(obj(variable));
      if (constraint !== undefined) out[name] = constraint;
    }
  }
  for (const [name, parameter] of Object.entries(obj(channel['parameters']))) {
    const constraint = constraintOf(doc.major === 2 ? obj(obj(parameter)['schema']) : obj(parameter));
    if (constraint !== undefined) out[name] = constraint;
  }
  return out;
}

const parametersOf = (paths: readonly string[]): string[] => [...new Set(paths.flatMap((path) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string)))];

function v2(doc: AsyncApiDocument, side: 'server' | 'client', ws: Map<unknown, Served>, skipped: Skipped): ApiChannel[] {
  const allServers = obj(doc.root['servers']);
  const channels: ApiChannel[] = [];
  for (const [address, rawChannel] of Object.entries(obj(doc.root['channels']))) {
    const channel = obj(rawChannel);
    const where = pathsOf(channel['servers'], allServers, ws, address);
    if (where === undefined) {
      skipped.push({ what: `channel ${address}`, why: 'none of its servers speaks WebSocket or HTTP' });
      continue;
    }
    const { paths, http } = where;
    // 2.x is written from the client's view of the application: `subscribe` is what the application sends.
    const [sendsKey, receivesKey] = side === 'server' ? ['subscribe', 'publish'] : ['publish', 'subscribe'];
    const sends = obj(channel[sendsKey]);
    const receives = obj(channel[receivesKey]);
    const serverSends = messages(doc, sends['message'], String(sends['operationId'] ?? 'message'), sends);
    const clientSends = messages(doc, receives['message'], String(receives['operationId'] ?? 'request'), receives).map((m, i): ClientMessage => {
      const raw = obj(receives['message'])['oneOf'] !== undefined ? (obj(receives['message'])['oneOf'] as unknown[])[i] : receives['message'];
      const response = obj(raw)['x-response'];
      return { message: m, replies: response === undefined ? [] : [message(doc, response, `${m.name}-reply`)], operation: String(receives['operationId'] ?? receivesKey) };
    });
    channels.push({ id: address, address, paths, http, parameters: parametersOf(paths), constraints: constraintsOf(doc, channel), serverSends, clientSends });
  }
  return channels;
}

function v3(doc: AsyncApiDocument, side: 'server' | 'client', ws: Map<unknown, Served>, skipped: Skipped): ApiChannel[] {
  const allServers = obj(doc.root['servers']);
  const byChannel = new Map<unknown, { id: string; address: string; paths: string[]; http: boolean; constraints: Record<string, string>; serverSends: ApiMessage[]; clientSends: ClientMessage[] }>();
  for (const [id, rawChannel] of Object.entries(obj(doc.root['channels']))) {
    const channel = obj(rawChannel);
    const address = typeof channel['address'] === 'string' ? channel['address'] : `/${id}`;
    const where = pathsOf(channel['servers'], allServers, ws, address);
    if (where === undefined) {
      skipped.push({ what: `channel ${id}`, why: 'none of its servers speaks WebSocket or HTTP' });
      continue;
    }
    byChannel.set(rawChannel, { id, address, ...where, constraints: constraintsOf(doc, channel), serverSends: [], clientSends: [] });
  }
  // References were resolved to shared objects, so an operation's channel is found by identity.
  const nameOf = (channel: unknown, m: unknown, fallback: string): string => {
    for (const [key, value] of Object.entries(obj(obj(channel)['messages']))) if (value === m) return key;
    return fallback;
  };
  /** An operation's messages, or (none listed) every message of its channel. */
  const listed = (holder: Obj, channel: unknown): unknown[] =>
    Array.isArray(holder['messages']) && (holder['messages'] as unknown[]).length > 0 ? (holder['messages'] as unknown[]) : Object.values(obj(obj(channel)['messages']));
  for (const [opId, rawOperation] of Object.entries(obj(doc.root['operations']))) {
    const operation = obj(rawOperation);
    const entry = byChannel.get(operation['channel']);
    if (entry === undefined) {
      skipped.push({ what: `operation ${opId}`, why: 'its channel is not served (not WebSocket, or not found)' });
      continue;
    }
    const serverSends = (operation['action'] === 'send') === (side === 'server');
    const reply = operation['reply'] === undefined ? undefined : obj(operation['reply']);
    // A reply that names only a channel means any message of that channel, as an operation without messages does.
    const replyChannel = reply?.['channel'] ?? operation['channel'];
    const replies = reply === undefined ? [] : listed(reply, replyChannel);
    for (const raw of listed(operation, operation['channel'])) {
      const m = message(doc, raw, nameOf(operation['channel'], raw, opId), operation);
      if (serverSends) entry.serverSends.push(m);
      else entry.clientSends.push({ message: m, replies: replies.map((r, i) => message(doc, r, nameOf(replyChannel, r, `${m.name}-reply${replies.length > 1 ? `-${i + 1}` : ''}`))), operation: opId });
    }
  }
  return [...byChannel.values()].map((c) => ({ ...c, parameters: parametersOf(c.paths) }));
}

function channelsOf(doc: AsyncApiDocument, side: 'server' | 'client', skipped: Skipped): ApiChannel[] {
  const ws = servedServers(doc, skipped);
  return doc.major === 2 ? v2(doc, side, ws, skipped) : v3(doc, side, ws, skipped);
}

export function readModel(doc: AsyncApiDocument, options: { side?: 'server' | 'client' } = {}): ApiModel {
  const asServer: Skipped = [];
  const serverReading = channelsOf(doc, 'server', asServer);
  const decided = options.side === undefined ? decideSide(doc.root, serverReading) : { side: options.side, reason: 'chosen with --asyncapi-side' };
  const skipped: Skipped = decided.side === 'server' ? asServer : [];
  const channels = decided.side === 'server' ? serverReading : channelsOf(doc, 'client', skipped);
  // A message whose schema holds a reference that led nowhere is left out: no data is made up for it.
  const served = channels.map((channel) => {
    const keep = (m: ApiMessage, role: string): boolean => {
      if (m.missing) skipped.push({ what: `${role} ${m.name} on ${channel.address}`, why: 'its schema refers to something the document does not have' });
      return !m.missing;
    };
    return {
      ...channel,
      serverSends: channel.serverSends.filter((m) => keep(m, 'message')),
      clientSends: channel.clientSends.filter((c) => keep(c.message, 'client message')).map((c) => ({ ...c, replies: c.replies.filter((r) => keep(r, 'reply')) })),
    };
  });
  return { title: String(obj(doc.root['info'])['title'] ?? doc.file), side: decided.side, sideReason: decided.reason, channels: served, skipped, warnings: [...doc.warnings] };
}
