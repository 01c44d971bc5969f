/**
 * A sidecar overlay steers an imported AsyncAPI mock without editing the API document: any mockwave
 * configuration, merged onto the derived one. Endpoints are matched by path; within one, streams are merged
 * by name (an overlay stream with a new name is added), and the overlay's rules come first, so they win
 * over the derived ones. Everything else merges key by key.
 */
import { deepMerge, type Patch } from '../config/merge.ts';
import { isPlainObject } from '../util/plain-object.ts';

type Obj = Record<string, unknown>;

function byName(base: unknown, over: unknown, key: string): unknown[] {
  const out = Array.isArray(base) ? [...(base as unknown[])] : [];
  for (const item of Array.isArray(over) ? over : []) {
    const index = out.findIndex((b) => isPlainObject(b) && isPlainObject(item) && b[key] === item[key]);
    if (index >= 0) out[index] = deepMerge(out[index], item);
    else out.push(item);
  }
  return out;
}

export function applyOverlay(derived: Patch, overlay: Patch): Patch {
  const { endpoints: overEndpoints, ...rest } = overlay;
  const merged = deepMerge(derived, rest) as Patch;
  const endpoints = Array.isArray(derived['endpoints']) ? [...(derived['endpoints'] as Obj[])] : [];
  for (const over of Array.isArray(overEndpoints) ? (overEndpoints as Obj[]) : []) {
    const index = endpoints.findIndex((e) => e['path'] === over['path']);
    if (index < 0) {
      endpoints.push(over);
      continue;
    }
    const base = endpoints[index] as Obj;
    const { streams, rules, ...others } = over;
    endpoints[index] = {
      ...(deepMerge(base, others) as Obj),
      streams: byName(base['streams'], streams, 'name'),
      rules: [...(Array.isArray(rules) ? rules : []), ...(Array.isArray(base['rules']) ? (base['rules'] as unknown[]) : [])],
    };
  }
  merged['endpoints'] = endpoints;
  return merged;
}
