import { performance } from 'node:perf_hooks';
import { COUNTER_SLOTS } from '../model/counters.js';
import { INFERRED_ANON_FLAGS, PM_EXCLUSIVE, PM_FILE } from '../model/page-bits.js';
import type { PageTable } from '../model/types.js';
import { BufferStore, UNIT_FIELDS, type EngineArrays } from './page-buffers.js';
import {
  CHUNK_ENTRIES,
  ITEM_DENIED,
  ITEM_ENTRIES,
  ITEM_FIELDS,
  ITEM_FIND,
  ITEM_FIRST_PAGE,
  ITEM_OK,
  ITEM_READ_ENTRIES,
  ITEM_READS,
  ITEM_SCANS,
  ITEM_SEG_END,
  ITEM_VANISHED,
  PAGEMAP_GAP,
  SEG_FIELDS,
  SEG_FLAGS,
  SEG_INFER_ANON,
  SEG_KEPT,
  SEG_ROWS,
  SEG_SLOT,
  accountSegment,
  decodeItem,
  indexBlocks,
  newScratch,
  readMarked,
  splitBlocks,
  type EngineContext,
} from './page-engine.js';
import { PHASE_ACCOUNT, PHASE_KPAGE, PHASE_PAGEMAP, WorkerPool } from './page-workers.js';
import type { ReadRunsFunction, ScanFunction } from './pagemap-scan.js';
import { correctMapCounts, type ObserverSource } from './observer.js';
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
  /**
   * In kept rows too (with inferAnon). Exact for what is read of kept rows' flags but the names
   * the page view lists: kind, dirtiness and class, and, while no anonymous page on the system
   * is part of a large folio or merged by KSM, the page map's THP and KSM states. The sampler
   * asks it for every process but the one in focus, whose flags are shown page by page.
   */
  keptInferAnon?: boolean;
  /**
   * The pages it holds (VmRSS + VmSwap), when known: how densely its mappings are populated,
   * which decides whether PAGEMAP_SCAN is worth its cost (see SCAN_MAX_DENSITY).
   */
  residentPages?: number;
}

/**
 * When PAGEMAP_SCAN finds the populated ranges first. It costs ~12–30 ns for each populated
 * page (it visits every entry of each page table it finds) and a few µs a call, and saves
 * the read and the decoding of each hole entry (a few ns each, least where whole page tables
 * are missing). Measured: a process of dense mappings takes ~15% longer with it; PostgreSQL
 * backends, a fifth of whose entries are populated, about the same; a 64 GiB region with
 * 8 MiB written, 18 times less. 'auto' uses it for the items of processes whose resident and
 * swapped pages are at most SCAN_MAX_DENSITY of the entries to read, 'always' for every item
 * (tests, measurements).
 */
export type ScanMode = 'auto' | 'always';
export const SCAN_MAX_DENSITY = 1 / 4;
/** Smaller items are read whole: a call costs about as much as reading this many holes. */
export const SCAN_MIN_ENTRIES = 1024;

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
  /** pagemap reads (syscalls) and the entries they asked for. */
  pagemapReads: number;
  pagemapEntries: number;
  /**
   * Entries of the address ranges to read (what reading them whole costs); more than
   * pagemapEntries when PAGEMAP_SCAN left holes out.
   */
  pagemapRangeEntries: number;
  /** PAGEMAP_SCAN calls (0 when pagemap is read without it). */
  pagemapScans: number;
  /** Rows stored (pages that needed more than pagemap to be counted). */
  rows: number;
  /** Distinct PFNs looked up in kpagecount and in kpageflags. */
  countLookups: number;
  flagLookups: number;
  /** Processes read again with their PROT_NONE mappings, which held pages. */
  protNoneRereads: number;
  /**
   * The observer's own page-table mappings taken out of the map counts (observer.ts), and the
   * PFNs whose count was read again because the observer's mapping of them changed meanwhile.
   */
  observerPages: number;
  observerRereads: number;
  /** Threads that took part (1: the main thread alone). */
  threads: number;
  /** Wall time of each phase, ms: planning, pagemap, kpage*, accounting, results. */
  phaseMs: [number, number, number, number, number];
}

