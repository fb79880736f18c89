import { COUNTER_SLOTS } from '../model/counters.js';
import type { PageTable } from '../model/types.js';
import {
  CHUNK_ENTRIES,
  ITEM_DENIED,
  ITEM_ENTRIES,
  ITEM_FIELDS,
  ITEM_FIRST_PAGE,
  ITEM_OK,
  ITEM_SEG_END,
  ITEM_VANISHED,
  PAGEMAP_GAP,
  SEG_FIELDS,
  SEG_INFER_ANON,
  SEG_KEPT,
  SEG_ROWS,
  SEG_SLOT,
  accountSegment,
  decodeItem,
  indexBlocks,
  newScratch,
  readMarked,
  type EngineContext,
  type SampleArrays,
} from './page-engine.js';
import { MAX_INDEXED_PFN, PfnIndex, allocatePfnIndexBuffers } from './pfn-index.js';
import { preadFully } from './proc-files.js';
import { readMaxPfn } from './read-kpage.js';

/** User space ends below 2^56 even with 5-level paging; [vsyscall] lies above and is not memory. */
const USER_SPACE_END = 2 ** 56;

/** The address ranges of one process's mappings, in maps order. */
export interface MappingRanges {
  count: number;
  start: Float64Array;
  end: Float64Array;
  /** 1 where the mapping is PROT_NONE. */
  protNone: Uint8Array;
}

/** One process to read with PFNs. */
export interface PageJob {
  /** Its /proc/PID/pagemap, open. */
  fd: number;
  ranges: MappingRanges;
  /** Which mappings to read (1) or leave out (0); every mapping when absent. */
  scan?: Uint8Array;
  /** Keep its pages row by row (a PageTable), with kpagecount and kpageflags for each. */
  kept: boolean;
  /** See INFERRED_ANON_FLAGS: anonymous pages' flags may be inferred. */
  inferAnon: boolean;
}

export type PageJobResult =
  | { status: 'vanished' | 'denied' }
  | {
      status: 'ok';
      /** Kept jobs: the page table and the row range of each mapping. */
      pages?: PageTable;
      pageRanges?: Uint32Array;
      /** Other jobs: COUNTER_SLOTS counters per mapping. */
      mappingCounters?: Float64Array;
    };

/** How one sample's pages were read: the sampler's own cost figures. */
export interface PageSampleStats {
  /** pagemap reads (syscalls) and the entries they returned room for. */
  pagemapReads: number;
  pagemapEntries: number;
  /** Rows stored (pages that needed more than pagemap to be counted). */
  rows: number;
  /** Distinct PFNs looked up in kpagecount and in kpageflags. */
  countLookups: number;
  flagLookups: number;
  /** Processes read again with their PROT_NONE mappings, which held pages. */
  protNoneRereads: number;
}

export function emptyPageStats(): PageSampleStats {
  return {
    pagemapReads: 0,
    pagemapEntries: 0,
    rows: 0,
    countLookups: 0,
    flagLookups: 0,
    protNoneRereads: 0,
  };
}

/**
 * Reads pagemap, kpagecount and kpageflags for a set of processes (see page-engine.ts). One
 * instance per sampler: the PFN indexes and scratch buffers are reused sample after sample.
 */
export class PageSampler {
  readonly maxPfn: number;
  private readonly countIndex: PfnIndex;
  private readonly flagsIndex: PfnIndex;
  private readonly ctx: EngineContext;
  /** Added up over run() calls until the caller resets it. */
  stats: PageSampleStats = emptyPageStats();

  constructor(
    private readonly countFd: number,
    private readonly flagsFd: number,
    private readonly pageSize: number,
  ) {
    this.maxPfn = readMaxPfn(countFd);
    this.countIndex = new PfnIndex(allocatePfnIndexBuffers(this.maxPfn, false));
    this.flagsIndex = new PfnIndex(allocatePfnIndexBuffers(this.maxPfn, false));
    this.ctx = {
      countIndex: this.countIndex,
      flagsIndex: this.flagsIndex,
      maxPfn: this.maxPfn,
      shared: false,
      ...newScratch(),
      countFd,
      flagsFd,
      pageSize,
    };
  }

