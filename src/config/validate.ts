import { MockwaveError } from '../errors/catalog.ts';
import { formatIssues, issueMessage, type Locate, type Provenance } from '../errors/schema-issues.ts';
import { isPlainObject } from '../util/plain-object.ts';
import { deepMerge, type Patch } from './merge.ts';
import { PRESETS, type PresetName } from './presets.ts';
import { configSchema, type MockwaveConfig } from './schema.ts';
import { applyStreamOverrides } from './stream-overrides.ts';
import { deepFreeze } from '../util/freeze.ts';

export type CheckResult = { readonly ok: true; readonly config: MockwaveConfig } | { readonly ok: false; readonly problems: readonly string[] };

/** Marks a configuration that passed validation (and was frozen), so it is never validated twice. */
const VALIDATED: unique symbol = Symbol('mockwave.validated');

export function isValidatedConfig(value: unknown): value is MockwaveConfig {
  return value !== null && typeof value === 'object' && (value as { [VALIDATED]?: boolean })[VALIDATED] === true;
}

export interface CheckOptions {
  /** The caller has already merged `preset` under the input (the sources layer does, before the environment applies). */
  readonly presetMerged?: boolean;
  /** Where in the configuration file a problem's path is, for the start of its line (`mockwave.yaml:12: …`). */
  readonly locate?: Locate;
}

/**
 * Validates a whole configuration once, collecting every problem as a `path: message` line. A valid one is
 * returned frozen: nothing changes a configuration after it was checked.
 */
export function checkConfig(input: unknown, provenance: Provenance = new Map(), options: CheckOptions = {}): CheckResult {
  if (isValidatedConfig(input)) return { ok: true, config: input };
  let value = input;
  let problems: string[] = [];
  const preset = isPlainObject(input) ? input['preset'] : undefined;
  if (options.presetMerged !== true && typeof preset === 'string' && Object.hasOwn(PRESETS, preset)) {
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
  if (result.success && problems.length === 0) {
    // A copy: values the schema passes through (a stream's `data`) are the caller's own objects, not ours to freeze.
    const config = structuredClone(result.data);
    Object.defineProperty(config, VALIDATED, { value: true });
    return { ok: true, config: deepFreeze(config) };
  }
  return { ok: false, problems: [...problems, ...(result.success ? [] : formatIssues(result.error.issues, provenance, options.locate))] };
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
