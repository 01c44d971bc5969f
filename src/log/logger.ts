/**
 * Readable log lines for people (`12:00:01 Client connected: client-… (Total: 1)`) or one JSON object per
 * line for machines. Callers check `enabled(level)` before building anything costly, so a silenced debug
 * line costs nothing on the hot path.
 */
import type { Writable } from 'node:stream';
import { systemClock } from '../util/clock.ts';

export const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];
export type LogFormat = 'text' | 'json';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly format?: LogFormat;
  readonly out?: Writable;
  readonly now?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Control characters (newlines, ANSI escapes) that client-controlled text could use to forge or colour lines. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One text line stays one line: control characters are written as escapes (`\n`, `\u001b`). */
export function escapeControl(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROLS, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function clockTime(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const format = options.format ?? 'text';
  const out = options.out ?? process.stdout;
  const now = options.now ?? systemClock.now;

  const write = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
    if (RANK[level] < threshold) return;
    const at = now();
    if (format === 'json') {
      out.write(`${JSON.stringify({ time: new Date(at).toISOString(), level, msg: message, ...fields })}\n`);
      return;
    }
    const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
    out.write(`${clockTime(at)} ${tag}${escapeControl(message)}\n`);
  };

  return {
    enabled: (level) => RANK[level] >= threshold,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