export function emptyPageStats(): PageSampleStats {
  return {
    pagemapReads: 0,
    pagemapEntries: 0,
    pagemapRangeEntries: 0,
    pagemapScans: 0,
    rows: 0,
    countLookups: 0,
    flagLookups: 0,
    protNoneRereads: 0,
    observerPages: 0,
    observerRereads: 0,
    threads: 1,
    phaseMs: [0, 0, 0, 0, 0],
  };
}

/**
 * Below this many pagemap entries a sample is read by the main thread alone: waking the
 * workers would cost more than they save.
 */
export const MIN_PARALLEL_ENTRIES = 1 << 18;
/** Accounting units of about this many rows. */
const ROWS_PER_ACCOUNT_UNIT = 1 << 14;
/** kpage units per thread (the marked PFNs are unevenly spread over the blocks). */
const KPAGE_UNITS_PER_THREAD = 16;

/**
 * Reads pagemap, kpagecount and kpageflags for a set of processes (see page-engine.ts). One
 * instance per sampler: the PFN indexes, buffers and worker threads are reused sample after
 * sample.
 */
export class PageSampler {
  readonly maxPfn: number;
  private readonly countIndex: PfnIndex;
  private readonly flagsIndex: PfnIndex;
  private readonly ctx: EngineContext;
  private readonly store: BufferStore;
  private readonly pool: WorkerPool | undefined;
  /** PFNs whose map count the observer's correction brought down to 1 (made when first needed). */
  private single: PfnIndex | undefined;
  /** Past the index's limit (hosts above 16 TiB): the observer's mappings of each PFN. */
  private observedBeyond = new Map<number, number>();
  /** Added up over run() calls until the caller resets it. */
  stats: PageSampleStats = emptyPageStats();

  /**
   * `threads`: threads to read with, this one included (1: no workers); samples of fewer than
   * `parallelMinEntries` pagemap entries are read by this thread alone. `scan`: PAGEMAP_SCAN
   * (pagemap-scan.ts), to read pagemap only where pages are; the workers load it themselves.
   */
  constructor(
    private readonly countFd: number,
    private readonly flagsFd: number,
    private readonly pageSize: number,
    threads: number,
    private readonly parallelMinEntries = MIN_PARALLEL_ENTRIES,
    scan?: ScanFunction,
    private readonly scanMode: ScanMode = 'auto',
    readRuns?: ReadRunsFunction,
  ) {
    this.maxPfn = readMaxPfn(countFd);
    const shared = threads > 1;
    const countBuffers = allocatePfnIndexBuffers(this.maxPfn, shared);
    const flagsBuffers = allocatePfnIndexBuffers(this.maxPfn, shared);
    this.countIndex = new PfnIndex(countBuffers);
    this.flagsIndex = new PfnIndex(flagsBuffers);
    this.store = new BufferStore(shared);
    this.ctx = {
      countIndex: this.countIndex,
      flagsIndex: this.flagsIndex,
      maxPfn: this.maxPfn,
      shared: false,
      ...newScratch(),
      countFd,
      flagsFd,
      pageSize,
      scan,
      readRuns,
    };
    this.pool = shared
      ? new WorkerPool(threads - 1, {
          countIndex: countBuffers,
          flagsIndex: flagsBuffers,
          countFd,
          flagsFd,
          pageSize,
          maxPfn: this.maxPfn,
          pagemapScan: scan !== undefined,
          nativeReads: readRuns !== undefined,
        })
      : undefined;
  }

  close(): void {
    this.pool?.close();
  }

  /** Resolves once the worker threads (if any) have started and can take work. */
  whenReady(): Promise<void> {
    return this.pool?.ready ?? Promise.resolve();
  }

  /**
   * Every job's rows are kept, asked for or not: above 16 TiB of physical address space the
   * compact rows' 32-bit PFNs do not suffice.
   */
  get keepsEveryRow(): boolean {
    return this.maxPfn > MAX_INDEXED_PFN;
  }

