/**
 * The memtop glossary. Every quantity memtop prints is defined here once, with the formula
 * the kernel's own smaps uses for it (fs/proc/task_mmu.c, smaps_account()).
 *
 * - Snapshot: everything sampled at one instant: every process, its mappings and their pages.
 * - Mapping: one line of /proc/PID/maps (one VMA).
 * - Page: one virtual page of a mapping that is present or swapped (pages never touched are
 *   not stored: a PageTable is sparse).
 * - map count: how many page-table entries map the physical page (/proc/kpagecount). It counts
 *   mappings, not processes: one process mapping a page twice counts 2.
 * - RSS: bytes of present pages with map count >= 1 (the zero page has map count 0 and is no
 *   memory).
 * - PSS: sum over resident pages of pagesize / mapcount, kept as the kernel keeps it, in fixed
 *   point with 12 fractional bits (see PSS_SHIFT), so that sums round exactly as smaps rounds.
 * - USS: bytes of resident pages with map count 1: what the process alone holds, and what
 *   would be freed if it exited. Equal to Private_Clean + Private_Dirty.
 * - shared: bytes of resident pages with map count >= 2 (Shared_Clean + Shared_Dirty).
 * - dirty: an anonymous page is dirty by nature (it has no file to be written back to) unless
 *   the kernel marked it lazily freeable (MADV_FREE); a file or shmem page is dirty when its
 *   kpageflags DIRTY bit is set.
 * - private-dirty: USS pages that are dirty: memory that only this process holds and that the
 *   kernel cannot drop without swapping: what copy-on-write produces.
 * - swap: bytes of pages whose page-table entry is a swap entry.
 * - ksm: bytes of resident pages that KSM merged (kpageflags KSM; smaps' KSM: line counts the
 *   same, without the zero pages KSM may place): each mapping of a merged page counts, as in
 *   /proc/PID/ksm_merging_pages.
 *
 * Every counter is listed once, with its name, title and description, in counter-table.ts.
 */

/** Fixed-point shift of PSS, as in the kernel (PSS_SHIFT in fs/proc/task_mmu.c). */
export const PSS_SHIFT = 12;

/** Byte counters of one mapping, one process or all processes. PSS is kept in fixed point. */
export interface Counters {
  rssBytes: number;
  /** PSS in bytes << PSS_SHIFT; use pssBytes() to read it. */
  pssFixed: number;
  ussBytes: number;
  sharedBytes: number;
  sharedCleanBytes: number;
  sharedDirtyBytes: number;
  privateCleanBytes: number;
  privateDirtyBytes: number;
  swapBytes: number;
  anonBytes: number;
  fileBytes: number;
  shmemBytes: number;
  ksmBytes: number;
}

/** How much of a process memtop could read. */
export type Access =
  /** pagemap with PFNs, kpagecount and kpageflags: every page's map count is known. */
  | 'pages'
  /** pagemap flags without PFNs (a plain user's own process); byte counters come from smaps. */
  | 'flags'
  /** pagemap and smaps refused (another user's process): only statm's RSS is known. */
  | 'restricted';

/**
 * The pages of one process that are present or swapped, column by column; a mapping owns the
 * rows mapping.pageBegin .. mapping.pageEnd - 1. Sparse: pages never touched are not stored.
 */
export interface PageTable {
  count: number;
  /** Page index inside its mapping: address = mapping.start + pageIndex * pageSize. */
  pageIndex: Uint32Array;
  /** pagemap bits 55..63 shifted down (see PM_* in page-bits.ts). */
  pagemapBits: Uint16Array;
  /** kpageflags bits 0..31 (only the stable 0..26 are used); 0 when unknown. */
  kpageFlags: Uint32Array;
  /** kpagecount; 0 for the zero page, for non-present pages, and when unknown. */
  mapCount: Uint32Array;
  /** Page frame number; 0 when the kernel hid it (no CAP_SYS_ADMIN) or for swap entries. */
  pfn: Float64Array;
}

/** One line of /proc/PID/maps. Addresses are exact numbers: user space ends below 2^57. */
export interface MapsEntry {
  start: number;
  end: number;
  perms: string;
  offset: number;
  dev: string;
  inode: number;
  /** As the kernel prints it: '' for anonymous, '[heap]', '[anon:name]', a path, maybe ' (deleted)'. */
  path: string;
}

