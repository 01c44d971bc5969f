/**
 * An AsyncAPI document as a mockwave configuration. Each path a WebSocket channel is served at becomes an
 * endpoint of the raw dialect (channels that share an address share it; `{param}` is one path segment,
 * `:param`). What the server sends becomes, as delivery.ts decides, a stream (`jsonSchema` generator), an
 * `onConnect` step, or a stream without interval that is sent only when asked. Each client message becomes a
 * rule that matches messages valid against its schema: answered with its described replies (`generate`,
 * carrying the request's correlation value, each reply checked against its schema before it leaves), or just
 * accepted. A last rule logs what the document does not describe, and answers with the document's error
 * message when it has one. The result is plain configuration: `--print-config` shows it, and it can be
 * saved and edited.
 */
import { createSchemaSampler } from '../data/json-schema.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { pathConstraintProblem } from '../rules/index.ts';
import { systemClock } from '../util/clock.ts';
import { deliveryOf } from './delivery.ts';
import { loadAsyncApi } from './document.ts';
import type { ApiChannel, ApiMessage, ApiModel } from './api.ts';
import { obj, readModel } from './model.ts';

export const DEFAULT_INTERVAL = 1000;
const CORRELATION_NAMES = /^(reqid|req_id|requestId|request_id|correlationId|correlation_id|id)$/;

type Obj = Record<string, unknown>;

/**
 * `/v1/marketdata/{symbol}` -> `/v1/marketdata/:symbol`: a parameter is exactly one segment, limited to its
 * `enum` or `pattern` when the document gives one and it is safe to run (`:symbol(btcusd|ethusd)`). A segment
 * that holds a parameter and more (`/{a}-{b}`) cannot be matched exactly: the path is open from there (`*`).
 */
