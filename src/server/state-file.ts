/**
 * The state kept in a file across restarts (`stateStore.file`): loaded when the server is made, saved after
 * each change. A save writes the whole file beside it and renames it into place, so a crash leaves the old
 * file or the new one, never half of one; saves are one at a time, and changes made during one are saved by
 * the next (a burst of changes costs two writes, not one per change). Connections' own scopes are not kept:
 * the connections do not outlive the process.
 */
import { readFileSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import type { Logger } from '../log/logger.ts';
import type { Document, StateStore } from '../state/index.ts';
import { isScopeName } from '../state/index.ts';
import { deeperThan, MAX_DEPTH } from '../util/json-depth.ts';

const FILE_SOURCE = 'file';

/** What the file holds: each kept scope's document. */
interface StateFile {
  readonly scopes: Readonly<Record<string, Document>>;
}

const kept = (scope: string): boolean => !scope.startsWith('client:');

/** Reads the file into the store; a missing file is an empty state, anything else unreadable is a configuration error. */
function load(store: StateStore, path: string, maxBytes: number): void {
  let text: string;
  try {
    // The file holds at most what the store may: its bound, and as much again for the JSON around it.
    if (statSync(path).size > 2 * maxBytes) throw new Error(`over twice stateStore.maxBytes (${maxBytes})`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new MockwaveError('MW_CONFIG_INVALID', `stateStore.file ${path} cannot be read: ${errorMessage(error)}`, { details: [`stateStore.file: cannot be read`] });
  }
  const problem = (why: string) => new MockwaveError('MW_CONFIG_INVALID', `stateStore.file ${path} is not a state file: ${why}`, { details: [`stateStore.file: ${why}`] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw problem(errorMessage(error));
  }
  if (deeperThan(parsed)) throw problem(`nested deeper than ${MAX_DEPTH} levels`);
  const scopes = (parsed as Partial<StateFile> | null)?.scopes;
  if (typeof scopes !== 'object' || scopes === null || Array.isArray(scopes)) throw problem('expected { "scopes": { "<scope>": { ... } } }');
  for (const [scope, doc] of Object.entries(scopes)) {
    if (!isScopeName(scope) || !kept(scope)) throw problem(`"${scope}" is not a scope kept in the file (global, caller:<key>, scope:<name>)`);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw problem(`scope ${scope}: expected an object`);
    try {
      store.replace(scope, doc as Document, FILE_SOURCE);
    } catch (error) {
      throw problem(`scope ${scope}: ${errorMessage(error)}`);
    }
  }
}

export interface StateFileKeeper {
  /** Resolves once every change made so far is on disk (a server stopping waits for it). */
  flush(): Promise<void>;
}

/** Loads `path` into `store` (throws MW_CONFIG_INVALID when it cannot be used), then saves after each change. */
export function keepStateInFile(store: StateStore, path: string, options: { readonly maxBytes: number; readonly logger: Logger }): StateFileKeeper {
  load(store, path, options.maxBytes);
  let saving: Promise<void> | undefined;
  let again = false;
  const save = async (): Promise<void> => {
    const scopes = Object.fromEntries(store.list().filter((s) => kept(s.scope)).map((s) => [s.scope, store.get(s.scope) ?? {}]));
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ scopes } satisfies StateFile)}\n`);
    await rename(temporary, path);
  };
  const run = (): void => {
    saving = save()
      .catch((error: unknown) => options.logger.error(`Cannot save the state to ${path}: ${errorMessage(error)}; it is kept in memory and saved again at the next change`))
      .then(() => {
        saving = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  store.onChange((event) => {
    if (!kept(event.scope) || event.source === FILE_SOURCE) return;
    if (saving === undefined) run();
    else again = true;
  });
  return {
    async flush() {
      while (saving !== undefined) await saving;
    },
  };
}