export interface Mapping extends MapsEntry {
  counters: Counters;
  /** Row range of this mapping's pages in the process's PageTable (empty when no pages were read). */
  pageBegin: number;
  pageEnd: number;
}

export interface ProcessInfo {
  pid: number;
  /** Null when unknown (stat gave no parent pid the kernel writes). */
  ppid: number | null;
  /** Start time in clock ticks since boot: with pid, the identity of a process across samples. */
  startTime: number;
  state: string;
  comm: string;
  cmdline: string;
  /** Effective uid; null when unknown (status had no Uid: line). */
  uid: number | null;
  /** The uid's name, the uid where it has none, "?" when the uid is unknown. */
  user: string;
}

export interface ProcessSample extends ProcessInfo {
  access: Access;
  totals: Counters;
  /** Present when mappings were sampled. */
  mappings?: Mapping[];
  /** Present when per-page data was read. */
  pages?: PageTable;
  /**
   * Set when this sample did not read the process's pages (a sample within a CPU budget reads
   * some processes from /proc/PID/status alone): when the per-page counters (PSS, USS, shared,
   * clean/dirty), mappings and pages were read, ms since the epoch; NaN when they never were
   * (they are then unknown). RSS, swap, anon, file and shmem are the status's, read in this
   * sample. Absent: everything was read in this sample.
   */
  scannedAtMs?: number;
}

export interface SystemTotals {
  memTotalBytes: number;
  memAvailableBytes: number;
  /** Σ RSS of the listed processes. */
  rssBytes: number;
  /** Σ PSS of the listed processes (fixed point, like Counters.pssFixed). */
  pssFixed: number;
  /** Σ RSS − Σ PSS: what page sharing saves (only meaningful over processes with known PSS). */
  sharingSavesBytes: number;
  /** Listed processes left out of the sums: restricted, their PSS unknown. */
  restrictedProcesses: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  anonHugePagesBytes: number;
}

export interface Snapshot {
  /** Wall-clock time of the sample, ms since the epoch (passed in, never read by the model). */
  timeMs: number;
  /** How long the sample took, ms. */
  costMs: number;
  /** CPU time the sample took, ms, all of memtop's threads (absent where not measured). */
  cpuMs?: number;
  kernel: string;
  hostname: string;
  pageSize: number;
  /** True when PFNs, kpagecount and kpageflags could be read. */
  privileged: boolean;
  /** Notices for the user: what is missing and why. */
  notices: string[];
  processes: ProcessSample[];
  totals: SystemTotals;
}

/** What the sampler read of one process, before any accounting. */
export interface RawProcess {
  info: ProcessInfo;
  access: Access;
  maps?: MapsEntry[];
  /** 'pages' and 'flags' access: the pages read from pagemap (and kpage* when 'pages'). */
  pages?: PageTable;
  /** Row range [begin, end) of each maps entry in `pages`, two numbers per entry. */
  pageRanges?: Uint32Array;
  /**
   * 'pages' access without a kept page table: the counters of each maps entry, already
   * accounted page by page with accountPages() (COUNTER_SLOTS numbers per entry, in
   * COUNTER_KEYS order). `maps` may then be absent when mappings were not asked for.
   */
  mappingCounters?: Float64Array;
  /** 'flags' access: /proc/PID/smaps_rollup fields, in bytes. */
  smapsRollup?: Record<string, number>;
  /** 'flags' access with mappings: /proc/PID/smaps fields of each maps entry, in bytes. */
  smapsMappings?: Record<string, number>[];
  /** 'restricted' access: RSS from /proc/PID/statm, in bytes. */
  statmRssBytes?: number;
  /**
   * A process whose pages this sample did not read: what /proc/PID/status says of its memory,
   * in bytes (VmRSS, RssAnon, RssFile, RssShmem, VmSwap).
   */
  statusMemory?: StatusMemory;
}

/** A process's memory as /proc/PID/status counts it, in bytes: no page table walk. */
export interface StatusMemory {
  rssBytes: number;
  anonBytes: number;
  fileBytes: number;
  shmemBytes: number;
  swapBytes: number;
}

/** What the sampler read of the system besides processes. */
export interface RawSystem {
  timeMs: number;
  costMs: number;
  cpuMs?: number;
  kernel: string;
  hostname: string;
  pageSize: number;
  privileged: boolean;
  notices: string[];
  /** /proc/meminfo in bytes. */
  meminfo: Record<string, number>;
}
