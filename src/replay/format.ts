/**
 * The recording format: JSON Lines. The first line describes the session; every other line is one frame with
 * its offset from the start in ms, who sent it, and its payload (text as text, binary as base64):
 *
 *   {"kind":"session","version":1,"route":"feed","url":"wss://…","startedAt":"…","headers":{…},"protocol":"v1","announced":true}
 *   {"kind":"frame","t":12,"from":"upstream","type":"text","data":"{\"price\":1}"}
 *   {"kind":"frame","t":40,"from":"client","type":"binary","data":"AAEC"}
 *   {"kind":"close","t":900,"from":"upstream","code":1000,"reason":""}
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../errors/error-message.ts';

export interface SessionLine {
  readonly kind: 'session';
  readonly version: 1;
  readonly route: string;
  readonly url: string;
  readonly path: string;
  readonly startedAt: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: string;
  /** The proxy greeted the client with the guide's `proxy_connected` (its route's `announce`): a replay greets too. Absent in older recordings. */
  readonly announced?: boolean;
}

export interface FrameLine {
  readonly kind: 'frame';
  readonly t: number;
  readonly from: 'client' | 'upstream';
  readonly type: 'text' | 'binary';
  readonly data: string;
}

export interface CloseLine {
  readonly kind: 'close';
  readonly t: number;
  readonly from: 'client' | 'upstream';
  readonly code: number;
  readonly reason: string;
}

export type RecordingLine = SessionLine | FrameLine | CloseLine;

export interface Recording {
  readonly session: SessionLine;
  readonly events: readonly (FrameLine | CloseLine)[];
}

/** Reads and checks a recording; says which line is wrong. */
export function readRecording(path: string): Recording {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const parsed = lines.map((line, index) => {
    try {
      return JSON.parse(line) as RecordingLine;
    } catch (error) {
      throw new Error(`${path}:${index + 1}: not JSON (${errorMessage(error)})`);
    }
  });
  const [session, ...events] = parsed;
  if (session?.kind !== 'session') throw new Error(`${path}:1: a recording starts with a "session" line`);
  events.forEach((event, index) => {
    const ok = (event.kind === 'frame' && typeof event.t === 'number' && (event.type === 'text' || event.type === 'binary') && typeof event.data === 'string') || (event.kind === 'close' && typeof event.t === 'number');
    if (!ok) throw new Error(`${path}:${index + 2}: expected a "frame" or "close" line`);
  });
  return { session, events: events as (FrameLine | CloseLine)[] };
}

export function frameBytes(frame: FrameLine): Buffer {
  return frame.type === 'binary' ? Buffer.from(frame.data, 'base64') : Buffer.from(frame.data, 'utf8');
}
