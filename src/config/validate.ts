import { MockwaveError } from '../errors/catalog.ts';
import { formatIssues, issueMessage, type Provenance } from '../errors/schema-issues.ts';
import { deepMerge, isPlainObject, type Patch } from './merge.ts';
import { PRESETS, type PresetName } from './presets.ts';
import { configSchema, type MockwaveConfig } from './schema.ts';
import { applyStreamOverrides } from './stream-overrides.ts';

export type CheckResult = { readonly ok: true; readonly config: MockwaveConfig } | { readonly ok: false; readonly problems: readonly string[] };

/** Validates a whole configuration once, collecting every problem as a `path: message` line. */
export function checkConfig(input: unknown, provenance: Provenance = new Map()): CheckResult {
  let value = input;
  let problems: string[] = [];
  const preset = isPlainObject(input) ? input['preset'] : undefined;
  if (typeof preset === 'string' && Object.hasOwn(PRESETS, preset)) {
    // The library honours `preset` as the CLI does: the preset lies under the given configuration.
    value = deepMerge(PRESETS[preset as PresetName], input);
  }
  if (isPlainObject(value) && value['streamOverrides'] !== undefined) {
    value = structuredClone(value);
    const sources = new Map(provenance);
    problems = applyStreamOverrides(value as Patch, sources);
    provenance = sources;
  }
  const result = configSchema.safeParse(value, { error: issueMessage });
  if (result.success && problems.length === 0) return { ok: true, config: result.data };
  return { ok: false, problems: [...problems, ...(result.success ? [] : formatIssues(result.error.issues, provenance))] };
}

export function configError(problems: readonly string[]): MockwaveError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new MockwaveError('MW_CONFIG_INVALID', `Invalid configuration (${count}):\n${problems.map((d) => `  - ${d}`).join('\n')}`, { details: problems });
}

/** Like checkConfig, but throws MW_CONFIG_INVALID: a server is never built from a configuration that failed. */
export function validateConfig(input: unknown, provenance?: Provenance): MockwaveConfig {
  const result = checkConfig(input, provenance);
  if (!result.ok) throw configError(result.problems);
  return result.config;
}