export function endpointPath(address: string, constraints: Readonly<Record<string, string>> = {}): string {
  const segments = (address.startsWith('/') ? address : `/${address}`).split('/');
  const out: string[] = [];
  for (const segment of segments) {
    const whole = /^\{([^{}]+)\}$/.exec(segment);
    const constraint = whole === null ? undefined : constraints[whole[1] as string];
    const limited = constraint !== undefined && pathConstraintProblem([constraint]) === undefined ? `(${constraint})` : '';
    if (whole !== null) out.push(`:${(whole[1] as string).replace(/[^\w-]/g, '_').replace(/^(?=[\d-])/, 'p')}${limited}`);
    else if (segment.includes('{')) return `${[...out, ''].join('/')}*`;
    else out.push(segment);
  }
  return out.join('/') || '/';
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

const generateStep = (message: ApiMessage, copy: Record<string, string> = {}): Obj => ({ generate: { schema: message.schema, examples: examplesOf(message), copy } });

/** What one endpoint gathers from the channels served at its path. */
interface EndpointDraft {
  readonly path: string;
  /** Set for an HTTP stream (Server-Sent Events, or chunked JSON lines); undefined for WebSocket. */
  stream?: { readonly format: 'events' | 'ndjson'; heartbeat: number };
  readonly channels: string[];
  readonly streams: Obj[];
  readonly onConnect: Obj[];
  readonly rules: { readonly rule: Obj; readonly weight: number; readonly request?: ApiMessage }[];
  readonly described: string[];
  /** Client messages told apart by fixed fields: a message with those fields that fails the schema is a near miss. */
  readonly nearMisses: { readonly name: string; readonly fields: Obj }[];
  readonly errors: ApiMessage[];
  readonly lines: string[];
  readonly streamNames: Set<string>;
}

function uniqueName(name: string, used: Set<string>): string {
  let unique = name;
  for (let i = 2; used.has(unique); i++) unique = `${name}-${i}`;
  used.add(unique);
  return unique;
}

function addChannel(draft: EndpointDraft, channel: ApiChannel): void {
  draft.channels.push(channel.id);
  const replies = new Set(channel.clientSends.flatMap((c) => c.replies.map((r) => r.name)));
  for (const message of channel.serverSends) {
    // A message the document also gives as a reply is an answer, not something sent on its own.
    if (replies.has(message.name) || message.extensions['disabled'] === true) continue;
    const delivery = deliveryOf(message);
    if (delivery.on === 'connect') {
      draft.onConnect.push(generateStep(message));
      draft.lines.push(`${message.name}: sent to each client as it connects (${delivery.why})`);
      continue;
    }
    const x = message.extensions;
    const name = uniqueName(message.name, draft.streamNames);
    const interval = delivery.on === 'demand' ? undefined : typeof x['interval'] === 'number' || typeof x['interval'] === 'string' ? x['interval'] : DEFAULT_INTERVAL;
    draft.streams.push({ name, ...(interval === undefined ? {} : { interval }), generator: 'jsonSchema', options: { schema: message.schema, examples: examplesOf(message) } });
    if (delivery.on === 'demand') {
      if (/error/i.test(message.name)) draft.errors.push(message);
      draft.lines.push(`${name}: sent only when asked, as stream ${name} (admin API, dashboard) (${delivery.why})`);
    } else draft.lines.push(`${name}: stream every ${String(interval)} ms (${delivery.why})`);
  }
  for (const { message, replies: answers } of channel.clientSends) {
    draft.described.push(message.name);
    const fields = discriminators(message.schema);
    if (Object.keys(fields).length > 0) draft.nearMisses.push({ name: message.name, fields });
    const weight = Object.keys(discriminators(message.schema)).length * 100 + (Array.isArray(obj(message.schema)['required']) ? (obj(message.schema)['required'] as unknown[]).length : 0);
    if (answers.length === 0) {
      draft.rules.push({ weight, rule: { name: `${message.name} (accepted)`, when: { schema: message.schema }, then: [{ drop: true }] } });
      draft.lines.push(`${message.name} from clients is accepted (no reply described)`);
      continue;
    }
    const steps = answers.map((reply) => generateStep(reply, correlation(message, reply)));
    const copies = [...new Set(steps.flatMap((s) => Object.keys(obj(obj(s['generate'])['copy']))))];
    draft.rules.push({ weight, rule: { name: `${message.name} -> ${answers.map((r) => r.name).join(', ')}`, when: { schema: message.schema }, then: steps }, request: message });
    draft.lines.push(`${message.name} (messages valid against its schema) -> ${answers.map((r) => r.name).join(', ')}${copies.length === 0 ? '' : ` (copies ${copies.join(', ')} when the client sent it)`}`);
  }
}

/** A message that is only whitespace (`"\r\n"`), sent to keep an HTTP stream open: a heartbeat, not data. */
function isHeartbeat(message: ApiMessage): boolean {
  const values = obj(message.schema)['enum'];
  return Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string' && v.trim() === '');
}

/**
 * How an HTTP channel streams, from its messages: `text/event-stream` is Server-Sent Events; a chunked body
 * (the HTTP binding's Transfer-Encoding) or JSON lines is a stream of JSON lines. Undefined: it does not.
 */
function streamFormat(channel: ApiChannel): 'events' | 'ndjson' | undefined {
  const types = channel.serverSends.map((m) => m.contentType ?? '');
  if (types.some((t) => /text\/event-stream/i.test(t))) return 'events';
  if (channel.serverSends.some((m) => m.chunked) || types.some((t) => /ndjson|jsonl|json-seq/i.test(t))) return 'ndjson';
  return undefined;
}

/** An HTTP streaming channel: its messages are the endpoint's streams, its whitespace messages heartbeats. */
function addStreamingChannel(draft: EndpointDraft, channel: ApiChannel, format: 'events' | 'ndjson'): void {
  draft.channels.push(channel.id);
  draft.stream = { format, heartbeat: draft.stream?.heartbeat ?? 0 };
  for (const message of channel.serverSends) {
    if (isHeartbeat(message)) {
      draft.stream.heartbeat = DEFAULT_INTERVAL;
      draft.lines.push(`${message.name}: a heartbeat (a blank line every ${DEFAULT_INTERVAL} ms), not data`);
      continue;
    }
    const name = uniqueName(message.name, draft.streamNames);
    const x = message.extensions;
    const interval = typeof x['interval'] === 'number' || typeof x['interval'] === 'string' ? x['interval'] : DEFAULT_INTERVAL;
    draft.streams.push({ name, interval, generator: 'jsonSchema', options: { schema: message.schema, examples: examplesOf(message) } });
    draft.lines.push(`${name}: streamed every ${String(interval)} ms as ${format === 'events' ? 'Server-Sent Events' : 'a JSON line'}`);
  }
  for (const { message } of channel.clientSends) draft.lines.push(`${message.name} (an HTTP request) is not mocked from the document: add an http.routes entry for it`);
}

/**
 * The rules that catch what no described message matches, each logging it and answering with the document's
 * error message if it has one: first the near misses (the fixed fields of a described message, e.g.
 * `event: ping`, but not its schema: that message is the closest), then anything else.
 */
function notDescribed(draft: EndpointDraft): Obj[] {
  const described = draft.described.length === 0 ? 'it describes no client message' : `it describes: ${[...new Set(draft.described)].join(', ')}`;
  const error = draft.errors[0];
  const answer = error === undefined ? [] : [generateStep(error)];
  const seen = new Set<string>();
  const near = draft.nearMisses.filter((m) => !seen.has(JSON.stringify(m.fields)) && seen.add(JSON.stringify(m.fields)) !== undefined);
  return [
    ...near.map((m) => ({ name: `near ${m.name}`, when: { json: m.fields }, then: [{ log: `sent a message with the fixed fields of ${m.name} (${JSON.stringify(m.fields)}) that does not match its schema` }, ...answer] })),
    { name: 'not described', when: { text: '' }, then: [{ log: `sent a message the AsyncAPI document does not describe (${described})` }, ...answer] },
  ];
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
  const report = [`AsyncAPI ${document.version}: ${model.title}`, `  read from the ${model.side}'s side: ${model.sideReason}${options.side === undefined ? ' (--asyncapi-side to change)' : ''}`];
  const warnings = [...model.warnings];
  const drafts = new Map<string, EndpointDraft>();
  const skipped = [...model.skipped];
  for (const channel of model.channels) {
    const format = channel.http ? streamFormat(channel) : undefined;
    if (channel.http && format === undefined) {
      skipped.push({ what: `channel ${channel.id}`, why: 'it is on HTTP servers and does not stream (no text/event-stream or chunked message): mock its requests with http.routes' });
      continue;
    }
    for (const address of channel.paths) {
      const path = endpointPath(address, channel.constraints);
      let draft = drafts.get(path);
      if (draft === undefined) {
        draft = { path, channels: [], streams: [], onConnect: [], rules: [], described: [], nearMisses: [], errors: [], lines: [], streamNames: new Set() };
        drafts.set(path, draft);
      }
      if (format === undefined) addChannel(draft, channel);
      else addStreamingChannel(draft, channel, format);
    }
    for (const message of [...channel.serverSends, ...channel.clientSends.flatMap((c) => c.replies)]) {
      warnings.push(...createSchemaSampler({ schema: message.schema, examples: message.examples, seed: 1, now: () => systemClock.now(), label: `${channel.address} ${message.name}` }).warnings);
    }
  }
  const endpoints: Obj[] = [];
  let serves = false;
  for (const draft of drafts.values()) {
    // The most specific request schema is tried first (more fixed fields, then more required ones). A reply
    // that cannot be made valid with what the client sent is answered with the document's error message.
    const error = draft.errors[0];
    const rules = [...draft.rules].sort((a, b) => b.weight - a.weight).map((r) => (error === undefined || r.request === undefined ? r.rule : { ...r.rule, onFailure: [generateStep(error)] }));
    serves ||= draft.streams.length > 0 || draft.onConnect.length > 0 || rules.some((r) => (r['then'] as Obj[]).some((step) => step['generate'] !== undefined));
    if (error !== undefined && draft.rules.some((r) => r.request !== undefined)) draft.lines.push(`a reply that cannot match its schema with what the client sent is answered with ${error.name}`);
    const channels = [...new Set(draft.channels)];
    const parameters = [...draft.path.matchAll(/:([\w-]+)(\([^/]*\))?/g)].map((m) => `${m[1]}${m[2] === undefined ? '' : ` ${m[2].slice(1, -1)}`}`);
    report.push(`  endpoint ${draft.path} (channel${channels.length > 1 ? 's' : ''} ${channels.join(', ')}${parameters.length > 0 ? `; parameters: ${parameters.join(', ')}` : ''})`, ...draft.lines.map((line) => `    ${line}`));
    if (draft.stream !== undefined) {
      endpoints.push({ path: draft.path, protocol: 'sse', sse: { format: draft.stream.format, heartbeat: draft.stream.heartbeat }, streams: draft.streams });
      continue;
    }
    endpoints.push({ path: draft.path, dialect: 'raw', streams: draft.streams, onConnect: draft.onConnect, rules: [...rules, ...notDescribed(draft)] });
  }
  for (const { what, why } of skipped) report.push(`  skipped ${what}: ${why}`);
  for (const warning of [...new Set(warnings)]) report.push(`  warning: ${warning}`);
  if (!serves) {
    const why = endpoints.length === 0 ? 'no channel is on a WebSocket server or streams over HTTP' : 'the server sends nothing the document describes on its WebSocket channels';
    throw new MockwaveError('MW_CONFIG_INVALID', `${file}: nothing to serve: ${why}`, { details: report });
  }
  return { config: { endpoints }, report, model };
}
