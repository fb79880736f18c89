import { parseStat, parseStatusNumber, PF_KTHREAD } from './parse-proc.js';
import { STAT_LIMIT, STATUS_LIMIT, readProcText } from './proc-files.js';
import { checkProcessDir, openProcRoot, type ProcRoot } from './proc-root.js';

/**
 * What a pid names: a process memtop lists, a kernel thread or a zombie, memtop itself or its
 * launcher (the observer, listed only with --include-self), or nothing.
 */
export type PidKind =
  { kind: 'process' | 'kernel-thread' | 'zombie' | 'observer'; comm: string } | { kind: 'missing' };

/** What checks the pids given on the command line needs: the Sampler, or PidLookup alone. */
export interface PidDescriber {
  describePid(pid: number): PidKind;
  resolvePids(pids: readonly number[]): number[];
  readonly privileged?: boolean;
}

/**
 * What a pid names: a process memtop lists, a kernel thread or a zombie (which it never
 * lists), or nothing (no such pid, a thread that is not its group's leader, or a stat file
 * that cannot be read). Reads stat and status only, which never wait on the process.
 */
export function describeProcess(root: ProcRoot, pid: number): PidKind {
  try {
    const dir = `${root.path}/${pid}`;
    checkProcessDir(root, dir);
    const stat = parseStat(readProcText(`${dir}/stat`, STAT_LIMIT));
    if (!stat || stat.state === 'X') return { kind: 'missing' };
    const { comm } = stat;
    if (stat.state === 'Z') return { kind: 'zombie', comm };
    if (stat.flags & PF_KTHREAD) return { kind: 'kernel-thread', comm };
    if (leaderOf(root, pid) !== pid) return { kind: 'missing' };
    return { kind: 'process', comm };
  } catch {
    return { kind: 'missing' }; // gone, or a stat file that cannot be read: nothing to list
  }
}

/**
 * The processes these ids name, each once, in order: a thread's id stands for its process
 * (its thread group's leader). Ids that name nothing are kept, for the caller to report.
 */
export function resolveProcesses(root: ProcRoot, pids: readonly number[]): number[] {
  return [...new Set(pids.map((pid) => leaderOf(root, pid)))];
}

/** The thread group (process) of a task id: its status's Tgid; the id itself if unknown. */
function leaderOf(root: ProcRoot, pid: number): number {
  try {
    const dir = `${root.path}/${pid}`;
    checkProcessDir(root, dir);
    return parseStatusNumber(readProcText(`${dir}/status`, STATUS_LIMIT), 'Tgid') ?? pid;
  } catch {
    return pid;
  }
}

/** Pid checks on a proc tree without a Sampler (the interactive view samples in a thread). */
export class PidLookup implements PidDescriber {
  private constructor(private readonly root: ProcRoot) {}

  static open(procRoot: string): PidLookup {
    return new PidLookup(openProcRoot(procRoot));
  }

  describePid(pid: number): PidKind {
    return describeProcess(this.root, pid);
  }

  resolvePids(pids: readonly number[]): number[] {
    return resolveProcesses(this.root, pids);
  }
}
