/**
 * `streamOverrides: { events: { interval: "1000-2000" } }` merges fields onto every stream of that name, in
 * every endpoint. It lets a file, an env variable or a flag tune a preset's stream without restating the
 * whole endpoint (lists are otherwise replaced whole).
 */
import type { Provenance } from '../errors/schema-issues.ts';
import { isPlainObject } from '../util/plain-object.ts';
import { deepMerge, type Patch } from './merge.ts';

/**
 * Applies the overrides in place and removes them; returns problems (an override naming no stream) as
 * `path: message`.
 */
export function applyStreamOverrides(raw: Patch, provenance: Map<string, string>): string[] {
  const overrides = raw['streamOverrides'];
  if (!isPlainObject(overrides) || !Array.isArray(raw['endpoints'])) return [];
  const problems: string[] = [];
  const endpoints = raw['endpoints'] as unknown[];
  for (const [name, patch] of Object.entries(overrides)) {
    if (!isPlainObject(patch)) continue; // the schema reports the wrong shape
    let found = 0;
    endpoints.forEach((endpoint, e) => {
      if (!isPlainObject(endpoint) || !Array.isArray(endpoint['streams'])) return;
      const streams = endpoint['streams'] as unknown[];
      streams.forEach((stream, s) => {
        if (!isPlainObject(stream) || stream['name'] !== name) return;
        streams[s] = deepMerge(stream, patch);
        found++;
        // Problems in merged fields name the variable or flag that set them.
        for (const [key, source] of [...provenance]) {
          const prefix = `streamOverrides.${name}`;
          if (key.startsWith(prefix)) provenance.set(`endpoints[${e}].streams[${s}]${key.slice(prefix.length)}`, source);
        }
      });
    });
    if (found === 0) {
      const source = provenance.get(`streamOverrides.${name}.interval`) ?? provenance.get(`streamOverrides.${name}`);
      problems.push(`streamOverrides.${name}: no stream is named "${name}"${source === undefined ? '' : ` (from ${source})`}`);
    }
  }
  // Applied: what is left to validate are the merged streams themselves, each problem reported once.
  delete raw['streamOverrides'];
  return problems;
}

export type { Provenance };
