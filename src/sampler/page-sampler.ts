import { performance } from 'node:perf_hooks';
import { COUNTER_SLOTS } from '../model/counters.js';
import type { PageTable } from '../model/types.js';
import { BufferStore, UNIT_FIELDS, type EngineArrays } from './page-buffers.js';
import {
  finishKept,
  gatherSegments,
  newGather,
  type JobGather,
  type Lookups,
} from './page-collect.js';
import {
  CHUNK_ENTRIES,
  CLAIM_CAPACITY,
  CLAIM_COMPACT,
  CLAIM_FIELDS,
  CLAIM_KEPT,
  ITEM_DENIED,
  ITEM_ENTRIES,
  ITEM_FIELDS,
  ITEM_OK,
  ITEM_OVERFLOW,
  ITEM_READ_ENTRIES,
  ITEM_READS,
  ITEM_ROWS_NEEDED,
  ITEM_SCANS,
  ITEM_SEG_BEGIN,
  ITEM_SEG_END,
  ITEM_VANISHED,
  SEG_FIELDS,
  SEG_ROWS,
  accountSegment,
  decodeItem,
  indexBlocks,
  newScratch,
  readMarked,
  splitBlocks,
  type EngineContext,
} from './page-engine.js';
import {
  KEPT_ROW_WEIGHT,
  PIECE_ROW_BUDGET,
  PIECE_SEG_BUDGET,
  cutPieces,
  planReads,
  type Piece,
  type SkipReason,
} from './page-plan.js';
import { PHASE_ACCOUNT, PHASE_KPAGE, PHASE_PAGEMAP, WorkerPool } from './page-workers.js';
import type { ReadRunsFunction, ScanFunction } from './pagemap-scan.js';
import { correctMapCounts, type ObserverSource } from './observer.js';
import { MAX_INDEXED_PFN, PfnIndex, allocatePfnIndexBuffers } from './pfn-index.js';
import { preadFully } from './proc-files.js';
import { readMaxPfn } from './read-kpage.js';

