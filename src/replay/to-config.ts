/**
 * Turns a WebSocket recording into an editable mock: a raw endpoint whose per-subscriber sequence is what the
 * upstream sent, with the recorded gaps. Text frames that are JSON become JSON values, so the result reads as
 * data to edit (add templates, rules) rather than as escaped strings. Binary frames are left out and counted.
 */
import type * as Yaml from 'yaml';
import { lazy } from '../util/lazy.ts';
import type { Recording } from './format.ts';

const yaml = lazy<typeof Yaml>('yaml');

/** One session as a raw endpoint at `path` whose per-subscriber sequence is what the upstream sent. */
export function recordingToEndpoint(recording: Recording, path: string): { endpoint: Record<string, unknown>; skippedBinary: number } {
  let last = 0;
  let skippedBinary = 0;
  const sequence: { delay: number; data: unknown }[] = [];
  for (const event of recording.events) {
    if (event.kind !== 'frame' || event.from !== 'upstream') continue;
    if (event.type === 'binary') {
      skippedBinary++;
      continue;
    }
    let data: unknown = event.data;
    try {
      data = JSON.parse(event.data);
    } catch {
      // not JSON: kept as text
    }
    sequence.push({ delay: Math.round(event.t - last), data });
    last = event.t;
  }
  return { endpoint: { path, dialect: 'raw', streams: sequence.length === 0 ? [] : [{ name: recording.session.route, mode: 'perSubscriber', sequence }] }, skippedBinary };
}

export function recordingToConfig(recording: Recording): { yaml: string; skippedBinary: number } {
  const { endpoint, skippedBinary } = recordingToEndpoint(recording, '/*');
  return { yaml: configYaml({ endpoints: [endpoint] }, [`From a recording of route "${recording.session.route}" (${recording.session.url}), ${recording.session.startedAt}.`]), skippedBinary };
}

/** A configuration as YAML, with comment lines on top. */
export function configYaml(config: unknown, comments: readonly string[]): string {
  return `${comments.map((c) => `# ${c}\n`).join('')}${yaml().stringify(config, { lineWidth: 0 })}`;
}
