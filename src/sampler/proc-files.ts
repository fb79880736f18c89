import { closeSync, openSync, readSync } from 'node:fs';
import { decodeProcText } from './decode-text.js';

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

/**
 * One buffer for every /proc text read: /proc files report size 0, so readFileSync would
 * fstat, allocate and grow a buffer per file; a sample reads several files per process.
 */
let textBuffer = Buffer.allocUnsafe(1 << 16);

/**
 * Reads a whole /proc text file, decoded as UTF-8 with invalid bytes kept (see decodeProcText);
 * per-process failures become ProcessReadFailure.
 */
export function readProcText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const failure = classifyReadError(error);
    if (failure) throw new ProcessReadFailure(failure);
    throw error;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === textBuffer.length) {
        const bigger = Buffer.allocUnsafe(textBuffer.length * 2);
        textBuffer.copy(bigger, 0, 0, length);
        textBuffer = bigger;
      }
      const n = readSync(fd, textBuffer, length, textBuffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return decodeProcText(textBuffer, 0, length);
  } catch (error) {
    const failure = classifyReadError(error);
    if (failure) throw new ProcessReadFailure(failure);
    throw error;
  } finally {
    closeSync(fd);
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

/**
 * pread that fills `length` bytes (at `offset` in the buffer) unless the file ends; returns
 * the bytes read.
 */
export function preadFully(
  fd: number,
  buffer: Uint8Array,
  length: number,
  position: number,
  offset = 0,
): number {
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = readSync(fd, buffer, offset + done, length - done, position + done);
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
