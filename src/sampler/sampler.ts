import { readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { COUNTER_KEYS, COUNTER_SLOTS, accountRows } from '../model/counters.js';
import { buildSnapshot } from '../model/snapshot.js';
import type { PageTable, RawProcess, Snapshot, StatusMemory } from '../model/types.js';
import { ProcUnreadableError, UnsupportedSystemError } from '../errors.js';
import { decodeProcText } from './decode-text.js';
import { PageTableBuilder } from './page-table-builder.js';
import {
  PageSampler,
  emptyPageStats,
  type MappingRanges,
  type PageJob,
  type PageSampleStats,
  type ScanMode,
} from './page-sampler.js';
import {
  parseMaps,
  parseMeminfo,
  parsePasswd,
  parseStatmResidentPages,
  parseStatusKb,
} from './parse-proc.js';
import { defaultThreads, releasePrestarted } from './page-workers.js';
import { loadReadRuns, openScan, type ReadRunsFunction, type ScanLoad } from './pagemap-scan.js';
import { PagemapReader } from './read-pagemap.js';
import {
  isSameProcess,
  openPages,
  readHead,
  readProcess,
  readRestricted,
  type PageProcess,
  type ProcessHead,
} from './read-process.js';
import {
  STATM_LIMIT,
  STATUS_LIMIT,
  SYSTEM_LIMIT,
  ProcessReadFailure,
  closeQuietly,
  openProcFile,
  preadFully,
  readProcText,
} from './proc-files.js';
import {
  checkProcessDir,
  openProcRoot,
  readKernelConfig,
  readPageSize,
  selfPidInProc,
  systemPath,
  type ProcRoot,
} from './proc-root.js';
import { ProcessNotes } from './process-notes.js';
import { describeProcess, resolveProcesses, type PidKind } from './pid-kind.js';
import { processInference, readFlagInference } from './flag-inference.js';
import { ObserverPages } from './observer.js';
import { prefaultSelf, type PrefaultMode } from './prefault.js';
import { privilegeNotice, type KpageRefusal } from './privilege.js';

export interface SamplerOptions {
  /** Where proc is mounted (fixture trees in tests). Default /proc. */
  procRoot?: string;
  /**
   * List memtop's own process (and its sudo, doas or su launcher) too, and count its own
   * mappings in everyone's figures as the kernel does while it runs. By default memtop is left
   * out and, with PFNs, its page-table mappings are taken out of every map count (observer.ts).
   */
  includeSelf?: boolean;
  /** Behave as a user without CAP_SYS_ADMIN even when root. */
  unprivileged?: boolean;
  /** Fault in memtop's own file pages before sampling, so that it does not shift share counts. */
  prefault?: PrefaultMode;
  /**
   * Threads that read pages, this one included: a large sample is split among them (worker
   * threads). Default: the CPUs available, at most 4, on the live /proc; 1 elsewhere (and
   * when running from the TypeScript sources).
   */
  threads?: number;
  /** Samples of fewer pagemap entries than this are read by one thread (tuning, tests). */
  parallelMinEntries?: number;
  /**
   * Infer the kpageflags of anonymous pages where that is exact (see INFERRED_ANON_FLAGS and
   * flag-inference.ts).
   * Default true; false reads them all, as on a system where MADV_FREE was used (tests).
   */
  inferAnonFlags?: boolean;
  /**
   * Find populated pagemap ranges with PAGEMAP_SCAN where the native module and the kernel
   * allow (pagemap-scan.ts), for sparsely populated processes (ScanMode 'auto'). Default true
   * (unless MEMTOP_PAGEMAP_SCAN=0); false reads every entry of every mapping read, 'always'
   * scans before every read (tests, measurements).
   */
  pagemapScan?: boolean | 'always';
  /**
   * Read kpagecount and kpageflags in batches through the native module where it is built
   * (pagemap-scan.ts). Default true (unless MEMTOP_PAGEMAP_SCAN=0); false reads them from Node
   * (tests, measurements).
   */
  nativeReads?: boolean;
}

export interface SampleRequest {
  /** Only these processes; default every process. */
  pids?: readonly number[];
  /** Keep per-mapping rows. */
  mappings?: boolean;
  /** Keep per-page rows. */
  pages?: boolean;
  /** Keep mappings and pages of this process only (the process the user is looking at). */
  focusPid?: number;
  /**
   * Read these processes (focusPid excepted) from /proc/PID/status alone (RSS, swap: no
   * page-table walk): they come out with `scannedAtMs` NaN (see carryScans). Applies with PFNs;
   * without them every process is read in full.
   */
  statusOnlyPids?: readonly number[];
}

/** The largest pid Linux hands out (PID_MAX_LIMIT). */
const PID_MAX = 4_194_304;
/** Processes read with their pagemap open at the same time. */
const MAX_OPEN_PAGEMAPS = 512;

/** Reads whole samples of /proc. All of memtop's I/O on /proc goes through here. */
export class Sampler {
  private readonly reader: PagemapReader;
  private readonly builder = new PageTableBuilder();
  private readonly selfPid: number | undefined;
  /** memtop and its launchers, whose mappings privileged samples take out (observer.ts). */
  private readonly observer: ObserverPages | undefined;
  private readonly pageSampler: PageSampler | undefined;
  /** What the last sample read (privileged samples). */
  lastStats: PageSampleStats = emptyPageStats();
  /** Whether privileged samples find pagemap's populated ranges with PAGEMAP_SCAN, or why not. */
  readonly pagemapScan: { used: boolean; reason?: string };
  /** Whether privileged samples read kpagecount and kpageflags in native batches. */
  readonly nativeReads: boolean;

  private readonly root: ProcRoot;

  private constructor(
    readonly procRoot: string,
    realRoot: string | undefined,
    readonly pageSize: number,
    readonly privileged: boolean,
    readonly notices: readonly string[],
    private readonly kpage: { countFd: number; flagsFd: number } | undefined,
    private readonly users: ReadonlyMap<number, string>,
    includeSelf: boolean,
    threads: number,
    parallelMinEntries: number | undefined,
    private readonly inferAnonFlags: boolean,
    scan: ScanLoad,
    scanMode: ScanMode,
    readRuns: ReadRunsFunction | undefined,
  ) {
    this.reader = new PagemapReader(pageSize);
    this.root = { path: procRoot, realPath: realRoot };
    this.selfPid = includeSelf || procRoot !== '/proc' ? undefined : selfPidInProc();
    this.observer =
      kpage && this.selfPid !== undefined ? ObserverPages.open(pageSize, this.selfPid) : undefined;
    this.pagemapScan = scan.scan ? { used: true } : { used: false, reason: scan.reason };
    this.nativeReads = kpage !== undefined && readRuns !== undefined;
    this.pageSampler = kpage
      ? new PageSampler(
          kpage.countFd,
          kpage.flagsFd,
          pageSize,
          threads,
          parallelMinEntries,
          scan.scan,
          scanMode,
          readRuns,
        )
      : undefined;
  }

  /** Checks the proc root, finds out what this user may read, and warms memtop's own code. */
  static open(options: SamplerOptions = {}): Sampler {
    const root = openProcRoot(options.procRoot ?? '/proc');
    const procRoot = root.path;
    const isLive = root.realPath === undefined;
    if (isLive && !canRead('/proc/self/pagemap'))
      throw new UnsupportedSystemError('Linux without /proc/PID/pagemap');
    const notices: string[] = [];
    const pageSize = readPageSize(root, notices);
    const opened = options.unprivileged ? undefined : openKpage(root, isLive, pageSize, notices);
    const kpage = typeof opened === 'object' && 'countFd' in opened ? opened : undefined;
    if (options.unprivileged) {
      notices.push(
        'unprivileged mode (--unprivileged): no map counts or page flags; figures include memtop’s own mappings',
      );
    } else if (opened === 'odd') {
      // openKpage said why
    } else if (typeof opened === 'object' && 'refused' in opened) {
      notices.push(privilegeNotice(opened, procRoot, isLive));
    } else if (isLive && options.includeSelf) {
      notices.push(
        '--include-self: memtop is listed, and its own mappings count in every figure (nothing is subtracted)',
      );
    }
    const kpageFds = kpage;
    if (kpageFds && readKernelConfig(root).includes('CONFIG_NO_PAGE_MAPCOUNT=y')) {
      notices.push(
        'this kernel keeps no per-page map counts (CONFIG_NO_PAGE_MAPCOUNT): pages of large folios ' +
          '(THP, large page cache) show the folio’s average map count, as smaps does',
      );
    }
    // PAGEMAP_SCAN is an ioctl on the live /proc's pagemap; privileged samples use it.
    const scan: ScanLoad = !kpageFds
      ? { scan: undefined, reason: 'only privileged samples read pagemap ranges' }
      : !isLive
        ? { scan: undefined, reason: 'not the live /proc' }
        : options.pagemapScan === false
          ? { scan: undefined, reason: 'turned off (pagemapScan: false)' }
          : openScan();
    if (isLive) prefaultSelf(options.prefault ?? 'libs');
    const sampler = new Sampler(
      procRoot,
      root.realPath,
      pageSize,
      kpageFds !== undefined,
      notices,
      kpageFds,
      readUsers(),
      options.includeSelf ?? false,
      Math.max(1, Math.floor(options.threads ?? defaultThreads(isLive))),
      options.parallelMinEntries,
      options.inferAnonFlags ?? true,
      scan,
      options.pagemapScan === 'always' ? 'always' : 'auto',
      kpageFds && options.nativeReads !== false ? loadReadRuns() : undefined,
    );
    releasePrestarted();
    return sampler;
  }

  /** What a pid names (see describeProcess). */
  describePid(pid: number): PidKind {
    const found = describeProcess(this.root, pid);
    // memtop and its launchers are not listed (see observer.ts).
    if (found.kind === 'process' && this.hiddenPids().includes(pid))
      return { kind: 'observer', comm: found.comm };
    return found;
  }

  /** The processes these ids name, each once (see resolveProcesses). */
  resolvePids(pids: readonly number[]): number[] {
    return resolveProcesses(this.root, pids);
  }

  /** Takes one whole sample. A process that vanishes mid-read simply drops out of it. */
  sample(request: SampleRequest = {}): Snapshot {
    const timeMs = Date.now();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const mappings = request.mappings ?? false;
    const pages = request.pages ?? false;
    this.observer?.refresh();
    const hidden = this.hiddenPids();
    const pids = (request.pids ?? this.listPids()).filter((pid) => !hidden.includes(pid));
    const notes = new ProcessNotes();
    const raws = this.pageSampler
      ? this.readWithPfns(pids, request, notes)
      : this.readWithoutPfns(pids, request, notes);
    const meminfo = parseMeminfo(this.readSystem('meminfo'));
    const system = {
      timeMs,
      costMs: 0,
      cpuMs: 0,
      kernel: this.readSystem('sys/kernel/osrelease').trim() || 'unknown',
      hostname: this.readSystem('sys/kernel/hostname').trim() || hostname(),
      pageSize: this.pageSize,
      privileged: this.privileged,
      notices: [...this.notices, ...notes.list()],
      meminfo,
    };
    const snapshot = buildSnapshot(system, raws, { mappings, pages, focusPid: request.focusPid });
    snapshot.costMs = performance.now() - t0;
    // The main thread waits for the workers during a sample: the process's CPU time meanwhile
    // is the sample's, on every thread.
    const cpu = process.cpuUsage(cpu0);
    snapshot.cpuMs = (cpu.user + cpu.system) / 1000;
    return snapshot;
  }

  /**
   * Privileged: every process's pagemap with PFNs, then kpagecount and kpageflags for the PFNs
   * that need them, for all processes at once (a page shared by many is looked up once).
   */
  private readWithPfns(
    pids: readonly number[],
    request: SampleRequest,
    notes: ProcessNotes,
  ): RawProcess[] {
    const pageSampler = this.pageSampler!;
    pageSampler.stats = emptyPageStats();
    this.lastStats = pageSampler.stats;
    // What inference may rely on, once a sample (one read of /proc/vmstat answers most of it).
    const inference = readFlagInference({
      isAllowed: this.inferAnonFlags,
      isLive: this.root.realPath === undefined,
      vmstat: this.inferAnonFlags ? this.readSystem('vmstat') : '',
      // Kept rows are inferred only where pages are kept for more than the focused process
      // (for which nothing is inferred): the large-folio files are read only then.
      wantsKept: request.pages === true || pageSampler.keepsEveryRow,
    });
    const skipped = request.statusOnlyPids && new Set(request.statusOnlyPids);
    const out: (RawProcess | undefined)[] = [];
    const heads = { root: this.root, users: this.users, notes };
    // Each job holds its pagemap open until the batch is read: stay far from the fd limit.
    for (let from = 0; from < pids.length; from += MAX_OPEN_PAGEMAPS) {
      const jobs: { proc: PageProcess; slot: number; job: PageJob }[] = [];
      try {
        for (const pid of pids.slice(from, from + MAX_OPEN_PAGEMAPS)) {
          const head = readHead(pid, heads);
          if (!head) continue;
          const statusOnly = skipped?.has(pid) && pid !== request.focusPid;
          const memory = statusOnly ? parseStatusMemory(head.status) : undefined;
          if (memory) {
            out.push({ info: head.info, access: 'pages', statusMemory: memory });
            continue;
          }
          const kept = (request.pages ?? false) || pid === request.focusPid;
          const wantMaps = kept || (request.mappings ?? false);
          const opened = openPages(head, this.pageSize, wantMaps, notes);
          if (!opened) continue;
          if (!('fd' in opened)) {
            out.push(opened);
            continue;
          }
          const { inferAnon, keptInferAnon } = processInference(
            inference,
            head.status,
            head.dir,
            pid === request.focusPid,
          );
          // PROT_NONE mappings (reservations of tens of GiB) are left out, then checked below.
          // The process in focus is read in full: its page map shows every entry, even the
          // zero page or a marker under PROT_NONE (elsewhere those count for nothing).
          const scan = pid === request.focusPid ? undefined : accessibleOnly(opened.ranges);
          const held = statusMemory(head.status);
          const residentPages = held
            ? ((held.rssKb + held.swapKb) * 1024) / this.pageSize
            : undefined;
          jobs.push({
            proc: opened,
            slot: out.length,
            job: {
              fd: opened.fd,
              ranges: opened.ranges,
              kept,
              inferAnon,
              keptInferAnon,
              scan,
              residentPages,
            },
          });
          out.push(undefined);
        }
        const results = pageSampler.run(
          jobs.map((j) => j.job),
          this.observer,
        );
        // A PROT_NONE mapping may still hold pages (mprotect keeps them resident): when the
        // pages found elsewhere do not account for the process's whole RSS and swap, as
        // /proc/PID/status counts them, read it again with every mapping.
        const again = jobs.flatMap((j, i) => {
          const result = results[i]!;
          if (!j.job.scan || result.status !== 'ok') return [];
          const counters = result.mappingCounters ?? tableCounters(result, this.pageSize);
          return holdsAll(j.proc.head, counters) ? [] : [i];
        });
        if (again.length > 0) {
          const redone = pageSampler.run(
            again.map((i) => ({ ...jobs[i]!.job, scan: undefined })),
            this.observer,
          );
          again.forEach((i, k) => (results[i] = redone[k]!));
        }
        pageSampler.stats.protNoneRereads += again.length;
        results.forEach((result, i) => {
          const { proc, slot } = jobs[i]!;
          const { head } = proc;
          if (result.status === 'skipped') {
            // Its pages would cost what its address space costs: its status's counters, said.
            const memory = parseStatusMemory(head.status);
            if (!memory || !isSameProcess(head)) return;
            out[slot] = { info: head.info, access: 'pages', statusMemory: memory };
            notes.add(head.info.pid, skippedNotice(this.pagemapScan.used));
            return;
          }
          if (result.status !== 'ok') {
            if (result.status === 'denied') {
              out[slot] = restrictedOrGone(head, this.pageSize, notes);
            }
            return;
          }
          if (!isSameProcess(head, holdsNothing(result, this.pageSize))) return;
          if (result.unkept) notes.add(head.info.pid, UNKEPT_NOTICE);
          const raw: RawProcess = { info: head.info, access: 'pages' };
          if (proc.maps) raw.maps = proc.maps;
          if (result.pages) {
            raw.pages = result.pages;
            raw.pageRanges = result.pageRanges;
          } else {
            raw.mappingCounters = result.mappingCounters;
          }
          out[slot] = raw;
        });
      } finally {
        for (const { proc } of jobs) closeQuietly(proc.fd);
      }
    }
    return out.filter((r): r is RawProcess => r !== undefined);
  }

  /** Without PFNs: pagemap flags and smaps for our own processes, statm for others. */
  private readWithoutPfns(
    pids: readonly number[],
    request: SampleRequest,
    notes: ProcessNotes,
  ): RawProcess[] {
    const mappings = request.mappings ?? false;
    const pages = request.pages ?? false;
    const ctx = {
      root: this.root,
      notes,
      pageSize: this.pageSize,
      mappings,
      pages,
      users: this.users,
      reader: this.reader,
      builder: this.builder,
    };
    const raws: RawProcess[] = [];
    for (const pid of pids) {
      const focused = pid === request.focusPid;
      ctx.mappings = mappings || focused;
      ctx.pages = pages || focused;
      const raw = readProcess(pid, ctx);
      if (raw) raws.push(raw);
    }
    return raws;
  }

  /**
   * Thread-group leaders listed in the proc root, in pid order: the names that are pids as the
   * kernel writes them (decimal, no leading zero: "00100" is not pid 100).
   */
  listPids(): number[] {
    let names: string[];
    try {
      names = readdirSync(this.procRoot);
    } catch (error) {
      throw new ProcUnreadableError(this.procRoot, error);
    }
    return names
      .filter((n) => /^[1-9]\d{0,6}$/.test(n) && Number(n) <= PID_MAX)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /**
   * The resident pages of these processes together (statm, each process's own count, so a
   * page several processes map counts once for each): the page rows that keeping every page of
   * each would take. Processes that cannot be read count nothing.
   */
  residentPagesOf(pids: readonly number[]): number {
    let pages = 0;
    const hidden = this.hiddenPids();
    for (const pid of pids) {
      if (hidden.includes(pid)) continue;
      try {
        const dir = `${this.procRoot}/${pid}`;
        checkProcessDir(this.root, dir);
        pages += parseStatmResidentPages(readProcText(`${dir}/statm`, STATM_LIMIT)) ?? 0;
      } catch (error) {
        if (!(error instanceof ProcessReadFailure)) throw error;
      }
    }
    return pages;
  }

  /** The processes samples leave out: memtop and its launchers, unless --include-self. */
  private hiddenPids(): number[] {
    return this.observer?.pids ?? (this.selfPid === undefined ? [] : [this.selfPid]);
  }

  /**
   * The bytes of the page engine's sample buffers, kept from sample to sample (privileged
   * samplers; 0 otherwise): bounded whatever the host (page-plan.ts, PIECE_ROW_BUDGET).
   */
  get engineBufferBytes(): number {
    return this.pageSampler?.bufferBytes ?? 0;
  }

  /** Resolves once the sampler's worker threads (if any) can take work. */
  whenReady(): Promise<void> {
    return this.pageSampler?.whenReady() ?? Promise.resolve();
  }

  /** A system-wide text file of the proc root, '' where it cannot be read or is odd. */
  private readSystem(rel: string): string {
    try {
      return readProcText(systemPath(this.root, rel), SYSTEM_LIMIT);
    } catch {
      return '';
    }
  }

  close(): void {
    this.pageSampler?.close();
    this.observer?.close();
    if (this.kpage) {
      closeQuietly(this.kpage.countFd);
      closeQuietly(this.kpage.flagsFd);
    }
  }
}

/** Why a process's pages were not read: more address space than plain pagemap reads can take. */
function skippedNotice(scanUsed: boolean): string {
  return (
    `maps more address space than memtop reads ` +
    `page by page${scanUsed ? '' : ' without PAGEMAP_SCAN (the native module)'}: ` +
    `shown from its status counters (RSS, swap), its sharing unknown`
  );
}

/** Why a process's pages were counted but not listed. */
const UNKEPT_NOTICE =
  'a mapping of more than 16 TiB of pages: its pages are counted but not listed page by page';

/** The mappings to read when PROT_NONE ones are left out; undefined when there are none. */
function accessibleOnly(ranges: MappingRanges): Uint8Array | undefined {
  const { count, protNone } = ranges;
  let any = false;
  const scan = new Uint8Array(count);
  for (let m = 0; m < count; m++) {
    scan[m] = protNone[m] ? 0 : 1;
    if (protNone[m]) any = true;
  }
  return any ? scan : undefined;
}

const RSS_SLOT = COUNTER_KEYS.indexOf('rssBytes');
const SWAP_SLOT = COUNTER_KEYS.indexOf('swapBytes');

/** The counters of a kept page table, as one set. */
function tableCounters(
  result: { pages?: PageTable; pageRanges?: Uint32Array },
  pageSize: number,
): Float64Array {
  const acc = new Float64Array(COUNTER_SLOTS);
  if (result.pages) accountRows(acc, 0, result.pages, 0, result.pages.count, pageSize);
  return acc;
}

/**
 * True when the pages counted account for all of the process's resident and swapped pages as
 * /proc/PID/status counts them (VmRSS, VmSwap: exact sums on recent kernels, where they equal
 * smaps_rollup; an approximate count only costs a second read), read before and again now:
 * for a process that did not change meanwhile, the mappings left out hold nothing. A process
 * that changed by d pages meanwhile is accepted within d of the two readings: its pages moved
 * while they were read, and no reading of them is exact.
 */
function holdsAll(head: ProcessHead, counters: Float64Array): boolean {
  let rss = 0;
  let swap = 0;
  for (let at = 0; at < counters.length; at += COUNTER_SLOTS) {
    rss += counters[at + RSS_SLOT]!;
    swap += counters[at + SWAP_SLOT]!;
  }
  const before = statusMemory(head.status);
  const after = statusMemory(readOptional(`${head.dir}/status`, STATUS_LIMIT));
  if (!before || !after) return false;
  const within = (x: number, a: number, b: number) => {
    const slack = Math.abs(a - b);
    return x >= Math.min(a, b) - slack && x <= Math.max(a, b) + slack;
  };
  return (
    within(rss / 1024, before.rssKb, after.rssKb) &&
    within(swap / 1024, before.swapKb, after.swapKb)
  );
}

/** What status says of a process's memory, in bytes; undefined when a field is missing. */
function parseStatusMemory(status: string): StatusMemory | undefined {
  const kb = (field: string) => parseStatusKb(status, field);
  const [rss, anon, file, shmem, swap] = ['VmRSS', 'RssAnon', 'RssFile', 'RssShmem', 'VmSwap'].map(
    kb,
  );
  if (rss === undefined || anon === undefined || file === undefined) return undefined;
  if (shmem === undefined || swap === undefined) return undefined;
  return {
    rssBytes: rss * 1024,
    anonBytes: anon * 1024,
    fileBytes: file * 1024,
    shmemBytes: shmem * 1024,
    swapBytes: swap * 1024,
  };
}

function statusMemory(status: string): { rssKb: number; swapKb: number } | undefined {
  const rssKb = parseStatusKb(status, 'VmRSS');
  const swapKb = parseStatusKb(status, 'VmSwap');
  return rssKb === undefined || swapKb === undefined ? undefined : { rssKb, swapKb };
}

/** A process that refused its pagemap read: restricted, or gone by now. */
function restrictedOrGone(
  head: ProcessHead,
  pageSize: number,
  notes: ProcessNotes,
): RawProcess | undefined {
  try {
    return readRestricted(head, pageSize);
  } catch (error) {
    return notes.settle(head.info.pid, error);
  }
}

/** A page read that found nothing resident or swapped (as an exiting process's does). */
function holdsNothing(
  result: { pages?: PageTable; pageRanges?: Uint32Array; mappingCounters?: Float64Array },
  pageSize: number,
): boolean {
  const counters = result.mappingCounters ?? tableCounters(result, pageSize);
  for (let at = 0; at < counters.length; at += COUNTER_SLOTS) {
    if (counters[at + RSS_SLOT]! > 0 || counters[at + SWAP_SLOT]! > 0) return false;
  }
  return true;
}

function canRead(path: string): boolean {
  try {
    closeQuietly(openProcFile(path));
    return true;
  } catch {
    return false;
  }
}

/** A small text file, '' where it cannot be read (or is odd). */
function readOptional(path: string, limit = SYSTEM_LIMIT): string {
  try {
    return readProcText(path, limit);
  } catch {
    return '';
  }
}

function readUsers(): Map<number, string> {
  try {
    return parsePasswd(decodeProcText(readFileSync('/etc/passwd')));
  } catch {
    return new Map();
  }
}

/**
 * Opens kpagecount and kpageflags when this user may read them and, on the live system, when
 * pagemap really shows PFNs (root in a user namespace reads zeros); otherwise says which failed.
 */
function openKpage(
  root: ProcRoot,
  isLive: boolean,
  pageSize: number,
  notices: string[],
): { countFd: number; flagsFd: number } | KpageRefusal | 'odd' {
  let countFd: number | undefined;
  try {
    countFd = openProcFile(systemPath(root, 'kpagecount'));
  } catch (error) {
    return oddKpage(error, notices) ?? { refused: 'kpagecount', error };
  }
  try {
    const flagsFd = openProcFile(systemPath(root, 'kpageflags'));
    if (isLive && !selfPagemapShowsPfns(pageSize)) {
      closeQuietly(flagsFd);
      closeQuietly(countFd);
      return { refused: 'pfns' };
    }
    return { countFd, flagsFd };
  } catch (error) {
    closeQuietly(countFd);
    return oddKpage(error, notices) ?? { refused: 'kpageflags', error };
  }
}

/** A kpage file that is not a regular file: a notice, and 'odd'; undefined for any other failure. */
function oddKpage(error: unknown, notices: string[]): 'odd' | undefined {
  if (!(error instanceof ProcessReadFailure) || error.failure !== 'odd') return undefined;
  notices.push(`${error.detail}: map counts and page flags are hidden`);
  return 'odd';
}

/** Reads this process's own stack entries: present pages there carry a PFN only with CAP_SYS_ADMIN. */
function selfPagemapShowsPfns(pageSize: number): boolean {
  const stack = parseMaps(decodeProcText(readFileSync('/proc/self/maps'))).find(
    (m) => m.path === '[stack]',
  );
  if (!stack) return false;
  const fd = openProcFile('/proc/self/pagemap');
  try {
    const pages = Math.min((stack.end - stack.start) / pageSize, 4096);
    const bytes = new Uint8Array(pages * 8);
    const first = stack.end / pageSize - pages;
    const got = preadFully(fd, bytes, bytes.length, first * 8);
    const words = new Uint32Array(bytes.buffer, 0, got >>> 2);
    for (let i = 0; i + 1 < words.length; i += 2) {
      const hi = words[i + 1]!;
      if (hi & 0x80000000 && (words[i]! !== 0 || (hi & 0x7fffff) !== 0)) return true;
    }
    return false;
  } finally {
    closeQuietly(fd);
  }
}
