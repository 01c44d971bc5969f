import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Override } from '../sources/load.ts';
import { ENV_BINDINGS } from '../config/env.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import { didYouMean } from '../errors/closest.ts';

/** Every variable the configuration reads, wrapped for a terminal: the list cannot fall behind the bindings. */
function environmentHelp(): string {
  const names = [...Object.keys(ENV_BINDINGS), 'MOCKWAVE_CONFIG', 'MOCKWAVE_PRESET', 'NODE_ENV'];
  const lines: string[] = [];
  let line = 'Environment:';
  for (const [i, name] of names.entries()) {
    const word = `${name}${i === names.length - 1 ? '.' : ','}`;
    if (line.length + word.length + 1 > 104) {
      lines.push(line);
      line = word;
    } else line = `${line} ${word}`;
  }
  return [...lines, line].join('\n');
}

export const USAGE = `Usage: mockwave [config-file] [options]
       mockwave replay <recordings…> [options]         (mockwave replay --help)
       mockwave recording to-config <recordings…>

A mock real-time backend on one port: WebSocket endpoints, HTTP routes, Server-Sent Events, a proxy that
records a real backend for replay, and AsyncAPI documents as mocks; an admin API and a dashboard steer it.
With no configuration it serves a demo (ticker and notifications) on ws://localhost:3000/ws.

Options:
  -c, --config <file>       configuration file, YAML or JSON (also the first argument)
      --preset <name>       built-in starting point: guide (default) or cerberus
  -p, --port <n>            port for everything served (default 3000; 0 picks a free port)
  -H, --host <host>         interface to bind (default: every interface)
      --seed <n>            make generated data and random intervals reproducible
      --event-interval <ms>   interval of the stream named events, e.g. 2000-5000
      --metric-interval <ms>  interval of the stream named metrics, e.g. 3000
      --status-interval <ms>  interval of the stream named status, e.g. 10000
      --log-format <fmt>    text (default) or json
      --log-level <level>   debug, info (default), warn, error or silent
      --log-traffic         log every client message and broadcast
      --tls-cert <file>     serve https and wss with this PEM certificate (and --tls-key)
      --tls-key <file>      the certificate's PEM private key
      --record <dir>        record every proxied session and every exchange with a real HTTP API
                            (http.fallback, forward) to <dir> as JSON Lines
      --no-dashboard        do not serve the web dashboard at /
      --journal             keep a journal of the traffic for /admin/journal, /admin/verify and /admin/wait
      --asyncapi-side <s>   an AsyncAPI document is written from the server's or the client's side
      --overlay <file>      overlay for an AsyncAPI document (default: <document>.mockwave.yaml)
      --print-config        print the resolved configuration as JSON and exit
  -h, --help                show this help
  -v, --version             show the version

HTTP routes and Server-Sent Events are set in the configuration file (every key: docs/configuration.md):
  http.routes               method, path (/api/orders/:id), when (query, headers, cookies, body), then
                            (respond, delay, publish, forward, sequence)
  http.fallback             a real API for every request no route answers (recorded with --record)
  http.maxBodyBytes, http.bodyTimeout, http.forwardTimeout
  endpoints[].protocol: sse
                            an endpoint's streams as Server-Sent Events; its sse.format, sse.retry,
                            sse.history, sse.heartbeat, sse.maxConnections
  cors.origins, cors.credentials
                            browser origins that may call them, and whether with cookies

${environmentHelp()}
Also read from .env, .env.<NODE_ENV> and .env.local in the working directory.`;

export interface CliArgs {
  readonly help: boolean;
  readonly version: boolean;
  readonly printConfig: boolean;
  readonly configFile: string | undefined;
  readonly preset: string | undefined;
  readonly overrides: Override[];
  readonly asyncapiSide: 'server' | 'client' | undefined;
  readonly overlay: string | undefined;
}

