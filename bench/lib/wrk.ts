/**
 * HTTP load from wrk, Debian's C load generator, rather than a Node client: a Node client tops out near what
 * bare node:http serves (21-36k requests/s where wrk reaches 33-39k on the same machine), so every HTTP server
 * looked alike (issue 28). One thread on the load core and keep-alive connections; `--latency` gives the
 * percentiles. A POST is a Lua script setting wrk.method/body/headers once, so wrk formats the request once
 * and runs no Lua per request.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientCommand, track } from './processes.ts';

export const WRK_MISSING = 'wrk is not installed, and the HTTP rows are measured with it: install it (`sudo apt-get install wrk` on Debian or Ubuntu) and run again, or leave the HTTP rows out (--skip http-route,http-static,http-post)';

/** wrk on the PATH, or undefined. */
export function findWrk(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '/usr/bin').split(':')) {
    const candidate = join(dir, 'wrk');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface HttpRequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WrkResult {
  readonly perSecond: number;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
}

/** Writes the Lua script a request other than a plain GET needs into `dir`; returns its path. */
export function wrkScript(request: HttpRequestSpec, dir: string, name: string): string | undefined {
  if (request.method === 'GET' && request.body === undefined && request.headers === undefined) return undefined;
  // A long bracket takes the body as is; the body is ours, so a closing bracket in it is a mistake made here.
  const long = (text: string): string => {
    if (text.includes(']==]')) throw new Error(`cannot quote ${text} for Lua`);
    return `[==[${text}]==]`;
  };
  const lines = [`wrk.method = ${long(request.method)}`];
  if (request.body !== undefined) lines.push(`wrk.body = ${long(request.body)}`);
  // The spaces in `[ [==[…]==] ]` matter: `[[` would open a long string.
  for (const [header, value] of Object.entries(request.headers ?? {})) lines.push(`wrk.headers[ ${long(header)} ] = ${long(value)}`);
  const file = join(dir, `wrk-${name}.lua`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function millis(text: string | undefined, what: string, output: string): number {
  const found = /^([\d.]+)(us|ms|s|m|h)$/.exec(text ?? '');
  if (found === null) throw new Error(`wrk: no ${what} in its output:\n${output}`);
  return Number(found[1]) * UNIT_MS[found[2]!]!;
}

/**
 * Reads wrk's `--latency` report. A socket error or an answer of 4xx/5xx (wrk's "Non-2xx or 3xx responses"
 * counts status >= 400) means the figures are not of the work asked for: it throws, with wrk's output.
 */
export function parseWrk(output: string): WrkResult {
  // A script wrk cannot load is reported and then ignored (it sends plain GETs): not the row's work.
  if (/\.lua:\d+:/.test(output)) throw new Error(`wrk could not run its script:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  if (errors !== null && errors.slice(1).some((n) => Number(n) > 0)) throw new Error(`wrk reported socket errors:\n${output}`);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (bad !== null && Number(bad[1]) > 0) throw new Error(`wrk reported ${bad[1]} answers of status 400 or more:\n${output}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const total = /(\d+) requests in /.exec(output);
  if (rate === null || total === null) throw new Error(`wrk: no requests/s in its output:\n${output}`);
  // wrk pads a figure in seconds ("3.50s ") to the width of one in milliseconds: trailing spaces are allowed.
  const percentile = (p: string): number => millis(new RegExp(`^\\s+${p}%\\s+(\\S+)\\s*$`, 'm').exec(output)?.[1], `${p}th percentile`, output);
  return { perSecond: Number(rate[1]), requests: Number(total[1]), p50: percentile('50'), p99: percentile('99') };
}

/** Runs wrk (pinned like every load client) for `seconds` against `url` and reads its report. */
export function runWrk(wrk: string, url: string, options: { connections: number; seconds: number; script?: string }): Promise<WrkResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '--latency', ...(options.script === undefined ? [] : ['-s', options.script]), url];
  return new Promise((resolve, reject) => {
    const child = spawn(...clientCommand(wrk, args), { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${output}`));
      try {
        resolve(parseWrk(output));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
