import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { MockwaveError } from '../errors/catalog.ts';
import { readDataFile } from '../util/data-file.ts';
import type { Patch } from '../config/merge.ts';
import { isPlainObject } from '../util/plain-object.ts';
import { errorMessage } from '../errors/error-message.ts';

/** Reads a YAML or JSON configuration file into a plain object, or fails with the file's name and why. */
export function readConfigFile(path: string): Patch {
  const value = readDataFile(path, 'Configuration file');
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new MockwaveError('MW_CONFIG_FILE_SYNTAX', `Configuration file ${path} must hold an object at the top level, not ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value;
}

/**
 * The `.env` family in `dir`, later wins: `.env`, `.env.<NODE_ENV>` (development when unset), `.env.local`.
 * Returns the merged variables and the files that existed.
 */
export function readDotenvFiles(dir: string, nodeEnv: string | undefined): { vars: Record<string, string>; files: string[]; unread: string[] } {
  const vars: Record<string, string> = {};
  const files: string[] = [];
  const names = ['.env', `.env.${nodeEnv ?? 'development'}`, '.env.local'];
  for (const name of names) {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `Cannot read ${path}: ${errorMessage(error)}`, { cause: error });
    }
    Object.assign(vars, parseEnv(text));
    files.push(path);
  }
  return { vars, files, unread: unreadModeFiles(dir, names) };
}

/** Files that name a template, not a mode: never read, and not worth a word. */
const NOT_MODES = new Set(['.env.example', '.env.sample', '.env.template', '.env.defaults']);

/** `.env.<mode>` files in `dir` that this run did not read (another NODE_ENV would read them). */
function unreadModeFiles(dir: string, read: readonly string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.filter((name) => /^\.env\.[\w-]+$/.test(name) && !read.includes(name) && !NOT_MODES.has(name)).sort();
}