export { SCAN_MAX_DENSITY, SCAN_MIN_ENTRIES } from './page-plan.js';

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
  /** See INFERRED_ANON_FLAGS: anonymous pages' flags may be inferred (processInference()). */
  inferAnon: boolean;
  /**
   * In kept rows too (with inferAnon). Exact for what is read of kept rows' flags but the names
   * the page view lists: kind, dirtiness, class and KSM, and, while no anonymous page on the
   * system is part of a large folio, the page map's THP state. The sampler asks it for every
   * process but the one in focus, whose flags are shown page by page (processInference()).
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

export type PageJobResult =
  | { status: 'vanished' | 'denied' }
  /** Not read: reading it would cost what its address space costs (see page-plan.ts). */
  | { status: 'skipped'; reason: SkipReason }
  | {
      status: 'ok';
      /** Asked to be kept, but read as counters only: a mapping past 2^32 pages. */
      unkept?: true;
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
  /** The size of a sample's pieces (see PIECE_ROW_BUDGET); smaller in tests. */
  pieceBudget = { rows: PIECE_ROW_BUDGET, segs: PIECE_SEG_BUDGET };

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

  /** The bytes of the engine's sample buffers (bounded: see PIECE_ROW_BUDGET). */
  get bufferBytes(): number {
    return this.store.bytes;
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
    this.single?.clear();
    this.observedBeyond.clear();
    observer?.begin();
    const wide = this.keepsEveryRow;
    const ctx = this.ctx;
    const plan = planReads(jobs, {
      pageSize: this.pageSize,
      wide,
      scanMode: this.scanMode,
      scan: ctx.scan,
      regions: ctx.regions,
    });
    const items = Float64Array.from(plan.items);
    const segs = Float64Array.from(plan.segs);
    const segMapping = Float64Array.from(plan.segMapping);
    let entries = 0;
    for (let at = 0; at < items.length; at += ITEM_FIELDS) entries += items[at + ITEM_ENTRIES]!;
    const pool = this.pool?.usable && entries >= this.parallelMinEntries ? this.pool : undefined;
    ctx.shared = pool !== undefined;
    const gathers = jobs.map((job, j) => newGather(job.ranges.count, plan.jobKept[j] === 1));
    const itemJob = new Int32Array(items.length / ITEM_FIELDS);
    jobs.forEach((_, j) => itemJob.fill(j, plan.jobItems[2 * j]!, plan.jobItems[2 * j + 1]!));
    const stats = this.stats;
    stats.pagemapScans += plan.scans;
    stats.pagemapRangeEntries += entries;
    const t1 = performance.now();
    stats.phaseMs[0] += t1 - t0;
    const pieces = cutPieces(plan, jobs.length, this.pieceBudget.rows, this.pieceBudget.segs);
    for (const piece of pieces) {
      this.runPiece(piece, { items, segs, segMapping, itemJob }, gathers, pool, observer);
    }
    const t5 = performance.now();
    const results = jobs.map((job, j): PageJobResult => {
      const skipped = plan.jobSkipped[j];
      if (skipped) return { status: 'skipped', reason: skipped };
      const g = gathers[j]!;
      if (g.status !== 'ok') return { status: g.status };
      const unkept = plan.jobUnkept[j] === 1 ? { unkept: true as const } : {};
      return g.kept
        ? { status: 'ok', ...finishKept(g), ...unkept }
        : { status: 'ok', mappingCounters: g.counters!, ...unkept };
    });
    stats.phaseMs[4] += performance.now() - t5;
    return results;
  }

  /** Takes the observer's mappings out of the counts just read (see correctMapCounts). */
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

  /** The three phases over one piece of a sample; its results go into `gathers`. */
  private runPiece(
    piece: Piece,
    laid: {
      items: Float64Array;
      segs: Float64Array;
      segMapping: Float64Array;
      itemJob: Int32Array;
    },
    gathers: JobGather[],
    pool: WorkerPool | undefined,
    observer: ObserverSource | undefined,
  ): void {
    const t0 = performance.now();
    const { items, segs, segMapping, itemJob } = laid;
    const store = this.store;
    const ctx = this.ctx;
    const itemCount = piece.end - piece.first;
    const segBase = items[piece.first * ITEM_FIELDS + ITEM_SEG_BEGIN]!;
    const segCount = items[(piece.end - 1) * ITEM_FIELDS + ITEM_SEG_END]! - segBase;
    store.ensure('items', itemCount * ITEM_FIELDS);
    store.ensure('itemStatus', itemCount);
    store.ensure('segs', segCount * SEG_FIELDS);
    store.ensure('segCounters', segCount * COUNTER_SLOTS);
    store.ensure('claims', CLAIM_FIELDS);
    // A piece's rows stay within the budget (and one item): so do the buffers, grown or not.
    const limit = this.pieceBudget.rows + CHUNK_ENTRIES;
    for (const name of ['cPfn', 'cBits'] as const) {
      store.ensure(name, piece.compactRows, false, limit);
    }
    for (const name of ['kIndex', 'kBits', 'kPfn'] as const) {
      store.ensure(
        name,
        piece.keptRows,
        false,
        this.pieceBudget.rows / KEPT_ROW_WEIGHT + CHUNK_ENTRIES,
      );
    }
    let a: EngineArrays = store.arrays;
    a.items.set(items.subarray(piece.first * ITEM_FIELDS, piece.end * ITEM_FIELDS));
    for (let at = 0; at < itemCount * ITEM_FIELDS; at += ITEM_FIELDS) {
      a.items[at + ITEM_SEG_BEGIN]! -= segBase;
      a.items[at + ITEM_SEG_END]! -= segBase;
    }
    a.segs.set(segs.subarray(segBase * SEG_FIELDS, (segBase + segCount) * SEG_FIELDS));
    const setCapacity = () => {
      a.claims[CLAIM_CAPACITY + CLAIM_COMPACT] = Math.min(a.cPfn.length, a.cBits.length);
      a.claims[CLAIM_CAPACITY + CLAIM_KEPT] = Math.min(
        a.kIndex.length,
        a.kBits.length,
        a.kPfn.length,
      );
    };
    a.claims[CLAIM_COMPACT] = a.claims[CLAIM_KEPT] = 0;
    setCapacity();
    let threads = 1;
    const phase = (kind: number, units: number, run: (unit: number) => void) => {
      if (!pool) {
        for (let unit = 0; unit < units; unit++) run(unit);
        return;
      }
      if (store.changed) pool.sendBuffers(store.bufferSet());
      threads = Math.max(threads, pool.runPhase(kind, units, run));
    };
    this.countIndex.clear();
    this.flagsIndex.clear();
    const t1 = performance.now();
    phase(PHASE_PAGEMAP, itemCount, (item) => decodeItem(a, item, ctx));
    // Items whose rows did not fit (a process grew since its status was read): more room, the
    // rows found so far kept, and those items read again here.
    for (;;) {
      const need = [0, 0];
      for (let item = 0; item < itemCount; item++) {
        if (a.itemStatus[item] !== ITEM_OVERFLOW) continue;
        const kept = gathers[itemJob[piece.first + item]!]!.kept;
        need[kept ? 1 : 0]! += a.items[item * ITEM_FIELDS + ITEM_ROWS_NEEDED]!;
      }
      if (need[0] === 0 && need[1] === 0) break;
      const compact = a.claims[CLAIM_COMPACT]! + need[0]!;
      const kept = a.claims[CLAIM_KEPT]! + need[1]!;
      for (const name of ['cPfn', 'cBits'] as const) store.ensure(name, compact, true);
      for (const name of ['kIndex', 'kBits', 'kPfn'] as const) store.ensure(name, kept, true);
      a = store.arrays;
      setCapacity();
      for (let item = 0; item < itemCount; item++) {
        if (a.itemStatus[item] === ITEM_OVERFLOW) decodeItem(a, item, ctx);
      }
    }
    const t2 = performance.now();

    const countLookups = this.countIndex.finalize();
    const flagLookups = this.flagsIndex.finalize();
    // One lookup at most a row.
    store.ensure('counts', countLookups, false, limit);
    store.ensure('flags', flagLookups, false, limit);
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
    a = store.arrays;
    for (let s = 0; s < segCount;) {
      let rows = 0;
      const from = s;
      while (s < segCount && rows < ROWS_PER_ACCOUNT_UNIT) {
        rows += a.segs[s * SEG_FIELDS + SEG_ROWS]! + 1;
        s++;
      }
      accountUnits.push(2, from, s);
    }
    store.ensure('units', Math.max(kpageUnits.length, accountUnits.length));
    a = store.arrays;
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
    // Every kpage unit of the piece is done, no accounting unit has started: the workers see
    // the corrected counts only.
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
    const stats = this.stats;
    for (let at = 0; at < itemCount * ITEM_FIELDS; at += ITEM_FIELDS) {
      stats.pagemapReads += a.items[at + ITEM_READS]!;
      stats.pagemapEntries += a.items[at + ITEM_READ_ENTRIES]!;
      stats.pagemapScans += a.items[at + ITEM_SCANS]!;
    }
    for (let s = 0; s < segCount; s++) stats.rows += a.segs[s * SEG_FIELDS + SEG_ROWS]!;
    stats.countLookups += countLookups;
    stats.flagLookups += flagLookups;
    stats.threads = Math.max(stats.threads, threads);
    const lookups: Lookups = {
      countIndex: this.countIndex,
      flagsIndex: this.flagsIndex,
      maxPfn: this.maxPfn,
      counts: a.counts,
      flags: a.flags,
      single: this.single,
      observedBeyond: this.observedBeyond,
      readOne: (which, pfn) => {
        const { bytes, words } = ctx;
        const fd = which === 0 ? this.countFd : this.flagsFd;
        return preadFully(fd, bytes, 8, pfn * 8) === 8 ? words[0]! : 0;
      },
    };
    // Each job's items in this piece, then its segments there.
    for (let item = 0; item < itemCount;) {
      const j = itemJob[piece.first + item]!;
      const g = gathers[j]!;
      const from = item;
      while (item < itemCount && itemJob[piece.first + item] === j) item++;
      for (let i = from; i < item && g.status === 'ok'; i++) {
        const status = a.itemStatus[i]!;
        if (status === ITEM_VANISHED) g.status = 'vanished';
        else if (status === ITEM_DENIED) g.status = 'denied';
        else if (status !== ITEM_OK) throw new Error(`pagemap read item ${i} failed`);
      }
      if (g.status !== 'ok') continue;
      const segFrom = a.items[from * ITEM_FIELDS + ITEM_SEG_BEGIN]!;
      const segTo = a.items[(item - 1) * ITEM_FIELDS + ITEM_SEG_END]!;
      gatherSegments(g, a, segFrom, segTo, segMapping, segBase, lookups);
    }
    const t5 = performance.now();
    const ms = stats.phaseMs;
    ms[0] += t1 - t0;
    ms[1] += t2 - t1;
    ms[2] += t3 - t2;
    ms[3] += t4 - t3;
    ms[4] += t5 - t4;
  }
}
