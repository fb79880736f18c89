import {
  KernelThreadError,
  MemtopError,
  NoSuchProcessError,
  ObserverPidError,
  ProcessRestrictedError,
  ProcessUnreadableError,
  SomePidsMissingError,
  ZombieError,
} from '../errors.js';
import type { PidDescriber } from '../sampler/pid-kind.js';

/** Why a pid given on the command line names nothing memtop shows; undefined for a process. */
export function pidProblem(sampler: PidDescriber, pid: number): MemtopError | undefined {
  const found = sampler.describePid(pid);
  switch (found.kind) {
    case 'process':
      return undefined;
    case 'kernel-thread':
      return new KernelThreadError(pid, found.comm);
    case 'zombie':
      return new ZombieError(pid, found.comm);
    case 'observer':
      return new ObserverPidError(pid, found.comm);
    default:
      return new NoSuchProcessError(pid);
  }
}

/**
 * The one process a command is about (pagemaps, shares), a thread's id standing for its
 * process; its error when it names no process.
 */
export function checkPid(sampler: PidDescriber, id: number): number {
  const [pid] = sampler.resolvePids([id]) as [number];
  const problem = pidProblem(sampler, pid);
  if (problem) throw problem;
  return pid;
}

/**
 * A process the sample did not show although it was a process when checked: left out for an
 * odd file (the sample's notice names it), or gone since.
 */
export function goneProblem(
  sampler: PidDescriber,
  pid: number,
  notices: readonly string[] = [],
): MemtopError {
  const notice = notices.find((n) => n.startsWith(`process ${pid}: `));
  if (notice) return new ProcessUnreadableError(notice);
  return pidProblem(sampler, pid) ?? new NoSuchProcessError(pid);
}

/**
 * The pids given with -p: which of them can be shown, and why the others are not. With none
 * that can be shown a command fails (exit 1) before it prints anything; with some, it shows
 * them and then fails with SomePidsMissingError (exit 3), which names the rest.
 */
export class GivenPids {
  private constructor(
    /** The pids to sample; undefined when none were given (every process). */
    readonly pids: number[] | undefined,
    private readonly problems: MemtopError[],
  ) {}

  /**
   * Throws the first problem when none of the pids given names a process. A thread's id
   * stands for its process, each process once.
   */
  static check(sampler: PidDescriber, given: readonly number[] | undefined): GivenPids {
    if (given === undefined) return new GivenPids(undefined, []);
    const pids: number[] = [];
    const problems: MemtopError[] = [];
    for (const pid of sampler.resolvePids(given)) {
      const problem = pidProblem(sampler, pid);
      if (problem) problems.push(problem);
      else pids.push(pid);
    }
    if (pids.length === 0) throw problems[0]!;
    return new GivenPids(pids, problems);
  }

  /**
   * Takes note of the pids given that a sample did not show (gone since the check or, where
   * a command cannot show them, restricted); throws when it shows none of them.
   */
  settle(
    sampler: PidDescriber,
    sample: { processes: readonly { pid: number; access: string }[]; notices: readonly string[] },
    options: { restrictedShown: boolean } = { restrictedShown: true },
  ): void {
    if (this.pids === undefined) return;
    const byPid = new Map(sample.processes.map((p) => [p.pid, p]));
    const left: number[] = [];
    for (const pid of this.pids) {
      const p = byPid.get(pid);
      if (p && (options.restrictedShown || p.access !== 'restricted')) left.push(pid);
      else if (p) this.problems.push(new ProcessRestrictedError(pid, sampler.privileged === true));
      else this.problems.push(goneProblem(sampler, pid, sample.notices));
    }
    if (left.length === 0) throw this.problems[0]!;
    this.pids.splice(0, this.pids.length, ...left);
  }

  /** After the output: fails (exit 3) when some of the pids given were not shown. */
  finish(): void {
    if (this.problems.length > 0) throw new SomePidsMissingError(this.problems);
  }
}
