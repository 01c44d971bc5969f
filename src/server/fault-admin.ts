/**
 * Faults through the admin API (docs/faults.md): every endpoint's profile and what it injected, and a
 * profile switched on, changed or off on one endpoint at run time, for the clients connected now too. The
 * profile is checked by the configuration file's own schema, so both refuse it in the same words.
 */
import type { Endpoint } from '../endpoint/endpoint.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { formatIssues, issueMessage } from '../errors/schema-issues.ts';
import { faultProfileSchema, type FaultsView } from '../faults/index.ts';
import type { EndpointRegistry } from './registry.ts';

export interface FaultAdmin {
  faults(): readonly FaultsView[];
  putFaults(path: string | undefined, body: unknown): FaultsView;
  removeFaults(path: string | undefined): FaultsView;
}

export function createFaultAdmin(registry: EndpointRegistry): FaultAdmin {
  /** The endpoint named, or the only one; several and none named is a question the caller must answer. */
  const pick = (path: string | undefined): Endpoint => {
    if (path !== undefined) return registry.endpoint(path);
    const [only, ...more] = registry.all;
    if (only === undefined) throw new MockwaveError('MW_UNKNOWN_ENDPOINT', 'The server has no endpoint to put faults on');
    if (more.length > 0) throw new MockwaveError('MW_BAD_REQUEST', `Several endpoints (${registry.paths()}): add ?endpoint=<path>`);
    return only;
  };
  return {
    faults: () => registry.all.map((endpoint) => endpoint.faults()),
    putFaults(path, body) {
      const endpoint = pick(path);
      const parsed = faultProfileSchema.safeParse(body, { error: issueMessage });
      if (!parsed.success) {
        const problems = formatIssues(parsed.error.issues);
        throw new MockwaveError('MW_BAD_REQUEST', `Invalid fault profile: ${problems.join('; ')}`, { details: problems });
      }
      endpoint.setFaults(parsed.data);
      return endpoint.faults();
    },
    removeFaults(path) {
      const endpoint = pick(path);
      endpoint.setFaults(undefined);
      return endpoint.faults();
    },
  };
}
