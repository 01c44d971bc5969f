/**
 * Where a route's `file` may be read from, and reading it. A file is named by a path under a folder (the
 * configuration's, or `http.adminFilesDir` for a route added at run time). Links are followed to their real
 * path before the inside-the-folder check, so a link in the folder cannot serve `/etc/passwd`. The check is
 * made when the route is compiled (a configuration error, or the admin API's 400, naming the route) and again
 * at each request, because a file or a link may be replaced while the server runs; the real path found then is
 * opened without following a link in its last part, so a link swapped in between is refused, not followed.
 */
import { constants, realpathSync } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { MockwaveError } from '../errors/catalog.ts';

export interface FileScope {
  /** The folder, absolute; undefined when no file may be sent (`http.adminFilesDir` unset). */
  readonly dir: string | undefined;
  /** What the folder is called in problems: "the configuration's folder", "http.adminFilesDir". */
  readonly label: string;
  /** For routes added at run time: no file whose name, or a folder's on the way, starts with `.env`. */
  readonly hideEnv: boolean;
}

/** A `file` as compiled: its absolute path and the scope it must stay in. */
export interface RouteFile {
  readonly path: string;
  readonly scope: FileScope & { readonly dir: string };
}

/** Windows has no O_NOFOLLOW: there the check before opening is the only one. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

type Place = 'outside' | 'env' | undefined;

/** Whether a path, relative to the folder, may be served. */
function placeOf(inside: string, scope: FileScope): Place {
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return 'outside';
  if (scope.hideEnv && inside.split(sep).some((part) => part.toLowerCase().startsWith('.env'))) return 'env';
  return undefined;
}

/** What is wrong with a place, after "is" ("is a link to" when a link leads there). */
function describe(place: Exclude<Place, undefined>, scope: FileScope, linked: boolean): string {
  const what = place === 'outside' ? `outside ${scope.label} (${scope.dir})` : `.env file, which is never sent from ${scope.label}`;
  return linked ? `a link to a ${place === 'outside' ? 'file ' : ''}${what}` : `${place === 'outside' ? '' : 'a '}${what}`;
}

/** The real path, or undefined when there is none yet (a file not there: it is checked again at each request). */
function realOrNone(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Why `file` may not be served from the scope, as the route is compiled; undefined when it may. */
export function fileProblem(file: string, scope: FileScope): string | undefined {
  const { dir } = scope;
  if (dir === undefined) return `no file may be sent while ${scope.label} is unset`;
  const path = resolve(dir, file);
  const plain = placeOf(relative(dir, path), scope);
  if (plain !== undefined) return `${file} is ${describe(plain, scope, false)}`;
  const real = realOrNone(path);
  if (real === undefined) return undefined;
  const linked = placeOf(relative(realOrNone(dir) ?? dir, real), scope);
  return linked === undefined ? undefined : `${file} is ${describe(linked, scope, true)}`;
}

/** A `file` compiled under its scope; one that may not be served is a configuration error at `where`. */
export function resolveFile(file: string, scope: FileScope, where: string): RouteFile {
  const problem = fileProblem(file, scope);
  const { dir } = scope;
  if (problem !== undefined || dir === undefined) throw new MockwaveError('MW_CONFIG_INVALID', `${where}.respond.file: ${problem}`);
  return { path: resolve(dir, file), scope: { ...scope, dir } };
}

/** Opens a compiled file for one answer, after checking again where it leads now. */
export async function openFile(file: RouteFile): Promise<FileHandle> {
  const [real, dir] = await Promise.all([realpath(file.path), realpath(file.scope.dir)]);
  const place = placeOf(relative(dir, real), file.scope);
  if (place !== undefined) throw new MockwaveError('MW_HTTP_ROUTE_FAILED', `${file.path} is now ${describe(place, file.scope, true)}`);
  return open(real, OPEN_FLAGS);
}