export function numberFlag(text: string): number | string {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

/** Flags every command takes: where to listen and how to log. */
export const SHARED_OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string', short: 'H' },
  'log-format': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export function sharedOverrides(values: { port?: string | undefined; host?: string | undefined; 'log-format'?: string | undefined; 'log-level'?: string | undefined }): Override[] {
  const overrides: Override[] = [];
  if (values.port !== undefined) overrides.push({ path: ['port'], value: numberFlag(values.port), source: '--port' });
  if (values.host !== undefined) overrides.push({ path: ['host'], value: values.host, source: '--host' });
  if (values['log-format'] !== undefined) overrides.push({ path: ['log', 'format'], value: values['log-format'], source: '--log-format' });
  if (values['log-level'] !== undefined) overrides.push({ path: ['log', 'level'], value: values['log-level'], source: '--log-level' });
  return overrides;
}

/** node:util's parseArgs, with its errors turned into MW_USAGE. */
type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: T }>>;

export function parseOrUsage<T extends Options>(argv: readonly string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new MockwaveError('MW_USAGE', unknownOption(error, Object.keys(options)) ?? errorMessage(error));
  }
}

/** `Unknown option '--prot' (did you mean --port?)`, for a long flag; undefined for any other parse error. */
function unknownOption(error: unknown, names: readonly string[]): string | undefined {
  if ((error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const flag = /Unknown option '(--[^'=]+)/.exec(errorMessage(error))?.[1];
  if (flag === undefined) return undefined;
  return `Unknown option '${flag}'${didYouMean(flag.slice(2), names, (name) => `--${name}`)}`;
}

/** Parses argv (without node and script); throws MW_USAGE with the exact problem. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values, positionals } = parseOrUsage(argv, {
    ...SHARED_OPTIONS,
    config: { type: 'string', short: 'c' },
    preset: { type: 'string' },
    seed: { type: 'string' },
    'event-interval': { type: 'string' },
    'metric-interval': { type: 'string' },
    'status-interval': { type: 'string' },
    'log-traffic': { type: 'boolean' },
    'print-config': { type: 'boolean' },
    'no-dashboard': { type: 'boolean' },
    journal: { type: 'boolean' },
    'asyncapi-side': { type: 'string' },
    overlay: { type: 'string' },
    record: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  });
  if (positionals.length > 1) throw new MockwaveError('MW_USAGE', `Expected at most one configuration file, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.config !== undefined && positionals.length === 1) {
    throw new MockwaveError('MW_USAGE', `Give the configuration file once: either as an argument (${positionals[0]}) or with --config (${values.config})`);
  }
  const overrides: Override[] = sharedOverrides(values);
  if (values.seed !== undefined) overrides.push({ path: ['seed'], value: numberFlag(values.seed), source: '--seed' });
  for (const [flag, stream] of [['event-interval', 'events'], ['metric-interval', 'metrics'], ['status-interval', 'status']] as const) {
    const value = values[flag];
    if (value !== undefined) overrides.push({ path: ['streamOverrides', stream, 'interval'], value: numberFlag(value), source: `--${flag}` });
  }
  if (values['tls-cert'] !== undefined) overrides.push({ path: ['tls', 'cert'], value: values['tls-cert'], source: '--tls-cert' });
  if (values['tls-key'] !== undefined) overrides.push({ path: ['tls', 'key'], value: values['tls-key'], source: '--tls-key' });
  if (values.record !== undefined) {
    overrides.push({ path: ['proxy', 'record'], value: values.record, source: '--record' });
    overrides.push({ path: ['http', 'record'], value: values.record, source: '--record' });
  }
  if (values['log-traffic'] === true) overrides.push({ path: ['log', 'traffic'], value: true, source: '--log-traffic' });
  if (values['no-dashboard'] === true) overrides.push({ path: ['dashboard', 'enabled'], value: false, source: '--no-dashboard' });
  if (values.journal === true) overrides.push({ path: ['journal', 'enabled'], value: true, source: '--journal' });
  return {
    help: values.help === true,
    version: values.version === true,
    printConfig: values['print-config'] === true,
    configFile: values.config ?? positionals[0],
    preset: values.preset,
    overrides,
    asyncapiSide: asyncapiSide(values['asyncapi-side']),
    overlay: values.overlay,
  };
}

function asyncapiSide(value: string | undefined): 'server' | 'client' | undefined {
  if (value === undefined || value === 'server' || value === 'client') return value;
  throw new MockwaveError('MW_USAGE', `--asyncapi-side: expected server or client, got "${value}"`);
}
