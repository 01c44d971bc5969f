/**
 * Turns a WebSocket recording into an editable mock: a raw endpoint that greets its clients as the proxy did,
 * whose rules answer the requests the upstream answered (`ws-replies.ts`) and whose per-subscriber sequence
 * is the rest of what it sent, with the recorded gaps. Text frames that are JSON become JSON values, so the
 * result reads as data to edit (add templates, rules) rather than as escaped strings; their text is escaped so
 * it renders as recorded. Binary frames go to a second sequence with `binary: true` (base64, sent decoded),
 * timed from the same start, so both arrive when they did.
 */
import type * as Yaml from 'yaml';
import { hasUnwritableBraces, literalTemplate } from '../templates/index.ts';
import { lazy } from '../util/lazy.ts';
import type { FrameLine, Recording } from './format.ts';
import { parseJson } from './operations.ts';
import { answeredRequests } from './ws-replies.ts';

const yaml = lazy<typeof Yaml>('yaml');

/** A frame as a step's data: binary as its base64 (a binary stream sends it decoded), text as its JSON value or itself, escaped. */
function dataOf(frame: FrameLine): unknown {
  if (frame.type === 'binary') return frame.data;
  const json = parseJson(frame.data);
  return literalTemplate(json.ok ? json.value : frame.data);
}

/** The upstream's frames of one type as a sequence: each step's delay is its gap from the previous one. */
function sequenceOf(frames: readonly FrameLine[]): { delay: number; data: unknown }[] {
  let last = 0;
  return frames.map((frame) => {
    const step = { delay: Math.round(frame.t - last), data: dataOf(frame) };
    last = frame.t;
    return step;
  });
}

/**
 * The greeting the live proxy sent its client before any upstream frame (the guide's `proxy_connected`, as
 * `encodeGuide` writes it), as an `onConnect` reply: the connecting client's id and the time now, as a live
 * session's greeting would say.
 */
function greetingOf(route: string): Record<string, unknown> {
  return { reply: { type: 'proxy_connected', clientId: '{{client.id}}', routeName: literalTemplate(route), timestamp: '{{now}}' } };
}

/** One session as a raw endpoint at `path`; `notes` says what may not render as recorded. */
export function recordingToEndpoint(recording: Recording, path: string): { endpoint: Record<string, unknown>; notes: string[] } {
  const frames = recording.events.filter((event): event is FrameLine => event.kind === 'frame');
  const { rules, claimed } = answeredRequests(frames);
  const upstream = frames.filter((frame) => frame.from === 'upstream');
  const text = upstream.filter((frame) => frame.type === 'text' && !claimed.has(frame));
  const binary = upstream.filter((frame) => frame.type === 'binary');
  const route = recording.session.route;
  const streams = [
    ...(text.length === 0 ? [] : [{ name: route, mode: 'perSubscriber', sequence: sequenceOf(text) }]),
    ...(binary.length === 0 ? [] : [{ name: `${route}-binary`, mode: 'perSubscriber', binary: true, sequence: sequenceOf(binary) }]),
  ];
  const unwritable = upstream.filter((frame) => frame.type === 'text' && hasUnwritableBraces(frame.data)).length;
  const notes = unwritable === 0 ? [] : [`route "${route}": ${unwritable} message(s) have a backslash right before "{{", which no template escape keeps: edit them by hand`];
  const onConnect = recording.session.announced === true ? [greetingOf(route)] : [];
  return { endpoint: { path, dialect: 'raw', streams, ...(rules.length === 0 ? {} : { rules }), ...(onConnect.length === 0 ? {} : { onConnect }) }, notes };
}

export function recordingToConfig(recording: Recording): { yaml: string; notes: string[] } {
  const { endpoint, notes } = recordingToEndpoint(recording, '/*');
  return { yaml: configYaml({ endpoints: [endpoint] }, [`From a recording of route "${recording.session.route}" (${recording.session.url}), ${recording.session.startedAt}.`]), notes };
}

/** A configuration as YAML, with comment lines on top. */
export function configYaml(config: unknown, comments: readonly string[]): string {
  return `${comments.map((c) => `# ${c}\n`).join('')}${yaml().stringify(config, { lineWidth: 0 })}`;
}
