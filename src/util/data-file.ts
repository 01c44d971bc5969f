/**
 * Reads a YAML or JSON file (by its extension) into a value: the one way configuration files, AsyncAPI
 * documents and the files they reference are read. Bounded in size and nesting, so a huge or absurdly deep
 * file is a clear error rather than a minute of parsing or a stack overflow later.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type * as Yaml from 'yaml';
import { MockwaveError } from '../errors/catalog.ts';
import { deeperThan, MAX_DEPTH } from './json-depth.ts';
import { lazy } from './lazy.ts';
import { errorMessage } from '../errors/error-message.ts';

const yaml = lazy<typeof Yaml>('yaml');

/** The largest file read: parsing YAML costs about half a second per MiB. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** `what` names the file in messages ("Configuration file", "AsyncAPI document"). */
export function readDataFile(path: string, what: string): unknown {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) {
      throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `${what} ${path} is ${(size / 1024 / 1024).toFixed(1)} MiB, over the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit`);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof MockwaveError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(error);
    throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `Cannot read ${what.toLowerCase()} ${path}: ${reason}`, { cause: error });
  }
  const json = extname(path).toLowerCase() === '.json';
  let value: unknown;
  try {
    value = json ? JSON.parse(text) : yaml().parse(text, { prettyErrors: true });
  } catch (error) {
    throw new MockwaveError('MW_CONFIG_FILE_SYNTAX', `${what} ${path} is not valid ${json ? 'JSON' : 'YAML'}: ${errorMessage(error)}`, { cause: error });
  }
  if (deeperThan(value)) throw new MockwaveError('MW_CONFIG_FILE_SYNTAX', `${what} ${path} nests deeper than ${MAX_DEPTH} levels`);
  return value;
}
