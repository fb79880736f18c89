import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { decodeProcText } from './decode-text.js';

/**
 * Expected, per-process failures are data, not exceptions: a process that exits while we read
 * it has 'vanished'; one we may not read is 'denied'; a file that is not what /proc holds (a
 * directory, a link, a FIFO or device, a file far larger than the kernel writes) is 'odd'.
 */
export type ReadFailure = 'vanished' | 'denied' | 'odd';

/** Marks a per-process read failure while it unwinds the reading of that process. */
export class ProcessReadFailure extends Error {
  /** For 'odd': what is wrong with which file, for the sample's notices. */
  readonly detail: string | undefined;
  constructor(
    readonly failure: ReadFailure,
    detail?: string,
  ) {
    super(detail ?? failure);
    this.detail = detail;
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
    case 'ELOOP': // a symbolic link (opened with O_NOFOLLOW) or a loop of them
    case 'EISDIR':
    case 'ENXIO': // a socket, or a device without its driver
    case 'ENODEV':
    case 'EIO':
    case 'EINVAL':
    case 'EOVERFLOW':
    case 'EFBIG':
    case 'EAGAIN':
      return 'odd';
    default:
      return undefined;
  }
}

/** How much of one kind of /proc file is read, and what happens past that. */
export interface ReadLimit {
  bytes: number;
  /** Lines read at most (maps: one line a mapping). */
  lines?: number;
  /**
   * Past the limit the text is cut after the last whole line (10) or argument (0) within it;
   * without `cutAfter` a file past its limit is refused: it is no file the kernel wrote.
   */
  cutAfter?: 0 | 10;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** stat: 52 numbers of at most 20 digits and a comm of at most 64 bytes, under 1.2 KiB. */
export const STAT_LIMIT: ReadLimit = { bytes: 4 * KiB };
/** statm: seven numbers. */
export const STATM_LIMIT: ReadLimit = { bytes: 4 * KiB };
/** status: ~1.5 KiB; Groups (up to 65,536 gids) and the CPU masks of large machines add to it. */
export const STATUS_LIMIT: ReadLimit = { bytes: 1 * MiB };
/** smaps_rollup: one header and ~25 fields. */
export const ROLLUP_LIMIT: ReadLimit = { bytes: 64 * KiB };
/**
 * cmdline: the kernel keeps up to a quarter of the stack limit of arguments (2 MiB by default),
 * at most 128 KiB in one; past 256 KiB they are dropped (and the command line marked).
 */
export const CMDLINE_LIMIT: ReadLimit = { bytes: 256 * KiB, cutAfter: 0 };
/**
 * maps: a line a mapping. 1,000,000 mappings (vm.max_map_count is 65,530 by default; 200,000
 * must work) or 256 MiB of text (a string holds at most 512 MiB), whichever comes first; the
 * mappings past that are left out, with a notice.
 */
export const MAPS_LIMIT: ReadLimit = { bytes: 256 * MiB, lines: 1_000_000, cutAfter: 10 };
/** smaps: ~1 KiB a mapping, so ~250,000 mappings; those past that are left out, with a notice. */
export const SMAPS_LIMIT: ReadLimit = { bytes: 256 * MiB, cutAfter: 10 };
/** System-wide text (meminfo, vmstat, osrelease, hostname): a few KiB. */
export const SYSTEM_LIMIT: ReadLimit = { bytes: 1 * MiB };
/** auxv: a few dozen pairs of 8-byte words. */
export const AUXV_LIMIT: ReadLimit = { bytes: 64 * KiB };
/** config.gz: ~60 KiB compressed. */
export const CONFIG_LIMIT: ReadLimit = { bytes: 4 * MiB };

/**
 * O_NONBLOCK: a FIFO never blocks the open; O_NOFOLLOW: a link in place of a file is refused
 * (none of /proc's files is one); O_NOCTTY: a terminal never becomes memtop's.
 */
const OPEN_FLAGS =
  constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | constants.O_NOFOLLOW;

/** An fs error as the per-process failure it is; any other error as it is. */
export function asFailure(error: unknown, path: string): unknown {
  if (error instanceof ProcessReadFailure) return error;
  const failure = classifyReadError(error);
  if (!failure) return error;
  if (failure !== 'odd') return new ProcessReadFailure(failure);
  const code = (error as NodeJS.ErrnoException).code;
  const what =
    code === 'ELOOP'
      ? 'is a symbolic link'
      : code === 'EISDIR'
        ? 'is a directory'
        : `cannot be read (${code})`;
  return new ProcessReadFailure('odd', `${path} ${what}`);
}

/**
 * Opens a /proc file for reading. Every file of /proc is a regular file: anything else (a
 * directory, a FIFO, a device, a socket, a link) is refused, never read.
 */
function openRegular(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw asFailure(error, path);
  }
  let isRegular: boolean;
  try {
    isRegular = fstatSync(fd).isFile();
  } catch (error) {
    closeQuietly(fd);
    throw asFailure(error, path);
  }
  if (!isRegular) {
    closeQuietly(fd);
    throw new ProcessReadFailure('odd', `${path} is not a regular file`);
  }
  return fd;
}