  /**
   * Reads the jobs' pages. With an observer, its own page-table mappings are taken out of every
   * map count (observer.ts): the counts are those of a system without it.
   */
  run(jobs: readonly PageJob[], observer?: ObserverSource): PageJobResult[] {
    const t0 = performance.now();
    const wide = this.keepsEveryRow;
    const plan = planReads(jobs, this.pageSize, wide, this.store, this.scanMode);
    const pool =
      this.pool?.usable && plan.entries >= this.parallelMinEntries ? this.pool : undefined;
    const ctx = this.ctx;
    ctx.shared = pool !== undefined;
    const phase = (kind: number, units: number, run: (unit: number) => void) => {
      if (!pool) {
        for (let unit = 0; unit < units; unit++) run(unit);
        return;
      }
      if (this.store.changed) pool.sendBuffers(this.store.bufferSet());
      threads = Math.max(threads, pool.runPhase(kind, units, run));
    };
    let threads = 1;
    this.countIndex.clear();
    this.flagsIndex.clear();
    let a: EngineArrays = this.store.arrays;
    this.single?.clear();
    this.observedBeyond.clear();
    observer?.begin();
    const t1 = performance.now();
    phase(PHASE_PAGEMAP, plan.items, (item) => decodeItem(a, item, ctx));
    const t2 = performance.now();

    const countLookups = this.countIndex.finalize();
    const flagLookups = this.flagsIndex.finalize();
    this.store.ensure('counts', countLookups);
    this.store.ensure('flags', flagLookups);
    const parts = pool ? (pool.size + 1) * KPAGE_UNITS_PER_THREAD : 1;
    const kpageUnits: number[] = [];
    for (const [kind, index] of [
      [0, this.countIndex],
      [1, this.flagsIndex],
    ] as const) {
      if (index.size === 0) continue;
      const bounds = pool ? splitBlocks(index, parts) : [0, indexBlocks(index)];
      for (let b = 0; b + 1 < bounds.length; b++) kpageUnits.push(kind, bounds[b]!, bounds[b + 1]!);
    }
    const accountUnits: number[] = [];
    for (let s = 0; s < plan.segs;) {
      let rows = 0;
      const from = s;
      while (s < plan.segs && rows < ROWS_PER_ACCOUNT_UNIT) {
        rows += this.store.arrays.segs[s * SEG_FIELDS + SEG_ROWS]! + 1;
        s++;
      }
      accountUnits.push(2, from, s);
    }
    this.store.ensure('units', Math.max(kpageUnits.length, accountUnits.length));
    a = this.store.arrays;
    a.units.set(kpageUnits);
    phase(PHASE_KPAGE, kpageUnits.length / UNIT_FIELDS, (u) => {
      const at = u * UNIT_FIELDS;
      const flags = a.units[at] === 1;
      readMarked(
        flags ? this.flagsIndex : this.countIndex,
        flags ? this.flagsFd : this.countFd,
        a.units[at + 1]!,
        a.units[at + 2]!,
        flags ? a.flags : a.counts,
        ctx,
      );
    });
    // Every kpage unit is done, no accounting unit has started: the workers see the corrected
    // counts only.
    if (observer) this.correct(observer, a.counts);
    const t3 = performance.now();
    a.units.set(accountUnits);
    phase(PHASE_ACCOUNT, accountUnits.length / UNIT_FIELDS, (u) => {
      const at = u * UNIT_FIELDS;
      // Small integers (the table is a Float64Array): the engine's feedback stays Smi.
      for (let s = a.units[at + 1]! | 0, end = a.units[at + 2]! | 0; s < end; s++) {
        accountSegment(a, s, a.counts, a.flags, ctx);
      }
    });

    const t4 = performance.now();
    let rows = 0;
    for (let s = 0; s < plan.segs; s++) rows += a.segs[s * SEG_FIELDS + SEG_ROWS]!;
    const stats = this.stats;
    for (let at = 0; at < plan.items * ITEM_FIELDS; at += ITEM_FIELDS) {
      stats.pagemapReads += a.items[at + ITEM_READS]!;
      stats.pagemapEntries += a.items[at + ITEM_READ_ENTRIES]!;
      stats.pagemapScans += a.items[at + ITEM_SCANS]!;
    }
    stats.pagemapRangeEntries += plan.entries;
    stats.rows += rows;
    stats.countLookups += countLookups;
    stats.flagLookups += flagLookups;
    stats.threads = Math.max(stats.threads, threads);
    const results = jobs.map((job, j) =>
      this.collect(job.kept || wide, job.ranges.count, j, plan, a),
    );
    const t5 = performance.now();
    const ms = stats.phaseMs;
    ms[0] += t1 - t0;
    ms[1] += t2 - t1;
    ms[2] += t3 - t2;
    ms[3] += t4 - t3;
    ms[4] += t5 - t4;
    return results;
  }

