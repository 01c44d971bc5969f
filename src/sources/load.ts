/**
 * The sources layer: assembles the configuration from every source, later wins: built-in defaults < preset <
 * config file < .env files < environment < CLI flags. It decides what kind of file the user gave (a mockwave
 * configuration or an AsyncAPI document, which it turns into one), so neither `config` nor `asyncapi` needs
 * to know the other. Every problem from every source is reported together, and nothing is returned unless the
 * whole configuration is valid.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isAsyncApi } from '../asyncapi/document.ts';
import { applyOverlay } from '../asyncapi/overlay.ts';
import { asyncApiToConfig } from '../asyncapi/to-config.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { applyEnv, ENV_BINDINGS, pathKey, type Env } from '../config/env.ts';
import { deepMerge, setIn, type Patch } from '../config/merge.ts';
import { PRESETS, PRESET_NAMES, type PresetName } from '../config/presets.ts';
import type { MockwaveConfig } from '../config/schema.ts';
import { checkConfig, configError } from '../config/validate.ts';
import { readConfigFile, readDotenvFiles } from './files.ts';
import { fileLocator } from './locate.ts';

/** One value from the command line, with the flag that set it (for error messages). */
export interface Override {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  readonly source: string;
}

export interface LoadOptions {
  /** Where `.env` files are looked for; default: the process's working directory. */
  readonly cwd?: string;
  /** The process environment; default: process.env. */
  readonly env?: Env;
  /** A config file (YAML or JSON); default: $MOCKWAVE_CONFIG, else none. */
  readonly configFile?: string;
  /** A preset name; default: $MOCKWAVE_PRESET, else the file's `preset`, else `guide`. */
  readonly preset?: string;
  readonly overrides?: readonly Override[];
  /** For an AsyncAPI document: whose side it is written from (default: detected). */
  readonly asyncapiSide?: 'server' | 'client';
  /** For an AsyncAPI document: an overlay file (default: <document>.mockwave.yaml beside it, if present). */
  readonly overlay?: string;
  /**
   * Which environment variables apply: `all` (default), or `mockwave`, only `MOCKWAVE_*`: what the Cerberus
   * entry points read, so the guide's `PORT` and `WEBSOCKET_*` in a shared `.env.local` (both servers live in
   * one repository) cannot turn them into the guide's server. The variables left out are named in `notes`.
   */
  readonly envScope?: 'all' | 'mockwave';
}

export interface LoadedConfig {
  readonly config: MockwaveConfig;
  readonly preset: PresetName;
  /** Files that contributed, in the order applied. */
  readonly files: readonly string[];
  /** What an AsyncAPI import mapped, skipped and warned about, for the start-up report. */
  readonly notes: readonly string[];
  /** The configuration file's folder (the working directory without one): HTTP routes read `file` bodies under it. */
  readonly baseDir: string;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const processEnv = options.env ?? process.env;
  const dotenv = readDotenvFiles(cwd, processEnv['NODE_ENV']);
  const env: Env = { ...dotenv.vars, ...processEnv };
  const files = [...dotenv.files];
  const unreadNotes = dotenv.unread.map((name) => `  ${name} was not read: it is read when NODE_ENV=${name.slice('.env.'.length)}${processEnv['NODE_ENV'] === undefined ? ' (NODE_ENV is unset, so .env.development is read)' : ` (NODE_ENV is ${processEnv['NODE_ENV']})`}`);

  const configPath = options.configFile ?? env['MOCKWAVE_CONFIG'];
  let fromFile: Patch = configPath === undefined || configPath === '' ? {} : readConfigFile(resolve(cwd, configPath));
  if (configPath !== undefined && configPath !== '') files.unshift(resolve(cwd, configPath));
  const notes: string[] = [];
  // Problems of a mockwave file start with its name and line; an AsyncAPI document's configuration is made, not written.
  let locate = configPath === undefined || configPath === '' ? undefined : fileLocator(resolve(cwd, configPath), configPath);
  if (configPath !== undefined && isAsyncApi(fromFile)) {
    locate = undefined;
    const document = resolve(cwd, configPath);
    const imported = asyncApiToConfig(document, { side: options.asyncapiSide });
    fromFile = imported.config;
    notes.push(...imported.report);
    const sidecar = document.replace(/\.(ya?ml|json)$/i, '') + '.mockwave.yaml';
    const overlay = options.overlay === undefined ? (existsSync(sidecar) ? sidecar : undefined) : resolve(cwd, options.overlay);
    if (overlay !== undefined) {
      fromFile = applyOverlay(fromFile, readConfigFile(overlay));
      files.push(overlay);
      notes.push(`  overlay: ${overlay}`);
    }
  } else if (options.overlay !== undefined) {
    throw new MockwaveError('MW_USAGE', '--overlay applies to an AsyncAPI document; this configuration is not one');
  }

  const preset = options.preset ?? env['MOCKWAVE_PRESET'] ?? (typeof fromFile['preset'] === 'string' ? fromFile['preset'] : 'guide');
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) {
    throw configError([`preset: expected one of ${PRESET_NAMES.map((p) => JSON.stringify(p)).join(', ')}, got "${preset}"`]);
  }

  const raw = deepMerge(PRESETS[preset as PresetName], fromFile) as Patch;
  raw['preset'] = preset;
  const provenance = new Map<string, string>();
  const scoped = options.envScope === 'mockwave';
  const applies = (name: string): boolean => !scoped || name.startsWith('MOCKWAVE_');
  const problems = applyEnv(raw, env, provenance, applies);
  const ignored = scoped ? Object.keys(ENV_BINDINGS).filter((name) => !applies(name) && (env[name] ?? '').trim() !== '') : [];
  if (ignored.length > 0) {
    notes.push(`  ignored, as the guide's server settings (this server reads MOCKWAVE_* variables and its flags): ${ignored.map((name) => `${name}${name in dotenv.vars && processEnv[name] === undefined ? ' (from a .env file)' : ''}`).join(', ')}`);
  }
  for (const override of options.overrides ?? []) {
    setIn(raw, override.path, override.value);
    provenance.set(pathKey(override.path), override.source);
  }
  // The preset is merged here, under the file and before the environment applies: not again by validation.
  const checked = checkConfig(raw, provenance, { presetMerged: true, locate });
  if (!checked.ok) problems.push(...checked.problems);
  if (problems.length > 0 || !checked.ok) throw configError(problems);
  const baseDir = configPath === undefined || configPath === '' ? cwd : dirname(resolve(cwd, configPath));
  return { config: checked.config, preset: preset as PresetName, files, notes: [...unreadNotes, ...notes], baseDir };
}
