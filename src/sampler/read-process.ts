import type { MapsEntry, ProcessInfo, RawProcess } from '../model/types.js';
import type { PageTableBuilder } from './page-table-builder.js';
import {
  PF_KTHREAD,
  parseCmdline,
  parseMaps,
  parseSmaps,
  parseStat,
  parseStatmResidentPages,
  parseStatusKb,
  parseStatusUid,
  type StatFields,
} from './parse-proc.js';
import type { PagemapReader } from './read-pagemap.js';
import { ProcessReadFailure, closeQuietly, openProcFile, readProcText } from './proc-files.js';

/** HugetlbPages of /proc/PID/status, in kB, for each process read with PFNs. */
export const hugetlbKb = new WeakMap<RawProcess, number>();

export interface ProcessReadContext {
  procRoot: string;
  pageSize: number;
  /** PFNs are visible: read pages for kpagecount/kpageflags; otherwise fall back to smaps. */
  privileged: boolean;
  /** Per-mapping rows wanted (without PFNs they cost a read of smaps). */
  mappings: boolean;
  /** Per-page rows wanted (without PFNs only the pagemap flags). */
  pages: boolean;
  users: ReadonlyMap<number, string>;
  reader: PagemapReader;
  builder: PageTableBuilder;
}

/**
 * Reads one process. Returns undefined for what is not listed: a kernel thread, a zombie, a
 * process that exited or whose pid was reused while we read it.
 */
export function readProcess(pid: number, ctx: ProcessReadContext): RawProcess | undefined {
  const dir = `${ctx.procRoot}/${pid}`;
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
      user: ctx.users.get(uid) ?? String(uid),
    };
    const raw = readMemory(dir, info, ctx);
    if (raw.access === 'pages') hugetlbKb.set(raw, parseStatusKb(status, 'HugetlbPages') ?? -1);
    return isSameProcess(dir, stat) ? raw : undefined;
  } catch (error) {
    if (error instanceof ProcessReadFailure) return undefined;
    throw error;
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
    return ctx.privileged ? readPages(fd, dir, info, ctx) : readFlags(fd, dir, info, ctx);
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

function readPages(
  fd: number,
  dir: string,
  info: ProcessInfo,
  ctx: ProcessReadContext,
): RawProcess {
  const maps = parseMaps(readProcText(`${dir}/maps`));
  ctx.builder.reset();
  const pageRanges = ctx.reader.readMappings(fd, maps, ctx.builder);
  return { info, access: 'pages', maps, pages: ctx.builder.build(), pageRanges };
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

function readRestricted(dir: string, info: ProcessInfo, pageSize: number): RawProcess {
  const pages = parseStatmResidentPages(readProcText(`${dir}/statm`));
  return {
    info,
    access: 'restricted',
    statmRssBytes: pages === undefined ? Number.NaN : pages * pageSize,
  };
}

/** The pid still names the process we started reading (not exited, not reused). */
function isSameProcess(dir: string, before: StatFields): boolean {
  const after = parseStat(readProcText(`${dir}/stat`));
  return after !== undefined && after.startTime === before.startTime && after.state !== 'Z';
}
