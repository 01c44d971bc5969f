/**
 * `mockwave replay <recordings>` and `mockwave recording to-config <recordings>`: serve what `--record`
 * wrote (WebSocket sessions and HTTP exchanges, files or a directory of them) as a mock, or turn it into a
 * configuration to edit. Both reuse the ordinary configuration path, so flags such as --port and
 * --log-format work as everywhere else.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Override } from '../sources/load.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { readRecording, type Recording } from '../recording/format.ts';
import { isHttpRecording, readHttpRecording, type HttpRecording } from '../recording/http-format.ts';
import { httpRecordingsToRoutes } from '../recording/http-to-config.ts';
import { parseOrUsage, SHARED_OPTIONS, sharedOverrides } from './args.ts';
import { configYaml, recordingToConfig, recordingToEndpoint } from '../recording/to-config.ts';
import { errorMessage } from '../errors/error-message.ts';

export const REPLAY_USAGE = `Usage: mockwave replay <recordings…> [options]
       mockwave recording to-config <recordings…>

Serves what --record wrote as a mock: WebSocket sessions (every client receives the recorded upstream frames
with their original timing) and HTTP exchanges (HTTP routes answering as the real API did), from files or a
directory of them. \`recording to-config\` prints the same as a configuration to edit.

Options:
  --speed <n>     play n times faster (default 1); --fast plays as fast as possible
  --wait          at each recorded client message, wait until the client sends one
  --loop          start again after the last frame
  --path <path>   WebSocket path to serve one session at (default: every path)
  -p, --port, -H, --host, --log-format, --log-level as for mockwave`;

interface Recordings {
  readonly sessions: readonly { readonly file: string; readonly recording: Recording }[];
  readonly http: readonly HttpRecording[];
}

/** Reads the recordings named: files, or every .jsonl file in a directory; each problem names its file and line. */
function readRecordings(names: readonly string[], cwd: string): Recordings {
  const files = names.flatMap((name) => {
    const path = resolve(cwd, name);
    let directory = false;
    try {
      directory = statSync(path).isDirectory();
    } catch (error) {
      throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `Cannot read recording ${name}: ${errorMessage(error)}`, { cause: error });
    }
    return directory ? readdirSync(path).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(path, f)) : [path];
  });
  if (files.length === 0) throw new MockwaveError('MW_USAGE', `No recordings (.jsonl files) in ${names.join(', ')}`);
  const sessions: { file: string; recording: Recording }[] = [];
  const http: HttpRecording[] = [];
  for (const file of files) {
    try {
      if (isHttpRecording(file)) http.push(readHttpRecording(file));
      else sessions.push({ file, recording: readRecording(file) });
    } catch (error) {
      throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `Cannot read recording ${errorMessage(error)}`, { cause: error });
    }
  }
  return { sessions, http };
}

/** Where a session is served: the path its client used (several sessions), or every path (one). */
function sessionPaths(sessions: Recordings['sessions'], only: string | undefined): string[] {
  if (sessions.length === 1) return [only ?? '/*'];
  const used = new Set<string>();
  return sessions.map(({ recording }) => {
    const base = new URL(recording.session.path || '/', 'http://localhost').pathname;
    let path = base;
    for (let i = 2; used.has(path); i++) path = `${base.replace(/\/$/, '')}/${i}`;
    used.add(path);
    return path;
  });
}

/** The overrides that make a replay server: the sessions played as recorded, the HTTP exchanges as routes. */
export function replayOverrides(argv: readonly string[], cwd = process.cwd()): { overrides: Override[]; help: boolean } {
  const { values, positionals } = parseOrUsage(argv, {
    ...SHARED_OPTIONS,
    speed: { type: 'string' },
    fast: { type: 'boolean' },
    wait: { type: 'boolean' },
    loop: { type: 'boolean' },
    path: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return { overrides: [], help: true };
  if (positionals.length === 0) throw new MockwaveError('MW_USAGE', 'replay takes recordings: files or a directory');
  const recordings = readRecordings(positionals, cwd);
  const speed = values.fast === true ? 0 : values.speed === undefined ? 1 : Number(values.speed);
  const paths = sessionPaths(recordings.sessions, values.path);
  const endpoints = recordings.sessions.map(({ file }, i) => ({ path: paths[i], dialect: 'raw', replay: { file, speed: Number.isNaN(speed) ? values.speed : speed, waitForClient: values.wait === true, loop: values.loop === true } }));
  const overrides: Override[] = [
    { path: ['endpoints'], value: endpoints, source: 'replay' },
    { path: ['http', 'routes'], value: httpRecordingsToRoutes(recordings.http).routes, source: 'replay' },
    { path: ['proxy', 'enabled'], value: false, source: 'replay' },
    ...sharedOverrides(values),
  ];
  return { overrides, help: false };
}

/** `recording to-config <recordings>`: the YAML, plus a note on stderr of what could not be carried over. */
export function toConfig(argv: readonly string[], cwd = process.cwd()): { yaml: string; note: string | undefined } {
  if (argv.length === 0) throw new MockwaveError('MW_USAGE', 'recording to-config takes recordings: files or a directory');
  const recordings = readRecordings(argv, cwd);
  const first = recordings.sessions[0];
  if (recordings.sessions.length === 1 && recordings.http.length === 0 && first !== undefined) {
    const { yaml, notes } = recordingToConfig(first.recording);
    return { yaml, note: notes.length === 0 ? undefined : notes.join('; ') };
  }
  const paths = sessionPaths(recordings.sessions, undefined);
  const problems: string[] = [];
  const endpoints = recordings.sessions.map(({ recording }, i) => {
    const made = recordingToEndpoint(recording, paths[i] as string);
    problems.push(...made.notes);
    return made.endpoint;
  });
  const { routes, notes } = httpRecordingsToRoutes(recordings.http);
  problems.push(...notes);
  const exchanges = recordings.http.reduce((n, r) => n + r.exchanges.length, 0);
  const yaml = configYaml({ endpoints, http: { routes } }, [`From ${recordings.sessions.length} WebSocket session(s) and ${exchanges} HTTP exchange(s) recorded by mockwave.`]);
  return { yaml, note: problems.length === 0 ? undefined : problems.join('; ') };
}
