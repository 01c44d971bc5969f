/**
 * What a route added at run time (`POST`/`PUT /admin/http/routes`) may reach. Whoever holds the admin API may
 * add routes, but the configuration decides what they may read and where they may send: a `file` only from
 * `http.adminFilesDir` (none while it is unset) and never a `.env` file; a `forward` only to a host of
 * `http.forwardAllow`, by default loopback names and the hosts the configuration itself forwards or proxies
 * to. So a route added at run time cannot read the configuration's secrets or reach a cloud metadata address
 * (169.254.169.254) or the rest of the network. A refused route is refused when it is added, before any
 * request could be sent.
 */
import { resolve } from 'node:path';
import type { MockwaveConfig } from '../config/schema.ts';
import { eachStep, fileProblem, type FileScope, type HttpRouteConfig } from '../http/index.ts';
import { isLoopbackName } from '../security/admin-guard.ts';

export interface RuntimeRoutePolicy {
  /** Where a run-time route's `file` is read from (no folder while `http.adminFilesDir` is unset: no file). */
  readonly files: FileScope;
  /** Every reason the route may not be added, each with where it is in the route; empty when it may. */
  problems(route: HttpRouteConfig): string[];
}

/** A URL's host as `URL` normalises it (lower case, `0x7f.1` as 127.0.0.1, IPv6 in brackets). */
const hostOf = (url: string): string => new URL(url).hostname;

/** The hosts the configuration itself sends to: the fallback, its `forward` steps, its proxy routes. */
function ownUpstreams(config: MockwaveConfig): Set<string> {
  const hosts = new Set<string>();
  if (config.http.fallback !== undefined) hosts.add(hostOf(config.http.fallback));
  for (const route of config.http.routes) {
    eachStep(route.then, 'then', (step) => {
      if ('forward' in step) hosts.add(hostOf(step.forward));
    });
  }
  for (const route of config.proxy.routes) hosts.add(hostOf(route.url));
  return hosts;
}

export function runtimeRoutePolicy(config: MockwaveConfig, baseDir: string): RuntimeRoutePolicy {
  const { adminFilesDir, forwardAllow } = config.http;
  const files: FileScope = { dir: adminFilesDir === undefined ? undefined : resolve(baseDir, adminFilesDir), label: 'http.adminFilesDir', hideEnv: true };
  const listed = forwardAllow === undefined ? undefined : new Set(forwardAllow.map((host) => hostOf(`http://${host}`)));
  const own = ownUpstreams(config);
  const allowed = (host: string): boolean => (listed === undefined ? isLoopbackName(host) || own.has(host) : listed.has(host));
  const allowedText = listed === undefined ? `loopback names${own.size === 0 ? '' : ` and ${[...own].join(', ')}`}, the default` : [...listed].join(', ') || 'none';
  return {
    files,
    problems(route) {
      const problems: string[] = [];
      eachStep(route.then, 'then', (step, where) => {
        if ('respond' in step && step.respond.file !== undefined) {
          const problem = fileProblem(step.respond.file, files);
          if (problem !== undefined) problems.push(`${where}.respond.file: ${problem}`);
        }
        if ('forward' in step && !allowed(hostOf(step.forward))) problems.push(`${where}.forward: ${hostOf(step.forward)} is not in http.forwardAllow (${allowedText}): a route added at run time forwards only there`);
      });
      return problems;
    },
  };
}