  run(jobs: readonly PageJob[]): PageJobResult[] {
    // Above 16 TiB of physical address space the compact rows' 32-bit PFNs do not suffice.
    const wide = this.maxPfn > MAX_INDEXED_PFN;
    const plan = planReads(jobs, this.pageSize, wide);
    const a = plan.arrays;
    const ctx = this.ctx;
    this.countIndex.clear();
    this.flagsIndex.clear();
    const itemCount = a.itemStatus.length;
    for (let item = 0; item < itemCount; item++) decodeItem(a, item, ctx);
    const counts = new Uint32Array(this.countIndex.finalize());
    const flags = new Uint32Array(this.flagsIndex.finalize());
    readMarked(this.countIndex, this.countFd, 0, indexBlocks(this.countIndex), counts, ctx);
    readMarked(this.flagsIndex, this.flagsFd, 0, indexBlocks(this.flagsIndex), flags, ctx);
    const segCount = plan.segJob.length;
    for (let s = 0; s < segCount; s++) accountSegment(a, s, counts, flags, ctx);
    let rows = 0;
    for (let s = 0; s < segCount; s++) rows += a.segs[s * SEG_FIELDS + SEG_ROWS]!;
    const stats = this.stats;
    stats.pagemapReads += itemCount;
    stats.pagemapEntries += plan.entries;
    stats.rows += rows;
    stats.countLookups += counts.length;
    stats.flagLookups += flags.length;
    return jobs.map((job, j) => this.collect(job, j, plan, counts, flags));
  }

  private collect(
    job: PageJob,
    j: number,
    plan: ReadPlan,
    counts: Uint32Array,
    flags: Uint32Array,
  ): PageJobResult {
    const a = plan.arrays;
    const [itemBegin, itemEnd] = [plan.jobItems[2 * j]!, plan.jobItems[2 * j + 1]!];
    for (let item = itemBegin; item < itemEnd; item++) {
      const status = a.itemStatus[item]!;
      if (status === ITEM_VANISHED) return { status: 'vanished' };
      if (status === ITEM_DENIED) return { status: 'denied' };
      if (status !== ITEM_OK) throw new Error(`pagemap read item ${item} failed`);
    }
    const [segBegin, segEnd] = [plan.jobSegs[2 * j]!, plan.jobSegs[2 * j + 1]!];
    const maps = job.ranges.count;
    if (!job.kept) {
      const acc = new Float64Array(maps * COUNTER_SLOTS);
      for (let s = segBegin; s < segEnd; s++) {
        const to = plan.segMapping[s]! * COUNTER_SLOTS;
        const from = s * COUNTER_SLOTS;
        for (let k = 0; k < COUNTER_SLOTS; k++) acc[to + k]! += a.segCounters[from + k]!;
      }
      return { status: 'ok', mappingCounters: acc };
    }
    let total = 0;
    for (let s = segBegin; s < segEnd; s++) total += a.segs[s * SEG_FIELDS + SEG_ROWS]!;
    const pages: PageTable = {
      count: total,
      pageIndex: new Uint32Array(total),
      pagemapBits: new Uint16Array(total),
      kpageFlags: new Uint32Array(total),
      mapCount: new Uint32Array(total),
      pfn: new Float64Array(total),
    };
    const pageRanges = new Uint32Array(maps * 2);
    let row = 0;
    let s = segBegin;
    for (let m = 0; m < maps; m++) {
      pageRanges[2 * m] = row;
      for (; s < segEnd && plan.segMapping[s] === m; s++) {
        const slot = a.segs[s * SEG_FIELDS + SEG_SLOT]!;
        const n = a.segs[s * SEG_FIELDS + SEG_ROWS]!;
        pages.pageIndex.set(a.kIndex.subarray(slot, slot + n), row);
        pages.pagemapBits.set(a.kBits.subarray(slot, slot + n), row);
        pages.pfn.set(a.kPfn.subarray(slot, slot + n), row);
        row += n;
      }
      pageRanges[2 * m + 1] = row;
    }
    this.resolveKept(pages, counts, flags);
    return { status: 'ok', pages, pageRanges };
  }

