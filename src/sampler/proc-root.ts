import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { ProcUnreadableError, UnsupportedSystemError } from '../errors.js';
import { gunzipSync } from 'node:zlib';
import { decodeProcText } from './decode-text.js';
import { parseAuxvPageSize } from './parse-proc.js';
import {
  AUXV_LIMIT,
  CONFIG_LIMIT,
  ProcessReadFailure,
  asFailure,
  readProcBytes,
} from './proc-files.js';

/**
 * A proc root and, for any tree but the live /proc, its real location: such a tree is confined
 * to itself, so that its links cannot make memtop read another file of the system.
 */
export interface ProcRoot {
  path: string;
  /** Undefined for the live /proc, whose own links (/proc/self) are the kernel's. */
  realPath: string | undefined;
}

/**
 * The proc tree to read, checked: the live /proc (on Linux only), or a directory memtop may
 * list, whose real path confines every read below it.
 */
export function openProcRoot(given: string): ProcRoot {
  const path = given.replace(/(.)\/+$/, '$1');
  const isLive = path === '/proc';
  if (isLive && process.platform !== 'linux') throw new UnsupportedSystemError(process.platform);
  try {
    if (!statSync(path).isDirectory()) throw new Error('not a directory');
    readdirSync(path);
    return { path, realPath: isLive ? undefined : realpathSync.native(path) };
  } catch (error) {
    throw new ProcUnreadableError(path, error);
  }
}

/**
 * The path to open for a system-wide file of the root (rel: "meminfo", "self/auxv"). In a
 * confined tree, the file's real location, which must lie inside the tree.
 */
export function systemPath(root: ProcRoot, rel: string): string {
  const path = `${root.path}/${rel}`;
  if (root.realPath === undefined) return path;
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch (error) {
    throw asFailure(error, path);
  }
  if (real !== root.realPath && !real.startsWith(`${root.realPath}/`)) {
    throw new ProcessReadFailure('odd', `${path} leads out of ${root.path}`);
  }
  return real;
}

/**
 * In a confined tree, a process's directory must be a directory there, not a link: its files
 * are then opened without following links (O_NOFOLLOW) and stay inside the tree.
 */
export function checkProcessDir(root: ProcRoot, dir: string): void {
  if (root.realPath === undefined) return;
  let isDirectory: boolean;
  try {
    isDirectory = lstatSync(dir).isDirectory();
  } catch (error) {
    throw asFailure(error, dir);
  }
  if (!isDirectory) throw new ProcessReadFailure('odd', `${dir} is not a directory`);
}

/** Linux's base page sizes: 4 KiB up to 256 KiB (CONFIG_PAGE_SIZE_256KB), powers of two. */
const MIN_PAGE_SIZE = 4096;
const MAX_PAGE_SIZE = 256 * 1024;

/** config.gz holds ~250 KiB; more than this is no kernel's configuration. */
const CONFIG_MAX_BYTES = 16 * 1024 * 1024;

/** The kernel's build configuration from /proc/config.gz, or '' where it is not exposed. */
export function readKernelConfig(root: ProcRoot): string {
  try {
    const gz = readProcBytes(systemPath(root, 'config.gz'), CONFIG_LIMIT);
    return decodeProcText(gunzipSync(gz, { maxOutputLength: CONFIG_MAX_BYTES }));
  } catch {
    return '';
  }
}

/**
 * The page size from the auxiliary vector (AT_PAGESZ); 4096 where it cannot be read, and,
 * with a notice, where it is no page size Linux has (a power of two from 4 KiB to 256 KiB).
 */
export function readPageSize(root: ProcRoot, notices: string[]): number {
  let value: bigint | undefined;
  try {
    value = parseAuxvPageSize(readProcBytes(systemPath(root, 'self/auxv'), AUXV_LIMIT));
  } catch {
    // unreadable: the x86-64 default, as where auxv has no AT_PAGESZ
  }
  if (value === undefined) return MIN_PAGE_SIZE;
  const size = Number(value);
  if (size >= MIN_PAGE_SIZE && size <= MAX_PAGE_SIZE && (size & (size - 1)) === 0) return size;
  notices.push(
    `${root.path}/self/auxv gives a page size of ${value}, which is no page size ` +
      `(a power of two from 4096 to ${MAX_PAGE_SIZE}): 4096 is used`,
  );
  return MIN_PAGE_SIZE;
}

/** memtop's own pid as the proc mount numbers it (in a pid namespace it may differ from process.pid). */
export function selfPidInProc(): number {
  try {
    const pid = Number(readlinkSync('/proc/self'));
    return Number.isSafeInteger(pid) ? pid : process.pid;
  } catch {
    return process.pid;
  }
}
