import type { MapsEntry, ProcessInfo, RawProcess } from '../model/types.js';
import type { PageTableBuilder } from './page-table-builder.js';
import {
  PF_EXITING,
  PF_KTHREAD,
  parseCmdline,
  parseMaps,
  parseSmaps,
  parseStat,
  parseStatmResidentPages,
  parseMapsRanges,
  parseStatusKb,
  parseStatusNumber,
  parseStatusUid,
  type StatFields,
} from './parse-proc.js';
import type { MappingRanges } from './page-sampler.js';
import type { PagemapReader } from './read-pagemap.js';
import {
  CMDLINE_LIMIT,
  MAPS_LIMIT,
  ROLLUP_LIMIT,
  SMAPS_LIMIT,
  STATM_LIMIT,
  STATUS_LIMIT,
  STAT_LIMIT,
  ProcessReadFailure,
  closeQuietly,
  openProcFile,
  readProcText,
  readProcTextCut,
} from './proc-files.js';
import { checkProcessDir, type ProcRoot } from './proc-root.js';
import type { ProcessNotes } from './process-notes.js';

/** Ends a command line cut at CMDLINE_LIMIT. */
export const CMDLINE_CUT_MARK = ' …';

/** What reading any process needs: where, whose names, and where odd files are noted. */
export interface HeadContext {
  root: ProcRoot;
  users: ReadonlyMap<number, string>;
  notes: ProcessNotes;
}

