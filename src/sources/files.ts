import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { MockwaveError } from '../errors/catalog.ts';
import { readDataFile } from '../util/data-file.ts';
import { isPlainObject, type Patch } from '../config/merge.ts';
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
export function readDotenvFiles(dir: string, nodeEnv: string | undefined): { vars: Record<string, string>; files: string[] } {
  const vars: Record<string, string> = {};
  const files: string[] = [];
  for (const name of ['.env', `.env.${nodeEnv ?? 'development'}`, '.env.local']) {
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
  return { vars, files };
}
