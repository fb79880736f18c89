/**
 * The exit status of every command, one row per error code: the only place that defines them.
 * The README's "Exit status" table is this table (a test compares the two).
 */
export const EXIT_TABLE = [
  { status: 0, code: '', condition: 'success: everything asked for is in the output' },
  {
    status: 1,
    code: 'NO_SUCH_PROCESS',
    condition: 'a process given (`-p`, `pagemaps PID`, `shares PID`) does not exist',
  },
  {
    status: 1,
    code: 'KERNEL_THREAD',
    condition: 'a process given is a kernel thread: it has no user memory',
  },
  {
    status: 1,
    code: 'ZOMBIE',
    condition: 'a process given is a zombie: it has exited and holds no memory',
  },
  {
    status: 1,
    code: 'OBSERVER',
    condition:
      'a process given is memtop itself or the `sudo`/`doas`/`su` that runs it: shown only with `--include-self`',
  },
  {
    status: 1,
    code: 'PROCESS_RESTRICTED',
    condition:
      '`pagemaps`, `shares`, `libs -p`: the kernel refuses this user the process’s pages (another user’s process; some refuse even root)',
  },
  {
    status: 1,
    code: 'PROCESS_UNREADABLE',
    condition:
      'a process given was left out of the sample: one of its `/proc` files is odd (not a regular file, far too large); the message says which',
  },
  {
    status: 1,
    code: 'NEEDS_PRIVILEGE',
    condition: '`shares` without the privilege to read page frame numbers (run as root)',
  },
  {
    status: 1,
    code: 'ADDRESS_NOT_MAPPED',
    condition: '`shares --page ADDR`: no mapping of the process holds the address',
  },
  {
    status: 1,
    code: 'OUTSIDE_PAGEMAP',
    condition:
      '`shares --page ADDR`: the address is in a mapping that `/proc/PID/pagemap` does not cover (the vsyscall page)',
  },
  {
    status: 1,
    code: 'PROC_UNREADABLE',
    condition: '`/proc` (or `--proc-root DIR`) cannot be read',
  },
  {
    status: 1,
    code: 'UNSUPPORTED_SYSTEM',
    condition: 'not Linux, or no `/proc/PID/pagemap`',
  },
  {
    status: 1,
    code: 'SAMPLER_HOST',
    condition: 'the interactive view’s sampling thread failed or ended',
  },
  {
    status: 1,
    code: 'INTERNAL',
    condition: 'a bug: `internal error: …` (`MEMTOP_DEBUG=1` adds the stack)',
  },
  {
    status: 2,
    code: 'USAGE',
    condition: 'an unknown command or option, a bad or missing value, options that conflict',
  },
  {
    status: 3,
    code: 'SOME_PIDS_MISSING',
    condition:
      'some of the processes given with `-p` are not shown (no such process, a kernel thread, a zombie, memtop itself; restricted, for `libs`): the output shows the others, stderr names the rest',
  },
] as const;

export type ErrorCode = Exclude<(typeof EXIT_TABLE)[number]['code'], ''>;

/** The exit status an error code maps to. */
export function exitStatusOf(code: ErrorCode): number {
  return EXIT_TABLE.find((row) => row.code === code)!.status;
}

/** Exceptional failures: a stable code, an actionable one-line message, and the cause kept. */
export class MemtopError extends Error {
  readonly code: ErrorCode;
  /** What memtop exits with when this error ends it (EXIT_TABLE). */
  readonly exitStatus: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MemtopError';
    this.code = code;
    this.exitStatus = exitStatusOf(code);
  }
}

/** The --proc-root (or /proc) cannot be used at all. */
export class ProcUnreadableError extends MemtopError {
  constructor(procRoot: string, cause?: unknown) {
    super('PROC_UNREADABLE', `cannot read ${procRoot}: not a readable proc file system`, { cause });
    this.name = 'ProcUnreadableError';
  }
}

/** A pid the user named does not exist (or is no longer there). */
export class NoSuchProcessError extends MemtopError {
  constructor(pid: number, cause?: unknown) {
    super('NO_SUCH_PROCESS', `no such process: ${pid}`, { cause });
    this.name = 'NoSuchProcessError';
  }
}

