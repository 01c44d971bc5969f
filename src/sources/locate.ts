/**
 * Where a configuration problem is in its file: `mockwave.yaml:12`. The file is parsed a second time, with
 * the node ranges the `yaml` package keeps, only when there is a problem to place, so a valid configuration
 * costs nothing. JSON is read by the same parser (JSON is YAML), so its problems get lines too.
 */
import { readFileSync } from 'node:fs';
import type * as Yaml from 'yaml';
import type { Locate } from '../errors/schema-issues.ts';
import { lazy } from '../util/lazy.ts';

const yaml = lazy<typeof Yaml>('yaml');

type Found = { readonly node: unknown; readonly at: number };

/**
 * The node at `path` (or its deepest ancestor in the file), with the offset to report: the value's start, or
 * its key's when the value is empty. Undefined when the file does not hold even the first key (the value
 * came from a preset or a default).
 */
function find(document: Yaml.Document, path: readonly PropertyKey[], key: string | undefined): Found | undefined {
  const { isAlias, isMap, isSeq } = yaml();
  const wanted = key === undefined ? path : [...path, key];
  let found: Found = { node: document.contents, at: document.contents?.range?.[0] ?? 0 };
  for (const [depth, step] of wanted.entries()) {
    let node = found.node;
    if (isAlias(node)) node = node.resolve(document);
    let next: Found | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) === String(step));
      const keyAt = (pair?.key as { range?: [number, number, number] } | null)?.range?.[0];
      const valueAt = (pair?.value as { range?: [number, number, number] } | null)?.range?.[0];
      // The unknown key itself is the place to show, not its value.
      const at = depth === wanted.length - 1 && key !== undefined ? keyAt : (valueAt ?? keyAt);
      if (pair !== undefined && at !== undefined) next = { node: pair.value, at };
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as { range?: [number, number, number] } | undefined;
      if (item?.range !== undefined) next = { node: item, at: item.range[0] };
    }
    if (next === undefined) return depth === 0 ? undefined : found;
    found = next;
  }
  return wanted.length === 0 ? undefined : found;
}

/** A locator for problems of the configuration file at `path`, shown as `shown` (the name the user gave). */
export function fileLocator(path: string, shown: string): Locate {
  let parsed: { document: Yaml.Document; lines: Yaml.LineCounter } | null | undefined;
  return (problemPath, key) => {
    if (parsed === undefined) {
      try {
        const lines = new (yaml().LineCounter)();
        const document = yaml().parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: false });
        parsed = document.errors.length === 0 ? { document, lines } : null;
      } catch {
        parsed = null;
      }
    }
    // Changed since it was read, or JSON that YAML reads otherwise: the file, without a line.
    if (parsed === null) return shown;
    const found = find(parsed.document, problemPath, key);
    return found === undefined ? undefined : `${shown}:${parsed.lines.linePos(found.at).line}`;
  };
}