  private correct(observer: ObserverSource, counts: Uint32Array): void {
    const observed = observer.end();
    this.single ??= new PfnIndex(allocatePfnIndexBuffers(this.maxPfn, false));
    this.observedBeyond = correctMapCounts(
      this.countIndex,
      counts,
      observed,
      this.countFd,
      this.ctx,
      this.single,
    );
    this.stats.observerPages += observed.mapped.length;
    this.stats.observerRereads += observed.changed.length;
  }

  private collect(
    kept: boolean,
    maps: number,
    j: number,
    plan: ReadPlan,
    a: EngineArrays,
  ): PageJobResult {
    const [itemBegin, itemEnd] = [plan.jobItems[2 * j]!, plan.jobItems[2 * j + 1]!];
    for (let item = itemBegin; item < itemEnd; item++) {
      const status = a.itemStatus[item]!;
      if (status === ITEM_VANISHED) return { status: 'vanished' };
      if (status === ITEM_DENIED) return { status: 'denied' };
      if (status !== ITEM_OK) throw new Error(`pagemap read item ${item} failed`);
    }
    const [segBegin, segEnd] = [plan.jobSegs[2 * j]!, plan.jobSegs[2 * j + 1]!];
    if (!kept) {
      const acc = new Float64Array(maps * COUNTER_SLOTS);
      const segMapping = plan.segMapping;
      const sums = a.segCounters;
      for (let s = segBegin; s < segEnd;) {
        const m = segMapping[s]!;
        let e = s + 1;
        while (e < segEnd && segMapping[e] === m) e++;
        if (e - s > 1) {
          // A mapping cut into several segments: add them up.
          for (let t = s; t < e; t++) {
            for (let k = 0; k < COUNTER_SLOTS; k++) {
              acc[m * COUNTER_SLOTS + k]! += sums[t * COUNTER_SLOTS + k]!;
            }
          }
          s = e;
          continue;
        }
        // A run of consecutive mappings read as one segment each (most of them): one copy.
        while (e < segEnd && segMapping[e] === segMapping[e - 1]! + 1) {
          if (e + 1 < segEnd && segMapping[e + 1] === segMapping[e]) break;
          e++;
        }
        acc.set(sums.subarray(s * COUNTER_SLOTS, e * COUNTER_SLOTS), m * COUNTER_SLOTS);
        s = e;
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
    const inferAnon =
      segEnd > segBegin && (a.segs[segBegin * SEG_FIELDS + SEG_FLAGS]! & SEG_INFER_ANON) !== 0;
    this.resolveKept(pages, a.counts, a.flags, inferAnon);
    return { status: 'ok', pages, pageRanges };
  }

  /** mapCount and kpageFlags of every present page of a kept table. */
  private resolveKept(
    pages: PageTable,
    counts: Uint32Array,
    flags: Uint32Array,
    inferAnon: boolean,
  ): void {
    const { countIndex, flagsIndex, maxPfn, single } = this;
    const limit = countIndex.limit;
    const { pfn, pagemapBits, mapCount, kpageFlags } = pages;
    for (let i = 0; i < pages.count; i++) {
      const p = pfn[i]!;
      if (p === 0) continue;
      if (p < limit) {
        // Exclusive pages were not looked up in kpagecount (see decodeKept): map count 1.
        mapCount[i] = pagemapBits[i]! & PM_EXCLUSIVE ? 1 : counts[countIndex.rank(p)]!;
        // Shared with the observer alone: exclusive, as pagemap would say without it.
        if (single?.has(p)) pagemapBits[i]! |= PM_EXCLUSIVE;
        // Anonymous pages' flags were not looked up where inferred (see decodeKept).
        kpageFlags[i] =
          inferAnon && !(pagemapBits[i]! & PM_FILE)
            ? INFERRED_ANON_FLAGS
            : flags[flagsIndex.rank(p)]!;
      } else if (p < maxPfn) {
        const { bytes, words } = this.ctx;
        const count = preadFully(this.countFd, bytes, 8, p * 8) === 8 ? words[0]! : 0;
        const observed = this.observedBeyond.get(p) ?? 0;
        mapCount[i] = count > 1 ? Math.max(1, count - observed) : count;
        kpageFlags[i] = preadFully(this.flagsFd, bytes, 8, p * 8) === 8 ? words[0]! : 0;
      }
    }
  }
}

interface ReadPlan {
  items: number;
  segs: number;
  /** Per segment: its mapping's index in its job. */
  segMapping: Int32Array;
  /** Per job: [first, end) item and segment. */
  jobItems: Int32Array;
  jobSegs: Int32Array;
  /** pagemap entries to read. */
  entries: number;
}

/**
 * Lays the reads out in the store: each scanned mapping is cut into pieces of at most
 * CHUNK_ENTRIES; pieces of one process closer than PAGEMAP_GAP pages share a read (one syscall
 * for many small mappings). Each piece is a segment with its own row slots.
 */
function planReads(
  jobs: readonly PageJob[],
  pageSize: number,
  wide: boolean,
  store: BufferStore,
  scanMode: ScanMode,
): ReadPlan {
  const items: number[] = [];
  const segs: number[] = [];
  const segMapping: number[] = [];
  const jobItems = new Int32Array(jobs.length * 2);
  const jobSegs = new Int32Array(jobs.length * 2);
  let cSlots = 0;
  let kSlots = 0;
  let entries = 0;
  jobs.forEach((job, j) => {
    const kept = job.kept || wide;
    const infer = job.inferAnon && (!kept || job.keptInferAnon === true);
    const segFlags = (kept ? SEG_KEPT : 0) | (infer ? SEG_INFER_ANON : 0);
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
          items.push(job.fd, p, len, segMapping.length, segMapping.length, 0, 0, 0, 0);
        } else {
          items[itemAt + ITEM_ENTRIES] = p + len - itemFirst;
        }
        const offset = p - items[itemAt + ITEM_FIRST_PAGE]!;
        segs.push(offset, len, kept ? kSlots : cSlots, segFlags, p - first, 0, 0);
        if (kept) kSlots += len;
        else cSlots += len;
        segMapping.push(m);
        items[itemAt + ITEM_SEG_END] = segMapping.length;
        p += len;
      }
    }
    jobItems[2 * j + 1] = items.length / ITEM_FIELDS;
    let jobEntries = 0;
    for (let at = jobItems[2 * j]! * ITEM_FIELDS; at < items.length; at += ITEM_FIELDS) {
      jobEntries += items[at + ITEM_ENTRIES]!;
    }
    const sparse =
      job.residentPages !== undefined && job.residentPages <= jobEntries * SCAN_MAX_DENSITY;
    for (let at = jobItems[2 * j]! * ITEM_FIELDS; at < items.length; at += ITEM_FIELDS) {
      const find =
        scanMode === 'always' || (sparse && items[at + ITEM_ENTRIES]! >= SCAN_MIN_ENTRIES);
      items[at + ITEM_FIND] = find ? 1 : 0;
    }
    jobSegs[2 * j + 1] = segMapping.length;
  });
  for (let at = 0; at < items.length; at += ITEM_FIELDS) entries += items[at + ITEM_ENTRIES]!;
  const itemCount = items.length / ITEM_FIELDS;
  const segCount = segMapping.length;
  store.ensure('items', items.length);
  store.ensure('itemStatus', itemCount);
  store.ensure('segs', segs.length);
  store.ensure('segCounters', segCount * COUNTER_SLOTS);
  store.ensure('cPfn', cSlots);
  store.ensure('cBits', cSlots);
  store.ensure('kIndex', kSlots);
  store.ensure('kBits', kSlots);
  store.ensure('kPfn', kSlots);
  store.arrays.items.set(items);
  store.arrays.segs.set(segs);
  return {
    items: itemCount,
    segs: segCount,
    segMapping: Int32Array.from(segMapping),
    jobItems,
    jobSegs,
    entries,
  };
}