/** A pid the user named is a kernel thread: no mm, nothing for memtop to show. */
export class KernelThreadError extends MemtopError {
  constructor(pid: number, comm: string) {
    super('KERNEL_THREAD', `process ${pid} (${comm}) is a kernel thread: it has no user memory`);
    this.name = 'KernelThreadError';
  }
}

/** A pid the user named has exited and waits for its parent to reap it. */
/** A pid given is the observer: memtop, or its launcher, whose mappings are taken out. */
export class ObserverPidError extends MemtopError {
  constructor(pid: number, comm: string) {
    super(
      'OBSERVER',
      `process ${pid} (${comm}) is memtop itself or the launcher that runs it: its mappings are taken out of every figure, and --include-self shows it`,
    );
    this.name = 'ObserverPidError';
  }
}

export class ZombieError extends MemtopError {
  constructor(pid: number, comm: string) {
    super(
      'ZOMBIE',
      `process ${pid} (${comm}) is a zombie: it has exited and holds no memory until its parent reaps it`,
    );
    this.name = 'ZombieError';
  }
}

/** memtop runs only where /proc has the Linux layout. */
export class UnsupportedSystemError extends MemtopError {
  constructor(platform: string) {
    super(
      'UNSUPPORTED_SYSTEM',
      `memtop needs Linux (/proc/PID/pagemap); this system is ${platform}`,
    );
    this.name = 'UnsupportedSystemError';
  }
}

/** A command-line value that cannot be used. */
export class UsageError extends MemtopError {
  constructor(message: string, cause?: unknown) {
    super('USAGE', message, { cause });
    this.name = 'UsageError';
  }
}

/** A process whose pages this user may not read (some processes refuse even root). */
export class ProcessRestrictedError extends MemtopError {
  constructor(pid: number, isPrivileged: boolean) {
    super(
      'PROCESS_RESTRICTED',
      isPrivileged
        ? `process ${pid} is restricted: the kernel refuses its pagemap even to root`
        : `process ${pid} is restricted: this user may not read its pagemap (try as root)`,
    );
    this.name = 'ProcessRestrictedError';
  }
}

/** A process given that the sample left out for an odd file: the sample's notice says why. */
export class ProcessUnreadableError extends MemtopError {
  constructor(notice: string) {
    super('PROCESS_UNREADABLE', notice);
    this.name = 'ProcessUnreadableError';
  }
}

/** A view that needs page frame numbers, which only CAP_SYS_ADMIN may read. */
export class NeedsPrivilegeError extends MemtopError {
  constructor(what: string) {
    super('NEEDS_PRIVILEGE', `${what} needs page frame numbers: run memtop as root`);
    this.name = 'NeedsPrivilegeError';
  }
}

/** An address (shares --page) in no mapping of the process. */
export class AddressNotMappedError extends MemtopError {
  constructor(address: string, pid: number, comm: string) {
    super('ADDRESS_NOT_MAPPED', `${address} is not mapped in process ${pid} (${comm})`);
    this.name = 'AddressNotMappedError';
  }
}

/**
 * An address (shares --page) in a mapping above the user address space, which pagemap does
 * not cover: the vsyscall page, which the kernel lists in maps but which has no page frame of
 * the process's own.
 */
export class OutsidePagemapError extends MemtopError {
  constructor(address: string, pid: number, mapping: string) {
    super(
      'OUTSIDE_PAGEMAP',
      `${address} is in ${mapping} of process ${pid}: the kernel's page above user space, outside the range /proc/PID/pagemap covers (not a normal mapping: no page frame or map count)`,
    );
    this.name = 'OutsidePagemapError';
  }
}

/**
 * Some of the pids given were not shown; the output shows the others. Raised after the
 * output is written; `cause` holds the error of each pid left out.
 */
export class SomePidsMissingError extends MemtopError {
  readonly problems: readonly MemtopError[];
  constructor(problems: readonly MemtopError[]) {
    super('SOME_PIDS_MISSING', `not shown: ${problems.map((p) => p.message).join('; ')}`, {
      cause: problems,
    });
    this.name = 'SomePidsMissingError';
    this.problems = problems;
  }
}
