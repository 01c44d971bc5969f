/**
 * An AsyncAPI document as a mockwave configuration: each WebSocket channel an endpoint of the raw dialect
 * (parameters in its address become a wildcard), each message the server sends a stream whose payload comes
 * from the message's schema (`jsonSchema` generator), and each client message with a described reply a rule
 * answering with a generated reply that carries the request's correlation value (`generate` action). The
 * result is plain configuration: `--print-config` shows it, and it can be saved and edited.
 */
import { createSchemaSampler } from '../data/json-schema.ts';
import { loadAsyncApi } from './document.ts';
import { obj, readModel, type ApiMessage, type ApiModel } from './model.ts';

export const DEFAULT_INTERVAL = 1000;
const CORRELATION_NAMES = /^(reqid|req_id|requestId|request_id|correlationId|correlation_id|id)$/;

type Obj = Record<string, unknown>;

/** `/v1/marketdata/{symbol}` -> `/v1/marketdata/*`: everything from the first parameter on is open. */
export function endpointPath(address: string): string {
  const path = address.startsWith('/') ? address : `/${address}`;
  const at = path.indexOf('{');
  return at < 0 ? path : `${path.slice(0, at)}*`;
}

/** The top-level fields with one possible value: what tells one client message from another. */
function discriminators(schema: unknown): Obj {
  const when: Obj = {};
  for (const [name, property] of Object.entries(obj(obj(schema)['properties']))) {
    const p = obj(property);
    if (p['const'] !== undefined) when[name] = p['const'];
    else if (Array.isArray(p['enum']) && p['enum'].length === 1) when[name] = p['enum'][0];
  }
  return when;
}

/** Top-level property names of a schema, including those of its allOf / oneOf / anyOf branches. */
function propertyNames(schema: unknown): string[] {
  const s = obj(schema);
  const branches = ['allOf', 'oneOf', 'anyOf'].flatMap((k) => (Array.isArray(s[k]) ? (s[k] as unknown[]) : []));
  return [...new Set([...Object.keys(obj(s['properties'])), ...branches.flatMap(propertyNames)])];
}

/** Reply pointer -> request pointer: from correlationId locations, else a field both share (`reqid`). */
function correlation(request: ApiMessage, reply: ApiMessage): Record<string, string> {
  if (request.correlation !== undefined && reply.correlation !== undefined) return { [reply.correlation]: request.correlation };
  const mine = propertyNames(request.schema);
  const theirs = new Set(propertyNames(reply.schema));
  const shared = mine.filter((name) => theirs.has(name) && CORRELATION_NAMES.test(name));
  return Object.fromEntries(shared.map((name) => [`/${name}`, `/${name}`]));
}

/** `x-mockwave: { example: 1 }` sends only that example (0-based); `examples: false` generates instead. */
function examplesOf(message: ApiMessage): readonly unknown[] {
  const x = message.extensions;
  if (x['examples'] === false) return [];
  if (typeof x['example'] === 'number') return message.examples[x['example']] === undefined ? [] : [message.examples[x['example']]];
  return message.examples;
}

function streamOf(message: ApiMessage, used: Set<string>): Obj {
  let name = message.name;
  for (let i = 2; used.has(name); i++) name = `${message.name}-${i}`;
  used.add(name);
  const x = message.extensions;
  const interval = typeof x['interval'] === 'number' || typeof x['interval'] === 'string' ? x['interval'] : DEFAULT_INTERVAL;
  return { name, interval, generator: 'jsonSchema', options: { schema: message.schema, examples: examplesOf(message) } };
}

export interface ImportedApi {
  readonly config: Obj;
  /** The start-up report: channels and their URLs are in the banner; these lines say what was mapped. */
  readonly report: string[];
  readonly model: ApiModel;
}

export function asyncApiToConfig(file: string, options: { side?: 'server' | 'client' } = {}): ImportedApi {
  const document = loadAsyncApi(file);
  const model = readModel(document, options);
  const report = [`AsyncAPI ${document.version}: ${model.title} (read from the ${model.side}'s side${options.side === undefined ? '; --asyncapi-side to change' : ''})`];
  const warnings = [...model.warnings];
  const endpoints: Obj[] = [];
  for (const channel of model.channels) {
    const replies = new Set(channel.clientSends.flatMap((c) => (c.reply === undefined ? [] : [c.reply.name])));
    const used = new Set<string>();
    const streams: Obj[] = [];
    const lines: string[] = [];
    for (const message of channel.serverSends) {
      // A message the document also gives as a reply is an answer, not something sent on a schedule.
      if (replies.has(message.name) || message.extensions['disabled'] === true) continue;
      const stream = streamOf(message, used);
      streams.push(stream);
      lines.push(`stream ${String(stream['name'])} every ${String(stream['interval'])} ms`);
    }
    const rules: Obj[] = [];
    const seen = new Map<string, string>();
    for (const { message, reply } of channel.clientSends) {
      if (reply === undefined) continue;
      const when = discriminators(message.schema);
      const key = JSON.stringify(when);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        lines.push(`${message.name} has the same fixed fields as ${earlier} (${key}): ${earlier}'s rule answers both`);
        continue;
      }
      seen.set(key, message.name);
      const copy = correlation(message, reply);
      const copies = Object.keys(copy);
      lines.push(`${message.name} ${key} -> ${reply.name}${copies.length === 0 ? '' : ` (copies ${copies.join(', ')})`}`);
      rules.push({ name: `${message.name} -> ${reply.name}`, when, then: [{ generate: { schema: reply.schema, examples: examplesOf(reply), copy } }] });
    }
    for (const message of [...channel.serverSends, ...channel.clientSends.flatMap((c) => (c.reply === undefined ? [] : [c.reply]))]) {
      warnings.push(...createSchemaSampler({ schema: message.schema, examples: message.examples, seed: 1, now: Date.now, label: `${channel.address} ${message.name}` }).warnings);
    }
    for (const { message, reply } of channel.clientSends) if (reply === undefined) lines.push(`${message.name} from clients is accepted (no reply described)`);
    const path = endpointPath(channel.address);
    report.push(`  channel ${channel.address} -> endpoint ${path}${channel.parameters.length > 0 ? ` (parameters: ${channel.parameters.join(', ')})` : ''}`, ...lines.map((line) => `    ${line}`));
    endpoints.push({ path, dialect: 'raw', streams, rules });
  }
  for (const { what, why } of model.skipped) report.push(`  skipped ${what}: ${why}`);
  for (const warning of [...new Set(warnings)]) report.push(`  warning: ${warning}`);
  if (endpoints.length === 0) report.push('  nothing to serve: no channel on a WebSocket server');
  return { config: { endpoints }, report, model };
}
