/**
 * `mockwave replay <recording>` and `mockwave recording to-config <recording>`: serve a proxy recording as a
 * mock, or turn it into a configuration to edit. Both reuse the ordinary configuration path, so flags such as
 * --port and --log-format work as everywhere else.
 */
import type { Override } from '../sources/load.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { readRecording } from '../replay/format.ts';
import { parseOrUsage, SHARED_OPTIONS, sharedOverrides } from './args.ts';
import { recordingToConfig } from '../replay/to-config.ts';
import { errorMessage } from '../errors/error-message.ts';

export const REPLAY_USAGE = `Usage: mockwave replay <recording.jsonl> [options]
       mockwave recording to-config <recording.jsonl>

Serves a session recorded by the proxy (--record) as a mock: every client receives the recorded upstream
frames with their original timing.

Options:
  --speed <n>     play n times faster (default 1); --fast plays as fast as possible
  --wait          at each recorded client message, wait until the client sends one
  --loop          start again after the last frame
  --path <path>   WebSocket path to serve (default: every path)
  -p, --port, -H, --host, --log-format, --log-level as for mockwave`;

/** The overrides that make a replay server: one raw endpoint playing the file. */
export function replayOverrides(argv: readonly string[]): { overrides: Override[]; help: boolean } {
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
  if (positionals.length !== 1) throw new MockwaveError('MW_USAGE', `replay takes one recording file, got ${positionals.length}`);
  const speed = values.fast === true ? 0 : values.speed === undefined ? 1 : Number(values.speed);
  const overrides: Override[] = [
    {
      path: ['endpoints'],
      value: [{ path: values.path ?? '/*', dialect: 'raw', replay: { file: positionals[0], speed: Number.isNaN(speed) ? values.speed : speed, waitForClient: values.wait === true, loop: values.loop === true } }],
      source: 'replay',
    },
    { path: ['proxy', 'enabled'], value: false, source: 'replay' },
    ...sharedOverrides(values),
  ];
  return { overrides, help: false };
}

/** `recording to-config <file>`: the YAML, plus a note on stderr of what could not be carried over. */
export function toConfig(argv: readonly string[]): { yaml: string; note: string | undefined } {
  if (argv.length !== 1 || argv[0] === undefined) throw new MockwaveError('MW_USAGE', 'recording to-config takes one recording file');
  let recording;
  try {
    recording = readRecording(argv[0]);
  } catch (error) {
    throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `Cannot read recording ${argv[0]}: ${errorMessage(error)}`, { cause: error });
  }
  const { yaml, skippedBinary } = recordingToConfig(recording);
  return { yaml, note: skippedBinary > 0 ? `${skippedBinary} binary frame(s) left out: a sequence holds JSON or text` : undefined };
}
