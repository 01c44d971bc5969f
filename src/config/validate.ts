import { MockwaveError } from '../errors/catalog.ts';
import { formatIssues, issueMessage, type Provenance } from './issues.ts';
import { configSchema, type MockwaveConfig } from './schema.ts';

export type CheckResult = { readonly ok: true; readonly config: MockwaveConfig } | { readonly ok: false; readonly problems: readonly string[] };

/** Validates a whole configuration once, collecting every problem as a `path: message` line. */
export function checkConfig(input: unknown, provenance?: Provenance): CheckResult {
  const result = configSchema.safeParse(input, { error: issueMessage });
  return result.success ? { ok: true, config: result.data } : { ok: false, problems: formatIssues(result.error.issues, provenance) };
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
