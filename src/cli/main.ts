/**
 * The `mockwave` command: parse flags, load the configuration from every source, start, and stop
 * gracefully on SIGINT / SIGTERM / SIGHUP or when the npm that started it is gone (stop-requests.ts). Exit
 * codes: 0 after a clean stop, 1 when the server cannot run, 2 for a usage or configuration error (nothing was
 * started).
 */
import { loadConfig } from '../sources/load.ts';
import { isMockwaveError, MockwaveError } from '../errors/catalog.ts';
import { createMockServer, type MockServer } from '../server/mock-server.ts';
import { VERSION } from '../version.ts';
import { parseCliArgs, USAGE } from './args.ts';
import { banner } from './banner.ts';
import { REPLAY_USAGE, replayOverrides, toConfig } from './replay.ts';
import { onStopRequest } from './stop-requests.ts';

export interface CliIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Which environment variables apply (see LoadOptions.envScope); the Cerberus entry points say `mockwave`. */
  readonly envScope?: 'all' | 'mockwave';
}

/** How to choose another port, in the words this entry point reads: the Cerberus ones read only MOCKWAVE_* variables. */
function portHint(envScope: CliIo['envScope']): string {
  const variable = envScope === 'mockwave' ? 'MOCKWAVE_PORT' : 'PORT';
  return `Choose another port with --port <n> or ${variable}=<n> (in the environment or a .env file); --port 0 picks a free one.`;
}

/** The exit code for an error, written to stderr in the user's words: 1 when the server cannot run, else 2. */
function failure(io: CliIo): (error: unknown) => number {
  return (error) => {
    if (isMockwaveError(error)) {
      io.stderr.write(`mockwave: ${error.message}\n`);
      if (error.code === 'MW_USAGE') io.stderr.write(`Run mockwave --help for usage.\n`);
      if ((error.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') io.stderr.write(`${portHint(io.envScope)}\n`);
      return error.code === 'MW_LISTEN_FAILED' ? 1 : 2;
    }
    io.stderr.write(`mockwave: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  };
}

/** A server made from the command line, and what the banner says of where its configuration came from. */
interface Prepared {
  readonly server: MockServer;
  readonly files: readonly string[];
  readonly preset: string;
  readonly notes: readonly string[];
}

/**
 * Reads the command line and makes the server; a number when there is nothing to serve (a subcommand or a flag
 * that only prints, done with that exit code). Throws MockwaveError for a usage or configuration error.
 */
function prepare(io: CliIo): Prepared | number {
  if (io.argv[0] === 'recording') {
    if (io.argv[1] !== 'to-config') throw new MockwaveError('MW_USAGE', `Unknown command: recording ${io.argv[1] ?? ''} (expected: recording to-config <recordings>)`);
    const { yaml, note } = toConfig(io.argv.slice(2), io.cwd);
    io.stdout.write(yaml);
    if (note !== undefined) io.stderr.write(`mockwave: ${note}\n`);
    return 0;
  }
  if (io.argv[0] === 'replay') {
    const replay = replayOverrides(io.argv.slice(1), io.cwd);
    if (replay.help) {
      io.stdout.write(`${REPLAY_USAGE}\n`);
      return 0;
    }
    const loaded = loadConfig({ cwd: io.cwd, env: io.env, overrides: replay.overrides });
    return { server: createMockServer(loaded.config), files: loaded.files, preset: 'replay', notes: [] };
  }
  const args = parseCliArgs(io.argv);
  if (args.help || args.version) {
    io.stdout.write(`${args.help ? USAGE : VERSION}\n`);
    return 0;
  }
  const loadOptions = { cwd: io.cwd, env: io.env, configFile: args.configFile, preset: args.preset, overrides: args.overrides, asyncapiSide: args.asyncapiSide, overlay: args.overlay, envScope: io.envScope };
  const loaded = loadConfig(loadOptions);
  if (args.printConfig) {
    io.stdout.write(`${JSON.stringify(loaded.config, null, 2)}\n`);
    return 0;
  }
  // A reload reads the same sources the same way, so the files' current contents win as at start-up.
  const server = createMockServer(loaded.config, { reload: () => loadConfig(loadOptions).config, baseDir: loaded.baseDir });
  return { server, files: loaded.files, preset: loaded.preset, notes: loaded.notes };
}

/** Runs until the server is stopped; resolves with the exit code. */
export async function main(io: CliIo, onStarted?: (server: MockServer) => void): Promise<number> {
  // A reader that went away (`mockwave | head`, or a terminal that was closed: EIO) must not take the server
  // down with it, nor stop it from stopping cleanly.
  for (const stream of [io.stdout, io.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
    });
  }
  const fail = failure(io);
  let prepared: Prepared | number;
  try {
    prepared = prepare(io);
  } catch (error) {
    return fail(error);
  }
  if (typeof prepared === 'number') return prepared;
  const { server, files, preset, notes } = prepared;

  // Signal handlers go in before listening: a signal that arrives before them would kill the process at once.
  let stopping = false;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const onSignal = (signal: string): void => {
    if (stopping) {
      io.stderr.write(`mockwave: ${signal} again, exiting without waiting\n`);
      finish(130);
      return;
    }
    stopping = true;
    server.logger.info(`${signal.startsWith('SIG') ? `Received ${signal}` : `Stopping: ${signal}`}, shutting down: closing ${server.stats().connectedClients} client(s)`);
    server.stop().then(
      () => {
        server.logger.info('Stopped');
        finish(0);
      },
      (error: unknown) => finish(fail(error)),
    );
  };
  // Started through npm or npx, a signal to npm may never reach this process: when npm (or the shell or tsx
  // between) goes away, stop as on a signal instead of running on, orphaned.
  const stopListening = onStopRequest(onSignal);

  try {
    const info = await server.start();
    if (server.config.log.level !== 'silent') io.stdout.write(`${banner(info, files, preset)}\n${notes.map((line) => `${line}\n`).join('')}`);
    onStarted?.(server);
  } catch (error) {
    if (!stopping) finish(fail(error));
  }
  const code = await finished;
  stopListening();
  return code;
}