/**
 * One buffer for every /proc text read: /proc files report size 0, so readFileSync would
 * fstat, allocate and grow a buffer per file; a sample reads several files per process.
 */
let textBuffer = Buffer.allocUnsafe(1 << 16);

/**
 * Reads a /proc file into textBuffer, at most `limit`: the bytes kept and whether the file went
 * on past them. Per-process failures become ProcessReadFailure.
 */
function readBounded(path: string, limit: ReadLimit): { length: number; isCut: boolean } {
  const fd = openRegular(path);
  try {
    // One byte past the limit tells a file that is longer.
    const max = limit.bytes + 1;
    let length = 0;
    let lines = 0;
    while (length < max) {
      if (length === textBuffer.length) {
        const bigger = Buffer.allocUnsafe(Math.min(textBuffer.length * 2, max));
        textBuffer.copy(bigger, 0, 0, length);
        textBuffer = bigger;
      }
      const n = readSync(fd, textBuffer, length, Math.min(textBuffer.length, max) - length, null);
      if (n === 0) return { length, isCut: false };
      if (limit.lines !== undefined) {
        const end = length + n;
        for (let at = textBuffer.indexOf(10, length); at >= 0 && at < end;) {
          if (++lines === limit.lines) return { length: at + 1, isCut: true };
          at = textBuffer.indexOf(10, at + 1);
        }
      }
      length += n;
    }
    if (limit.cutAfter === undefined) {
      throw new ProcessReadFailure('odd', `${path} is larger than ${limit.bytes / KiB} KiB`);
    }
    const at = textBuffer.lastIndexOf(limit.cutAfter, limit.bytes - 1);
    return { length: limit.cutAfter === 0 && at < 0 ? limit.bytes : at + 1, isCut: true };
  } catch (error) {
    throw asFailure(error, path);
  } finally {
    closeSync(fd);
  }
}

/** Reads a /proc text file, at most `limit`; per-process failures become ProcessReadFailure. */
export function readProcText(path: string, limit: ReadLimit): string {
  return readProcTextCut(path, limit).text;
}

/** As readProcText, and whether the text was cut at its limit. */
export function readProcTextCut(path: string, limit: ReadLimit): { text: string; isCut: boolean } {
  const { length, isCut } = readBounded(path, limit);
  return { text: decodeProcText(textBuffer, 0, length), isCut };
}

/** Reads a binary /proc file, at most `limit` (a copy: the buffer is reused). */
export function readProcBytes(path: string, limit: ReadLimit): Buffer {
  const { length } = readBounded(path, limit);
  return Buffer.from(textBuffer.subarray(0, length));
}

/** Opens a binary /proc file for pread; per-process failures become ProcessReadFailure. */
export function openProcFile(path: string): number {
  return openRegular(path);
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
