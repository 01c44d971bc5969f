/**
 * When the CLI is asked to stop: SIGINT, SIGTERM and SIGHUP (a terminal that goes away), and the end of the
 * process that started it.
 *
 * Started through npm (`npm start`, `npm run ws:dev`, `npx mockwave`), the CLI runs under a shell npm started,
 * and under tsx's own process too when tsx runs it (tsx runs the script in a child): npm -> sh -> [tsx ->]
 * mockwave. npm passes SIGINT and SIGTERM to that shell only, and a SIGHUP to npm to nobody, so npm can be gone
 * while the shell and tsx live on: a SIGTERM to npm ends the shell and leaves tsx, a SIGHUP ends npm and leaves
 * the shell. Watching only the parent misses both. So the CLI watches every process from its parent up to the
 * nearest npm (when one is that close) and stops as soon as any of them is gone; with no npm close by, it
 * watches its parent alone (a process manager or a test that starts it stays in charge of it).
 */
import { systemClock, type Clock, type TimerHandle } from '../util/clock.ts';
import { systemProcessTable, type ProcessTable } from './process-table.ts';

/** How often the CLI looks whether the processes that started it are still there. */
export const STARTER_CHECK_MS = 1000;

/** npm -> sh -> tsx -> mockwave is the longest chain the documented entry points make. */
const MAX_DEPTH = 3;

/** npm and npx as `ps` shows them: their title (`npm run ws:dev`, `npm exec mockwave`) or their script. */
const NPM_WORD = /^(?:.*[/\\])?np[mx](?:-cli\.js)?$/;

export interface Watched {
  readonly pid: number;
  readonly name: string;
}

/** The program of a command line, for the log: `npm`, `sh`, `node`. */
function programName(command: string): string {
  const words = command.split(' ');
  const npm = words.find((word) => NPM_WORD.test(word));
  if (npm !== undefined) return npm.replace(/^.*[/\\]/, '').replace(/-cli\.js$/, '');
  return (words[0] ?? '').replace(/^.*[/\\]/, '') || 'a process';
}

/** The processes to watch: the parent up to the nearest npm, or the parent alone when npm is not that close. */
export function processesToWatch(ppid: number, table: ProcessTable): readonly Watched[] {
  const chain: Watched[] = [];
  let pid = ppid;
  for (let depth = 0; depth < MAX_DEPTH && pid > 1; depth++) {
    const info = table.read(pid);
    if (info === undefined) break;
    chain.push({ pid, name: programName(info.command) });
    if (info.command.split(' ').some((word) => NPM_WORD.test(word))) return chain;
    pid = info.ppid;
  }
  return [{ pid: ppid, name: chain[0]?.name ?? 'the parent process' }];
}

export interface StopRequestOptions {
  readonly clock?: Clock;
  readonly table?: ProcessTable;
  /** The current parent pid (process.ppid): it changes when the parent goes, whatever reuses its pid. */
  readonly ppid?: () => number;
}

/**
 * Calls `stop` with the signal's name, or with the reason its starter is gone (`npm (pid 123) exited`), every
 * time one arrives (a second signal is the caller's to judge). Returns a function that stops listening.
 */
export function onStopRequest(stop: (reason: string) => void, options: StopRequestOptions = {}): () => void {
  const { clock = systemClock, table = systemProcessTable, ppid = () => process.ppid } = options;
  const signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, stop);

  const parent = ppid();
  const watched = processesToWatch(parent, table);
  let timer: TimerHandle | undefined;
  const check = (): void => {
    timer = undefined;
    const gone = ppid() !== parent ? watched[0] : watched.find((w) => !table.alive(w.pid));
    if (gone !== undefined) stop(`${gone.name} (pid ${gone.pid}) exited`);
    else timer = clock.setTimeout(check, STARTER_CHECK_MS);
  };
  timer = clock.setTimeout(check, STARTER_CHECK_MS);

  return () => {
    for (const signal of signals) process.off(signal, stop);
    if (timer !== undefined) clock.clearTimeout(timer);
  };
}
