/** A logger whose lines are kept, so a test can wait (bounded) for the line a user would read. */
import { Writable } from 'node:stream';
import { createLogger, type Logger, type LogLevel } from '../../src/index.ts';
import { waitUntil } from './wait.ts';

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: string[];
  /** Resolves with the first line matching `pattern`, failing after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function captureLog(level: LogLevel = 'debug'): CapturedLog {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return {
    logger: createLogger({ level, out }),
    lines,
    async waitFor(pattern, timeoutMs = 3000) {
      await waitUntil(() => lines.some((l) => pattern.test(l)), timeoutMs, `a log line matching ${String(pattern)}`);
      return lines.find((l) => pattern.test(l)) as string;
    },
  };
}
