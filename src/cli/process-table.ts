/**
 * What the CLI reads of other processes: a process's parent and command line, and whether it still runs. On
 * Linux from /proc (no child process, and a zombie counts as gone); elsewhere through `ps` and signal 0. Where
 * neither works (Windows), nothing is read and the CLI watches only its own parent.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessInfo {
  readonly ppid: number;
  /** The command line as `ps` shows it (npm shows its title, `npm run ws:dev …`). */
  readonly command: string;
}

export interface ProcessTable {
  /** The parent and command line of a process, or undefined when it cannot be read. */
  read(pid: number): ProcessInfo | undefined;
  /** Whether the process still runs. */
  alive(pid: number): boolean;
}

/** The state letter and parent of /proc/<pid>/stat; the command name before them may hold spaces and ')'. */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state = '', ppid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

const hasProc = process.platform === 'linux' && procStat(process.pid) !== undefined;

function readWithPs(pid: number): ProcessInfo | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    const line = execFileSync('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const match = /^(\d+)\s+(.*)$/.exec(line);
    return match === null ? undefined : { ppid: Number(match[1]), command: match[2] ?? '' };
  } catch {
    return undefined;
  }
}

export const systemProcessTable: ProcessTable = {
  read(pid) {
    if (!hasProc) return readWithPs(pid);
    const stat = procStat(pid);
    if (stat === undefined) return undefined;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      return { ppid: stat.ppid, command };
    } catch {
      return undefined;
    }
  },
  alive(pid) {
    if (hasProc) {
      const state = procStat(pid)?.state;
      return state !== undefined && state !== 'Z' && state !== 'X';
    }
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it runs, as another user.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};