export interface ProcessReadContext extends HeadContext {
  pageSize: number;
  /** Per-mapping rows wanted (without PFNs they cost a read of smaps). */
  mappings: boolean;
  /** Per-page rows wanted (without PFNs only the pagemap flags). */
  pages: boolean;
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
 * a zombie, a thread that is not its group's leader, a process that exited, one whose files
 * are odd (noted).
 */
export function readHead(pid: number, ctx: HeadContext): ProcessHead | undefined {
  const dir = `${ctx.root.path}/${pid}`;
  try {
    checkProcessDir(ctx.root, dir);
    const stat = parseStat(readProcText(`${dir}/stat`, STAT_LIMIT));
    if (!stat || stat.state === 'Z' || stat.state === 'X' || stat.flags & PF_KTHREAD)
      return undefined;
    const status = readProcText(`${dir}/status`, STATUS_LIMIT);
    // Only thread-group leaders are processes; /proc/TID of a thread reads like one.
    const tgid = parseStatusNumber(status, 'Tgid');
    if (tgid !== undefined && tgid !== pid) return undefined;
    const uid = parseStatusUid(status) ?? null;
    const cmdline = readProcTextCut(`${dir}/cmdline`, CMDLINE_LIMIT);
    const info: ProcessInfo = {
      pid,
      ppid: stat.ppid,
      startTime: stat.startTime,
      state: stat.state,
      comm: stat.comm,
      cmdline: parseCmdline(cmdline.text) + (cmdline.isCut ? CMDLINE_CUT_MARK : ''),
      uid,
      user: uid === null ? '?' : (ctx.users.get(uid) ?? String(uid)),
    };
    return { dir, stat, status, info };
  } catch (error) {
    return ctx.notes.settle(pid, error);
  }
}

/**
 * Reads one process without PFNs (pagemap flags and smaps). Returns undefined for what is not
 * listed: a kernel thread, a zombie, a process that exited or whose pid was reused while we
 * read it.
 */
export function readProcess(pid: number, ctx: ProcessReadContext): RawProcess | undefined {
  const head = readHead(pid, ctx);
  if (!head) return undefined;
  try {
    const raw = readMemory(head, ctx);
    return isSameProcess(head, isEmpty(raw)) ? raw : undefined;
  } catch (error) {
    return ctx.notes.settle(pid, error);
  }
}

/** Nothing resident or swapped was found (rollup or statm): all an exiting process shows. */
function isEmpty(raw: RawProcess): boolean {
  if (raw.smapsRollup) return !raw.smapsRollup['Rss'] && !raw.smapsRollup['Swap'];
  return raw.statmRssBytes === 0;
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
  notes: ProcessNotes,
): PageProcess | RawProcess | undefined {
  let fd: number | undefined;
  try {
    fd = openProcFile(`${head.dir}/pagemap`);
    const { text, isCut } = readProcTextCut(`${head.dir}/maps`, MAPS_LIMIT);
    const ranges = parseMapsRanges(text);
    if (isCut) noteCut(notes, head, 'maps', ranges.count);
    const maps = wantMaps ? parseMaps(text) : undefined;
    return { head, fd, ranges, maps };
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    if (!(error instanceof ProcessReadFailure) || error.failure !== 'denied')
      return notes.settle(head.info.pid, error);
    try {
      return readRestricted(head, pageSize);
    } catch (inner) {
      return notes.settle(head.info.pid, inner);
    }
  }
}

function noteCut(notes: ProcessNotes, head: ProcessHead, file: string, mappings: number): void {
  notes.add(
    head.info.pid,
    `${file} cut after ${mappings.toLocaleString('en-US')} mappings; the rest are left out`,
  );
}

function readMemory(head: ProcessHead, ctx: ProcessReadContext): RawProcess {
  let fd: number;
  try {
    fd = openProcFile(`${head.dir}/pagemap`);
  } catch (error) {
    if (error instanceof ProcessReadFailure && error.failure === 'denied') {
      return readRestricted(head, ctx.pageSize);
    }
    throw error;
  }
  try {
    return readFlags(fd, head, ctx);
  } catch (error) {
    // maps or smaps may refuse even where pagemap opened (pid 1 in some sandboxes).
    if (error instanceof ProcessReadFailure && error.failure === 'denied') {
      return readRestricted(head, ctx.pageSize);
    }
    throw error;
  } finally {
    closeQuietly(fd);
  }
}

function readFlags(fd: number, head: ProcessHead, ctx: ProcessReadContext): RawProcess {
  const { dir, info } = head;
  const rollup = parseSmaps(readProcText(`${dir}/smaps_rollup`, ROLLUP_LIMIT))[0];
  if (!rollup) throw new ProcessReadFailure('vanished');
  const raw: RawProcess = { info, access: 'flags', smapsRollup: rollup.fields };
  if (!ctx.mappings && !ctx.pages) return raw;
  let maps: MapsEntry[];
  if (ctx.mappings) {
    const { text, isCut } = readProcTextCut(`${dir}/smaps`, SMAPS_LIMIT);
    const blocks = parseSmaps(text);
    if (isCut) noteCut(ctx.notes, head, 'smaps', blocks.length);
    maps = blocks.map((b) => b.entry);
    raw.smapsMappings = blocks.map((b) => b.fields);
  } else {
    const { text, isCut } = readProcTextCut(`${dir}/maps`, MAPS_LIMIT);
    maps = parseMaps(text);
    if (isCut) noteCut(ctx.notes, head, 'maps', maps.length);
  }
  raw.maps = maps;
  if (ctx.pages) {
    ctx.builder.reset();
    raw.pageRanges = ctx.reader.readMappings(fd, maps, ctx.builder);
    raw.pages = ctx.builder.build();
  }
  return raw;
}

/**
 * A process whose pages this user may not read: its RSS from statm. One that shows nothing
 * and is exiting is gone (ProcessReadFailure 'vanished').
 */
export function readRestricted(head: ProcessHead, pageSize: number): RawProcess {
  const pages = parseStatmResidentPages(readProcText(`${head.dir}/statm`, STATM_LIMIT));
  if (pages === 0 && !isSameProcess(head, true)) throw new ProcessReadFailure('vanished');
  return {
    info: head.info,
    access: 'restricted',
    statmRssBytes: pages === undefined ? Number.NaN : pages * pageSize,
  };
}

/**
 * The pid still names the process we started reading (not exited, not reused). A read that
 * found no memory (`isEmpty`) also tells a process that is exiting: past exit_mm its maps,
 * pagemap and statm read empty, and such a process is gone, not a process of 0 bytes. It is
 * exiting when PF_EXITING is set (before its memory goes, for good) or when status, read
 * before, had no VmRSS (a process without memory that is no kernel thread).
 */
export function isSameProcess(head: ProcessHead, isEmpty = false): boolean {
  try {
    const after = parseStat(readProcText(`${head.dir}/stat`, STAT_LIMIT));
    if (!after || after.startTime !== head.stat.startTime) return false;
    if (after.state === 'Z' || after.state === 'X') return false;
    if (!isEmpty) return true;
    return !(after.flags & PF_EXITING) && parseStatusKb(head.status, 'VmRSS') !== undefined;
  } catch (error) {
    if (error instanceof ProcessReadFailure) return false;
    throw error;
  }
}
