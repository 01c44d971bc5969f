/**
 * Turns schema issues into the lines a user reads: `endpoints[0].streams[2].interval: expected a number >= 0`.
 * Zod's own wording is written for developers of schemas; ours is written for people editing a config file.
 */
import type { z } from 'zod';
import { didYouMean } from './closest.ts';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
}

function article(type: string): string {
  if (type === 'int') return 'an integer';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

type RawIssue = z.core.$ZodRawIssue;

function bound(issue: { origin?: string; inclusive?: boolean }, limit: unknown, below: boolean): string {
  const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
  if (issue.origin === 'string' || issue.origin === 'array') return `expected ${below ? 'at least' : 'at most'} ${String(limit)}${unit}`;
  const op = below ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
  return `expected a number ${op} ${String(limit)}`;
}

/** The keys an object (or a record over a fixed set of keys) knows, read from the schema that raised the issue. */
function knownKeys(inst: unknown): string[] {
  type Def = { shape?: Record<string, unknown>; keyType?: { _zod?: { values?: Set<unknown> } } };
  const def = (inst as { _zod?: { def?: Def } } | undefined)?._zod?.def;
  if (def?.shape !== undefined) return Object.keys(def.shape);
  return [...(def?.keyType?._zod?.values ?? [])].filter((value): value is string => typeof value === 'string');
}

/**
 * `unknown key "stauts" (did you mean "status"?)`. Keys already given are still suggested: a preset or a
 * default may have given the one meant, so "given" says nothing about what the user wrote.
 */
function unknownKeys(keys: readonly string[], inst: unknown): string {
  const known = knownKeys(inst);
  return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((key) => `"${key}"${didYouMean(key, known)}`).join(', ')}`;
}

/** Per-parse error map: the wording of every issue that has no message of its own in the schema. */
export function issueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'int') return `expected an integer, got ${describe(issue.input)}`;
      return `expected ${article(String(issue.expected))}, got ${describe(issue.input)}`;
    case 'too_small':
      return bound(issue, issue.minimum, true);
    case 'too_big':
      return bound(issue, issue.maximum, false);
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
    case 'unrecognized_keys':
      return unknownKeys(issue.keys, issue.inst);
    case 'invalid_format':
      return `expected ${article(issue.format)}`;
    default:
      return undefined;
  }
}

/** Where a configuration value came from, when not from a config file: `WEBSOCKET_PORT`, `--port`. */
export type Provenance = ReadonlyMap<string, string>;

/**
 * Where in the configuration file a problem is: `mockwave.yaml:12`, or the file alone, or undefined when the
 * file does not hold that path. `key` is the unknown key of an unknown-key problem, whose own line is meant.
 */
export type Locate = (path: readonly PropertyKey[], key: string | undefined) => string | undefined;

/**
 * One line per problem; a value set by an env variable or flag names it, so the user knows where to look, and
 * one from the configuration file starts with the file and line, as a compiler says it (`file:line: …`).
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], provenance: Provenance = new Map(), locate?: Locate): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    let origin: string | undefined;
    for (const [prefix, source] of provenance) {
      if (path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)) origin = source;
    }
    if (origin !== undefined) return `${path}: ${issue.message} (from ${origin})`;
    const where = locate?.(issue.path, issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined);
    return `${where === undefined ? '' : `${where}: `}${path}: ${issue.message}`;
  });
}
