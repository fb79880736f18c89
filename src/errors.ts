/** Exceptional failures: a stable code, an actionable one-line message, and the cause kept. */
export class MemtopError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MemtopError';
    this.code = code;
  }
}

/** The --proc-root (or /proc) cannot be used at all. */
export class ProcUnreadableError extends MemtopError {
  constructor(procRoot: string, cause?: unknown) {
    super('PROC_UNREADABLE', `cannot read ${procRoot}: not a readable proc file system`, { cause });
    this.name = 'ProcUnreadableError';
  }
}

/** A pid the user named does not exist (or is not a process memtop can list). */
export class NoSuchProcessError extends MemtopError {
  constructor(pid: number) {
    super('NO_SUCH_PROCESS', `no such process: ${pid}`);
    this.name = 'NoSuchProcessError';
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
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** A process whose pages this user may not read. */
export class ProcessRestrictedError extends MemtopError {
  constructor(pid: number) {
    super(
      'PROCESS_RESTRICTED',
      `process ${pid} is restricted: this user may not read its pagemap (try as root)`,
    );
    this.name = 'ProcessRestrictedError';
  }
}

/** A view that needs page frame numbers, which only CAP_SYS_ADMIN may read. */
export class NeedsPrivilegeError extends MemtopError {
  constructor(what: string) {
    super('NEEDS_PRIVILEGE', `${what} needs page frame numbers: run memtop as root`);
    this.name = 'NeedsPrivilegeError';
  }
}
