/**
 * JSONPath matching through jsonpath-plus (its safe evaluator: filter expressions cannot run code). The
 * library has no compile step, so a path is checked at load by running it (and each filter) on a probe.
 */
import type * as JsonPathPlus from 'jsonpath-plus';
import { lazy } from '../util/lazy.ts';
import { errorMessage } from '../errors/error-message.ts';

const jsonPath = lazy<typeof JsonPathPlus>('jsonpath-plus');

function select(path: string, value: unknown): unknown[] {
  return jsonPath().JSONPath({ path, json: value as object, wrap: true, eval: 'safe' }) as unknown[];
}

/** Undefined when the path is usable, else why not. */
export function checkJsonPath(path: string): string | undefined {
  if (!path.startsWith('$')) return 'a JSONPath starts with "$"';
  try {
    // Filters only run on nodes that exist, so run each one alone on a one-element probe to parse it.
    for (const part of jsonPath().JSONPath.toPathArray(path)) {
      if (part.startsWith('?(')) select(`$[${part}]`, [{}]);
    }
    select(path, { probe: [{ a: 1 }] });
    return undefined;
  } catch (error) {
    return `invalid JSONPath: ${errorMessage(error)}`;
  }
}

/** A predicate: true when the path selects at least one value of the message. */
export function compileJsonPath(path: string): (value: unknown) => boolean {
  return (value) => {
    if (value === null || typeof value !== 'object') return false;
    try {
      return select(path, value).length > 0;
    } catch {
      return false;
    }
  };
}
