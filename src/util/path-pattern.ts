/**
 * The one path syntax, for endpoint paths (and what later shares them: HTTP routes, AsyncAPI addresses):
 *
 *   /ws              exactly that path (a trailing slash in the request is ignored)
 *   /rooms/:id       `:name` is exactly one non-empty segment, captured as params.name
 *   /feeds/:symbol(btcusd|ethusd)
 *                    …whose whole value must match the regular expression in parentheses (no "/" in it)
 *   /feeds/*         a trailing `*` is any rest, empty included, captured as params['*']; `/*` is every path
 *
 * When several patterns match, the most specific wins: more literal characters first, then no wildcard,
 * then fewer parameters.
 */
import { errorMessage } from '../errors/error-message.ts';

export interface PathPattern {
  readonly source: string;
  /** Params of a matching path, or undefined. */
  match(pathname: string): Readonly<Record<string, string>> | undefined;
  /** Higher is more specific; used to order patterns. */
  readonly rank: readonly [number, number, number];
  /** True when the pattern has no parameter and no wildcard. */
  readonly exact: boolean;
}

const PARAM = /^:([A-Za-z_][\w-]*)(?:\((.+)\))?$/;

/** A parameter's constraint, anchored to the whole segment. */
function constraintOf(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

/** The regular expressions of a pattern's parameter constraints (for the configuration's safety check). */
export function pathConstraints(pattern: string): string[] {
  return pattern.split('/').flatMap((segment) => {
    const constraint = PARAM.exec(segment)?.[2];
    return constraint === undefined ? [] : [constraint];
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Undefined when `pattern` is well formed, else why not (for the schema). */
export function pathPatternProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return 'a path starts with "/"';
  const names = new Set<string>();
  const segments = pattern.split('/');
  for (const segment of segments) {
    if (!segment.startsWith(':')) continue;
    const found = PARAM.exec(segment);
    const name = found?.[1];
    if (name === undefined) return `"${segment}" is not a parameter: write ":name" or ":name(regex)" as a whole segment`;
    if (names.has(name)) return `parameter ":${name}" appears twice`;
    names.add(name);
    if (found?.[2] !== undefined) {
      try {
        constraintOf(found[2]);
      } catch (error) {
        return `parameter ":${name}": ${errorMessage(error)}`;
      }
    }
  }
  // A "*" inside a parameter's constraint is the regular expression's own.
  const plain = segments.map((segment) => (PARAM.test(segment) ? ':p' : segment)).join('/');
  const star = plain.indexOf('*');
  if (star !== -1 && star !== plain.length - 1) return '"*" may only end a path';
  return undefined;
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') || '/' : path;
}

export function compilePathPattern(pattern: string): PathPattern {
  const wildcard = pattern.endsWith('*');
  const body = wildcard ? pattern.slice(0, -1) : trimSlash(pattern);
  const names: string[] = [];
  const constraints: (RegExp | undefined)[] = [];
  let literal = 0;
  const regex = body
    .split('/')
    .map((segment) => {
      const found = PARAM.exec(segment);
      const name = found?.[1];
      if (name === undefined) {
        literal += segment.length;
        return escape(segment);
      }
      names.push(name);
      constraints.push(found?.[2] === undefined ? undefined : constraintOf(found[2]));
      return '([^/]+)';
    })
    .join('/');
  if (names.length === 0 && !wildcard) {
    return { source: pattern, exact: true, rank: [literal, 1, 0], match: (pathname) => (trimSlash(pathname) === body ? {} : undefined) };
  }
  const re = new RegExp(`^${regex}${wildcard ? '(.*)' : '/?'}$`);
  return {
    source: pattern,
    exact: false,
    // A constrained parameter is more specific than a free one.
    rank: [literal, wildcard ? 0 : 1, -names.length + constraints.filter((c) => c !== undefined).length / 100],
    match(pathname) {
      const found = re.exec(pathname);
      if (found === null) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) {
        const value = decodeURIComponentSafe(found[i + 1] as string);
        if (constraints[i]?.test(value) === false) return undefined;
        params[names[i] as string] = value;
      }
      if (wildcard) params['*'] = found[names.length + 1] ?? '';
      return params;
    },
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Orders patterns most specific first. */
export function bySpecificity(a: PathPattern, b: PathPattern): number {
  for (let i = 0; i < 3; i++) {
    const d = (b.rank[i] as number) - (a.rank[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** The address of a pattern as shown to people: the wildcard dropped, parameters kept as placeholders. */
export function displayPath(pattern: string): string {
  if (pattern === '/*') return '';
  return pattern.endsWith('*') ? pattern.slice(0, -1) : pattern;
}
