/**
 * Mockoon CLI as a peer: installed on demand into bench/.peers/mockoon (ignored by git, never a project
 * dependency) and given environments built with Mockoon's own schema builders, so they are valid for the
 * version installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const MOCKOON_VERSION = '9.9.0';
const HOME = new URL('../.peers/mockoon/', import.meta.url).pathname;

/** Installs the CLI unless it is there; returns its entry script, or undefined when npm cannot install it. */
export function ensureMockoon(log: (line: string) => void): string | undefined {
  const bin = join(HOME, 'node_modules/@mockoon/cli/bin/run.js');
  if (existsSync(bin)) return bin;
  log(`installing @mockoon/cli@${MOCKOON_VERSION} into bench/.peers/mockoon (once)...`);
  mkdirSync(HOME, { recursive: true });
  writeFileSync(join(HOME, 'package.json'), JSON.stringify({ name: 'mockwave-bench-peers', private: true }));
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `@mockoon/cli@${MOCKOON_VERSION}`], { cwd: HOME, stdio: 'ignore' });
  } catch {
    log('could not install Mockoon: its columns are left empty');
    return undefined;
  }
  return existsSync(bin) ? bin : undefined;
}

interface MockoonRoute {
  endpoint: string;
  streamingMode: string | null;
  streamingInterval: number;
  responses: { body: string; rules: { target: string; modifier: string; value: string; operator: string; invert: boolean }[]; default: boolean }[];
}

interface Commons {
  BuildEnvironment(params: { hasDefaultRoute: boolean; hasContentTypeHeader: boolean; hasCorsHeaders: boolean; port: number }): { routes: MockoonRoute[]; rootChildren: { type: string; uuid: string }[]; port: number } & Record<string, unknown>;
  BuildWebSocketRoute(hasDefault: boolean, options: { endpoint: string; body: string }): MockoonRoute & { uuid: string };
  BuildHTTPRoute(hasDefault: boolean, options: { endpoint: string; body: string }): MockoonRoute & { uuid: string };
  BuildRouteResponse(): MockoonRoute['responses'][number];
  BuildResponseRule(): MockoonRoute['responses'][number]['rules'][number];
}

export type MockoonScenario =
  | { kind: 'reply'; body: string; match?: { field: string; value: string } }
  | { kind: 'broadcast'; body: string; interval: number }
  | { kind: 'http'; endpoint: string; body: string };

/** Writes a Mockoon environment with one route (WebSocket at /ws, or the HTTP GET route given); returns its path. */
export function mockoonEnvironment(scenario: MockoonScenario, port: number, dir: string): string {
  const commons = createRequire(join(HOME, 'package.json'))('@mockoon/commons') as Commons;
  const http = scenario.kind === 'http';
  const environment = commons.BuildEnvironment({ hasDefaultRoute: false, hasContentTypeHeader: http, hasCorsHeaders: false, port });
  const route = http ? commons.BuildHTTPRoute(true, { endpoint: scenario.endpoint, body: scenario.body }) : commons.BuildWebSocketRoute(true, { endpoint: 'ws', body: scenario.body });
  if (scenario.kind === 'broadcast') {
    route.streamingMode = 'BROADCAST';
    route.streamingInterval = scenario.interval;
  } else if (scenario.kind === 'reply' && scenario.match !== undefined) {
    // The rule is what makes this a rule-matched reply: Mockoon evaluates it against every message body.
    // A second, default response answers what the rule does not match, as a real setup would.
    const rule = { ...commons.BuildResponseRule(), target: 'body', modifier: scenario.match.field, value: scenario.match.value, operator: 'equals' };
    const matched = { ...commons.BuildRouteResponse(), body: scenario.body, rules: [rule], default: false };
    const fallback = { ...commons.BuildRouteResponse(), body: '{"type":"error","error":"unknown message"}', default: true };
    route.responses = [matched, fallback];
  }
  environment.routes = [route];
  environment.rootChildren = [{ type: 'route', uuid: route.uuid }];
  const file = join(dir, `mockoon-${scenario.kind}-${port}.json`);
  writeFileSync(file, JSON.stringify(environment));
  return file;
}