  /** mapCount and kpageFlags of every present page of a kept table. */
  private resolveKept(pages: PageTable, counts: Uint32Array, flags: Uint32Array): void {
    const { countIndex, flagsIndex, maxPfn } = this;
    const limit = countIndex.limit;
    const { pfn, mapCount, kpageFlags } = pages;
    for (let i = 0; i < pages.count; i++) {
      const p = pfn[i]!;
      if (p === 0) continue;
      if (p < limit) {
        mapCount[i] = counts[countIndex.rank(p)]!;
        kpageFlags[i] = flags[flagsIndex.rank(p)]!;
      } else if (p < maxPfn) {
        const { bytes, words } = this.ctx;
        mapCount[i] = preadFully(this.countFd, bytes, 8, p * 8) === 8 ? words[0]! : 0;
        kpageFlags[i] = preadFully(this.flagsFd, bytes, 8, p * 8) === 8 ? words[0]! : 0;
      }
    }
  }
}

interface ReadPlan {
  arrays: SampleArrays;
  /** Per segment: its mapping's index in its job. */
  segMapping: Int32Array;
  segJob: Int32Array;
  /** Per job: [first, end) item and segment. */
  jobItems: Int32Array;
  jobSegs: Int32Array;
  /** pagemap entries to read. */
  entries: number;
}

/**
 * Lays the reads out: each scanned mapping is cut into pieces of at most CHUNK_ENTRIES; pieces
 * of one process closer than PAGEMAP_GAP pages share a read (one syscall for many small
 * mappings). Each piece is a segment with its own row slots.
 */
function planReads(jobs: readonly PageJob[], pageSize: number, wide: boolean): ReadPlan {
  const items: number[] = [];
  const segs: number[] = [];
  const segMapping: number[] = [];
  const segJob: number[] = [];
  const jobItems = new Int32Array(jobs.length * 2);
  const jobSegs = new Int32Array(jobs.length * 2);
  let cSlots = 0;
  let kSlots = 0;
  let entries = 0;
  jobs.forEach((job, j) => {
    const kept = job.kept || wide;
    const segFlags = (kept ? SEG_KEPT : 0) | (job.inferAnon ? SEG_INFER_ANON : 0);
    jobItems[2 * j] = items.length / ITEM_FIELDS;
    jobSegs[2 * j] = segMapping.length;
    let itemAt = -1; // field offset of the open item
    const { start, end, count } = job.ranges;
    for (let m = 0; m < count; m++) {
      if (start[m]! >= USER_SPACE_END || (job.scan && !job.scan[m])) continue;
      const first = start[m]! / pageSize;
      const last = Math.min(end[m]!, USER_SPACE_END) / pageSize;
      for (let p = first; p < last;) {
        const len = Math.min(last - p, CHUNK_ENTRIES);
        const itemFirst = itemAt >= 0 ? items[itemAt + ITEM_FIRST_PAGE]! : 0;
        const itemEnd = itemAt >= 0 ? itemFirst + items[itemAt + ITEM_ENTRIES]! : 0;
        if (itemAt < 0 || p - itemEnd > PAGEMAP_GAP || p + len - itemFirst > CHUNK_ENTRIES) {
          itemAt = items.length;
          items.push(job.fd, p, len, segMapping.length, segMapping.length);
        } else {
          items[itemAt + ITEM_ENTRIES] = p + len - itemFirst;
        }
        const offset = p - items[itemAt + ITEM_FIRST_PAGE]!;
        segs.push(offset, len, kept ? kSlots : cSlots, segFlags, p - first, 0, 0);
        if (kept) kSlots += len;
        else cSlots += len;
        segMapping.push(m);
        segJob.push(j);
        items[itemAt + ITEM_SEG_END] = segMapping.length;
        p += len;
      }
    }
    jobItems[2 * j + 1] = items.length / ITEM_FIELDS;
    jobSegs[2 * j + 1] = segMapping.length;
  });
  for (let at = 0; at < items.length; at += ITEM_FIELDS) entries += items[at + ITEM_ENTRIES]!;
  const segCount = segMapping.length;
  return {
    arrays: {
      items: Float64Array.from(items),
      itemStatus: new Int32Array(items.length / ITEM_FIELDS),
      segs: Float64Array.from(segs),
      segCounters: new Float64Array(segCount * COUNTER_SLOTS),
      cPfn: new Uint32Array(cSlots),
      cBits: new Uint8Array(cSlots),
      kIndex: new Uint32Array(kSlots),
      kBits: new Uint16Array(kSlots),
      kPfn: new Float64Array(kSlots),
    },
    segMapping: Int32Array.from(segMapping),
    segJob: Int32Array.from(segJob),
    jobItems,
    jobSegs,
    entries,
  };
}
