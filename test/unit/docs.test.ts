import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/sources/load.ts';
import { checkConfig } from '../../src/config/validate.ts';
import { describe, it } from 'node:test';
import { configJsonSchema } from '../../src/config/json-schema.ts';
import { ENV_BINDINGS } from '../../src/config/env.ts';
import { ERROR_CATALOG, type ErrorSpec } from '../../src/errors/catalog.ts';
import { ROOT } from '../helpers/cli.ts';
import { USAGE } from '../../src/cli/args.ts';

const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

describe('docs stay true to the code', () => {
  it('docs/errors.md lists exactly the catalog, with the same HTTP status and close code', () => {
    const rows = new Map<string, { http: string; close: string }>();
    for (const match of read('docs/errors.md').matchAll(/^\| `(MW_[A-Z_]+)` \|\s*(\d*)\s*\|\s*(\d*)\s*\|/gm)) {
      rows.set(match[1] as string, { http: match[2] as string, close: match[3] as string });
    }
    assert.deepEqual([...rows.keys()].sort(), Object.keys(ERROR_CATALOG).sort());
    for (const [code, spec] of Object.entries(ERROR_CATALOG) as [string, ErrorSpec][]) {
      assert.deepEqual(rows.get(code), { http: String(spec.httpStatus ?? ''), close: String(spec.closeCode ?? '') }, code);
    }
  });

  it('schema/mockwave.schema.json is generated from the current schema (npm run schema)', () => {
    assert.deepEqual(JSON.parse(read('schema/mockwave.schema.json')), configJsonSchema());
  });

  it('the configuration reference documents every environment variable', () => {
    const reference = read('docs/configuration.md');
    for (const name of Object.keys(ENV_BINDINGS)) assert.ok(reference.includes(`\`${name}\``), `${name} is not documented`);
  });

  it('--help names every environment variable the configuration reads', () => {
    for (const name of [...Object.keys(ENV_BINDINGS), 'MOCKWAVE_CONFIG', 'MOCKWAVE_PRESET', 'NODE_ENV']) assert.match(USAGE, new RegExp(`\\b${name}\\b`), name);
  });

  it('every YAML example in the README and docs/ is a valid configuration, and every examples/ file loads', () => {
    const sources = ['README.md', 'docs/configuration.md', 'docs/templates-and-rules.md'];
    let count = 0;
    for (const source of sources) {
      for (const match of read(source).matchAll(/```yaml\n([\s\S]*?)```/g)) {
        const result = checkConfig(parseYaml(match[1] as string));
        assert.ok(result.ok, `${source}, example ${count + 1}:\n${result.ok ? '' : result.problems.join('\n')}`);
        count++;
      }
    }
    assert.ok(count >= 6, `found ${count} examples`);
    for (const file of readdirSync(`${ROOT}examples`).filter((f) => /\.ya?ml$|\.json$/.test(f))) {
      assert.doesNotThrow(() => loadConfig({ cwd: ROOT, env: {}, configFile: `examples/${file}` }), file);
    }
  });
});
