import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/**
 * Expected, per-process failures are data, not exceptions: a process that exits while we read
 * it has 'vanished'; one we may not read is 'denied'.
 */
export type ReadFailure = 'vanished' | 'denied';

/** Marks a per-process read failure while it unwinds the reading of that process. */
export class ProcessReadFailure extends Error {
  constructor(readonly failure: ReadFailure) {
    super(failure);
  }
}

/** Classifies an fs error raised while reading a process's files. */
export function classifyReadError(error: unknown): ReadFailure | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': // already reaped
    case 'ESRCH': // kernel thread, zombie, or exited after open
    case 'ENOTDIR':
      return 'vanished';
    case 'EACCES': // another user, non-dumpable, ptrace denied
    case 'EPERM': // hidepid=1
      return 'denied';
    default:
      return undefined;
  }
}

/** Reads a whole /proc text file; per-process failures become ProcessReadFailure. */
export function readProcText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    const failure = classifyReadError(error);
    if (failure) throw new ProcessReadFailure(failure);
    throw error;
  }
}

/** Opens a binary /proc file for pread; per-process failures become ProcessReadFailure. */
export function openProcFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    const failure = classifyReadError(error);
    if (failure) throw new ProcessReadFailure(failure);
    throw error;
  }
}

/** pread that fills `length` bytes unless the file ends; returns the bytes read. */
export function preadFully(
  fd: number,
  buffer: Uint8Array,
  length: number,
  position: number,
): number {
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = readSync(fd, buffer, done, length - done, position + done);
    } catch (error) {
      const failure = classifyReadError(error);
      if (failure) throw new ProcessReadFailure(failure);
      throw error;
    }
    if (n === 0) break;
    done += n;
  }
  return done;
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing to do: the descriptor is gone either way
  }
}
