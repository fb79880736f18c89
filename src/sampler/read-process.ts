import type { MapsEntry, ProcessInfo, RawProcess } from '../model/types.js';
import type { PageTableBuilder } from './page-table-builder.js';
import {
  PF_KTHREAD,
  parseCmdline,
  parseMaps,
  parseSmaps,
  parseStat,
  parseStatmResidentPages,
  parseMapsRanges,
  parseStatusUid,
  type StatFields,
} from './parse-proc.js';
import type { MappingRanges } from './page-sampler.js';
import type { PagemapReader } from './read-pagemap.js';
import { ProcessReadFailure, closeQuietly, openProcFile, readProcText } from './proc-files.js';

export interface ProcessReadContext {
  procRoot: string;
  pageSize: number;
  /** Per-mapping rows wanted (without PFNs they cost a read of smaps). */
  mappings: boolean;
  /** Per-page rows wanted (without PFNs only the pagemap flags). */
  pages: boolean;
  users: ReadonlyMap<number, string>;
  reader: PagemapReader;
  builder: PageTableBuilder;
}

/** What is read of every process before its memory: its identity and /proc/PID/status. */
export interface ProcessHead {
  dir: string;
  stat: StatFields;
  status: string;
  info: ProcessInfo;
}

/**
 * Reads stat, status and cmdline. Returns undefined for what is not listed: a kernel thread,
 * a zombie, a process that exited.
 */
export function readHead(
  pid: number,
  procRoot: string,
  users: ReadonlyMap<number, string>,
): ProcessHead | undefined {
  const dir = `${procRoot}/${pid}`;
  try {
    const stat = parseStat(readProcText(`${dir}/stat`));
    if (!stat || stat.state === 'Z' || stat.state === 'X' || stat.flags & PF_KTHREAD)
      return undefined;
    const status = readProcText(`${dir}/status`);
    const uid = parseStatusUid(status) ?? -1;
    const info: ProcessInfo = {
      pid,
      ppid: stat.ppid,
      startTime: stat.startTime,
      state: stat.state,
      comm: stat.comm,
      cmdline: parseCmdline(readProcText(`${dir}/cmdline`)),
      uid,
      user: users.get(uid) ?? String(uid),
    };
    return { dir, stat, status, info };
  } catch (error) {
    if (error instanceof ProcessReadFailure) return undefined;
    throw error;
  }
}

/**
 * Reads one process without PFNs (pagemap flags and smaps). Returns undefined for what is not
 * listed: a kernel thread, a zombie, a process that exited or whose pid was reused while we
 * read it.
 */
export function readProcess(pid: number, ctx: ProcessReadContext): RawProcess | undefined {
  const head = readHead(pid, ctx.procRoot, ctx.users);
  if (!head) return undefined;
  try {
    const raw = readMemory(head.dir, head.info, ctx);
    return isSameProcess(head) ? raw : undefined;
  } catch (error) {
    if (error instanceof ProcessReadFailure) return undefined;
    throw error;
  }
}

/** A process whose pages are read with PFNs: its pagemap is open, its maps read. */
export interface PageProcess {
  head: ProcessHead;
  fd: number;
  ranges: MappingRanges;
  /** The maps entries, when asked for (mappings or pages shown). */
  maps?: MapsEntry[];
}

/**
 * Opens a process's pagemap and reads its maps. A process that refuses (another user, pid 1
 * in some sandboxes) is restricted: its RSS from statm. Undefined when it went away.
 */
export function openPages(
  head: ProcessHead,
  pageSize: number,
  wantMaps: boolean,
): PageProcess | RawProcess | undefined {
  let fd: number | undefined;
  try {
    fd = openProcFile(`${head.dir}/pagemap`);
    const text = readProcText(`${head.dir}/maps`);
    const ranges = parseMapsRanges(text);
    const maps = wantMaps ? parseMaps(text) : undefined;
    return { head, fd, ranges, maps };
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    if (!(error instanceof ProcessReadFailure)) throw error;
    if (error.failure === 'vanished') return undefined;
    try {
      return readRestricted(head.dir, head.info, pageSize);
    } catch (inner) {
      if (inner instanceof ProcessReadFailure) return undefined;
      throw inner;
    }
  }
}

function readMemory(dir: string, info: ProcessInfo, ctx: ProcessReadContext): RawProcess {
  let fd: number;
  try {
    fd = openProcFile(`${dir}/pagemap`);
  } catch (error) {
    if (error instanceof ProcessReadFailure && error.failure === 'denied') {
      return readRestricted(dir, info, ctx.pageSize);
    }
    throw error;
  }
  try {
    return readFlags(fd, dir, info, ctx);
  } catch (error) {
    // maps or smaps may refuse even where pagemap opened (pid 1 in some sandboxes).
    if (error instanceof ProcessReadFailure && error.failure === 'denied') {
      return readRestricted(dir, info, ctx.pageSize);
    }
    throw error;
  } finally {
    closeQuietly(fd);
  }
}

function readFlags(
  fd: number,
  dir: string,
  info: ProcessInfo,
  ctx: ProcessReadContext,
): RawProcess {
  const rollup = parseSmaps(readProcText(`${dir}/smaps_rollup`))[0];
  if (!rollup) throw new ProcessReadFailure('vanished');
  const raw: RawProcess = { info, access: 'flags', smapsRollup: rollup.fields };
  if (!ctx.mappings && !ctx.pages) return raw;
  let maps: MapsEntry[];
  if (ctx.mappings) {
    const blocks = parseSmaps(readProcText(`${dir}/smaps`));
    maps = blocks.map((b) => b.entry);
    raw.smapsMappings = blocks.map((b) => b.fields);
  } else {
    maps = parseMaps(readProcText(`${dir}/maps`));
  }
  raw.maps = maps;
  if (ctx.pages) {
    ctx.builder.reset();
    raw.pageRanges = ctx.reader.readMappings(fd, maps, ctx.builder);
    raw.pages = ctx.builder.build();
  }
  return raw;
}

export function readRestricted(dir: string, info: ProcessInfo, pageSize: number): RawProcess {
  const pages = parseStatmResidentPages(readProcText(`${dir}/statm`));
  return {
    info,
    access: 'restricted',
    statmRssBytes: pages === undefined ? Number.NaN : pages * pageSize,
  };
}

/** The pid still names the process we started reading (not exited, not reused). */
export function isSameProcess(head: ProcessHead): boolean {
  try {
    const after = parseStat(readProcText(`${head.dir}/stat`));
    return after !== undefined && after.startTime === head.stat.startTime && after.state !== 'Z';
  } catch (error) {
    if (error instanceof ProcessReadFailure) return false;
    throw error;
  }
}
