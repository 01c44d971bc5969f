/**
 * A matcher over journal entries, compiled once per question: each field it names is one part (`kind`,
 * `message`, `path`, …), tested on its own, so an entry that does not match can say which parts did not
 * (the near-miss report: the closest entries first, each with the parts that differ, what was expected and
 * what the entry holds, masked). A payload or an HTTP body is matched as a rule's `when` matches a message
 * (src/rules/match.ts: partial JSON, `regex`, `text`, `jsonPath`, `binary`, `schema`); an HTTP request's
 * path as a route's path is (`:id`, a trailing `*`), its headers by regular expression, its query exactly.
 */
import { z } from 'zod';
import { compileRegex, compileWhen, regexSchema, whenSchema, type Matcher } from '../rules/index.ts';
import { compilePathPattern, pathPatternProblem } from '../util/path-pattern.ts';
import { Message } from '../util/message.ts';
import type { Redactor } from '../security/redact.ts';
import { JOURNAL_KINDS, JOURNAL_PROTOCOLS, rawHeader, type JournalEntry } from './entry.ts';
import { entryView, type JournalEntryView } from './view.ts';

export const entryMatcherSchema = z
  .strictObject({
    protocol: z.enum(JOURNAL_PROTOCOLS).optional(),
    kind: z.enum(JOURNAL_KINDS).optional(),
    direction: z.enum(['in', 'out']).optional(),
    endpoint: z.string().min(1).optional().describe('A WebSocket or SSE endpoint\'s path, or the path an HTTP request asked for, exactly.'),
    route: z.string().min(1).optional().describe('The HTTP route that answered, by name.'),
    topic: z.string().min(1).optional().describe('A broadcast\'s or subscription\'s topic.'),
    code: z.number().int().optional().describe('A close code.'),
    source: z.string().min(1).optional().describe('What produced a message sent, exactly: `rule:<name>`, `route:<name>`, `stream:<name>`, `admin`, `dialect`, `proxy` or `replay`.'),
    message: whenSchema.optional().describe('The payload, as a rule\'s `when` matches a message.'),
    method: z.string().min(1).optional().describe('An HTTP request\'s method.'),
    path: z
      .string()
      .regex(/^\//, { message: 'expected a path starting with "/"' })
      .superRefine((path, ctx) => {
        const problem = path.startsWith('/') ? pathPatternProblem(path) : undefined;
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe('An HTTP request\'s path, as a route\'s path matches (`:id`, a trailing `*`).'),
    query: z.record(z.string(), z.string()).optional().describe('Query parameters with exactly these values.'),
    headers: z.record(z.string(), regexSchema).optional().describe('Header name -> regular expression its value must match.'),
    body: whenSchema.optional().describe('An HTTP request\'s body, as a route\'s `when.body` matches.'),
    status: z.number().int().optional().describe('The status an HTTP request was answered with.'),
  })
  .describe('What a journal entry must be: every field named must match.');

export type EntryMatcherConfig = z.output<typeof entryMatcherSchema>;

/** One named part of a matcher: what it expects, and whether an entry has it. */
interface Part {
  readonly field: string;
  readonly expected: unknown;
  test(entry: JournalEntry): boolean;
  /** What the entry holds for this part, as shown (masked). */
  actual(view: JournalEntryView): unknown;
}

/** A part that did not match an entry. */
export interface Mismatch {
  readonly field: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

export interface NearMiss {
  readonly entry: JournalEntryView;
  readonly mismatches: readonly Mismatch[];
}

/** A frame's payload as rules read a message; undefined for an entry without one. */
function payloadOf(entry: JournalEntry): Message | undefined {
  if (entry.data === undefined) return undefined;
  return typeof entry.data === 'string' ? new Message(Buffer.from(entry.data), false) : new Message(entry.data, true);
}

const payloadShown = (view: JournalEntryView): unknown => view.json ?? view.text ?? view.base64;

function exact<K extends keyof JournalEntry>(field: K, expected: JournalEntry[K] | undefined): Part[] {
  if (expected === undefined) return [];
  return [{ field, expected, test: (entry) => entry[field] === expected, actual: (view) => (view as unknown as Record<string, unknown>)[field] }];
}

function httpParts(config: EntryMatcherConfig): Part[] {
  const parts: Part[] = [];
  if (config.method !== undefined) {
    const method = config.method.toUpperCase();
    parts.push({ field: 'method', expected: method, test: (e) => e.http?.method === method, actual: (v) => v.request?.method });
  }
  if (config.path !== undefined) {
    const pattern = compilePathPattern(config.path);
    parts.push({ field: 'path', expected: config.path, test: (e) => e.http !== undefined && pattern.match(e.http.path) !== undefined, actual: (v) => v.request?.path });
  }
  if (config.query !== undefined) {
    const wanted = Object.entries(config.query);
    parts.push({ field: 'query', expected: config.query, test: (e) => e.http !== undefined && wanted.every(([name, value]) => new URLSearchParams(e.http?.search).get(name) === value), actual: (v) => v.request?.query });
  }
  if (config.headers !== undefined) {
    const wanted = Object.entries(config.headers).map(([name, pattern]) => [name.toLowerCase(), compileRegex(pattern)] as const);
    const headerOf = (e: JournalEntry, name: string): string | undefined => (e.http === undefined ? undefined : rawHeader(e.http.rawHeaders, name));
    parts.push({ field: 'headers', expected: config.headers, test: (e) => wanted.every(([name, test]) => { const value = headerOf(e, name); return value !== undefined && test(value); }), actual: (v) => v.request?.headers });
  }
  if (config.body !== undefined) {
    const matches: Matcher = compileWhen(config.body);
    parts.push({ field: 'body', expected: config.body, test: (e) => e.http !== undefined && matches(new Message(e.http.body, false)), actual: (v) => v.request?.json ?? v.request?.text ?? v.request?.base64 });
  }
  if (config.status !== undefined) parts.push({ field: 'status', expected: config.status, test: (e) => e.http?.status === config.status, actual: (v) => v.response?.status });
  return parts;
}

/** A compiled matcher: whether an entry matches, and how far off one that does not is. */
export class EntryMatcher {
  readonly #parts: readonly Part[];

  constructor(config: EntryMatcherConfig) {
    const parts: Part[] = [...exact('protocol', config.protocol), ...exact('kind', config.kind), ...exact('direction', config.direction), ...exact('endpoint', config.endpoint), ...exact('route', config.route), ...exact('code', config.code), ...exact('source', config.source)];
    if (config.topic !== undefined) parts.push({ field: 'topic', expected: config.topic, test: (e) => e.topics?.includes(config.topic as string) === true, actual: (v) => v.topics });
    if (config.message !== undefined) {
      const matches = compileWhen(config.message);
      parts.push({ field: 'message', expected: config.message, test: (e) => { const m = payloadOf(e); return m !== undefined && matches(m); }, actual: payloadShown });
    }
    this.#parts = [...parts, ...httpParts(config)];
  }

  matches(entry: JournalEntry): boolean {
    return this.#parts.every((part) => part.test(entry));
  }

  /** The entries closest to matching, fewest parts off first (the newest first among equals), at most `count`. */
  nearMisses(entries: readonly JournalEntry[], redact: Redactor, count = 3): NearMiss[] {
    const scored = entries.map((entry) => ({ entry, failed: this.#parts.filter((part) => !part.test(entry)) })).filter((s) => s.failed.length > 0);
    scored.sort((a, b) => a.failed.length - b.failed.length || b.entry.seq - a.entry.seq);
    return scored.slice(0, count).map(({ entry, failed }) => {
      const view = entryView(entry, redact);
      return { entry: view, mismatches: failed.map((part) => ({ field: part.field, expected: part.expected, actual: part.actual(view) })) };
    });
  }
}
