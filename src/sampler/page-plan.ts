/**
 * Read planning for the page engine: which pagemap entries each read item covers, and the
 * pieces a sample is run in. What a process costs follows its resident pages, never its
 * address space: row slots are claimed as pages are found (page-engine.ts), a piece holds at
 * most PIECE_ROW_BUDGET rows' worth of them, and a mapping far larger than the pages its
 * process holds (a 16 TiB MAP_NORESERVE region, AddressSanitizer's shadow) is read only where
 * PAGEMAP_SCAN finds pages, when the native module is there.
 */
import { USER_SPACE_END } from '../model/address-space.js';
import {
  CHUNK_ENTRIES,
  ITEM_ENTRIES,
  ITEM_FIELDS,
  ITEM_FIND,
  ITEM_FIRST_PAGE,
  ITEM_SEG_BEGIN,
  ITEM_SEG_END,
  PAGEMAP_GAP,
  SCAN_REGIONS,
  SEG_FIELDS,
  SEG_INFER_ANON,
  SEG_KEPT,
} from './page-engine.js';
import { REGION_WORDS, type ScanFunction } from './pagemap-scan.js';
import type { PageJob, ScanMode } from './page-sampler.js';

const TWO_32 = 4294967296;

/** See PageJob.residentPages: when PAGEMAP_SCAN is worth its cost. */
export const SCAN_MAX_DENSITY = 1 / 4;
/** Smaller items are read whole: a call costs about as much as reading this many holes. */
export const SCAN_MIN_ENTRIES = 1024;
/**
 * A mapping of at least this many entries (8 GiB of 4 KiB pages) whose process holds at most
 * SCAN_MAX_DENSITY of them is scanned while planning, and read items are laid out over its
 * populated ranges alone: its cost is then that of its pages, whatever its size.
 */
export const GIANT_ENTRIES = 1 << 21;
/**
 * Entries a process may take to read in full, without PAGEMAP_SCAN (~5 ns a hole entry: ~40 s
 * for these 32 TiB of address space). A process beyond is shown from its status counters.
 */
export const MAX_PLAIN_ENTRIES = 2 ** 33;
/** Page indexes in a kept page table are 32-bit: a kept mapping holds at most this many pages. */
export const MAX_KEPT_MAPPING_PAGES = TWO_32;
/**
 * Rows a piece of a sample may hold, in compact-row units (a kept row counts as
 * KEPT_ROW_WEIGHT), and segments: the engine's buffers never grow past what one piece takes,
 * whatever the host holds. At most (each with one item of CHUNK_ENTRIES to spare): compact
 * rows 5 bytes each (~21 MiB), kept rows 14 bytes each for half as many (~29 MiB), kpage
 * results 8 bytes a row (~33 MiB), segments ~150 bytes each (~9 MiB). A host with more is
 * sampled in several pieces, whose only extra cost is a page shared across pieces being looked
 * up once in each.
 */
export const PIECE_ROW_BUDGET = 1 << 22;
export const KEPT_ROW_WEIGHT = 2;
export const PIECE_SEG_BUDGET = 1 << 16;

/** Why a process's pages are not read (it is then shown from its status counters). */
export type SkipReason = 'address-space';

export interface ReadPlan {
  /** ITEM_FIELDS per item, segment indexes into `segs`. */
  items: number[];
  /** SEG_FIELDS per segment (SEG_SLOT and what phase 1 writes left 0). */
  segs: number[];
  /** Per segment: its mapping's index in its job. */
  segMapping: number[];
  /** Per job: [first, end) item and segment. */
  jobItems: Int32Array;
  jobSegs: Int32Array;
  /** Per job: the most rows it can have (its resident and swapped pages, with some slack). */
  jobRowBound: Float64Array;
  /** Per job: 1 where its pages are kept row by row. */
  jobKept: Uint8Array;
  /** Per job: kept as asked, but read as counters only (a mapping past 2^32 pages). */
  jobUnkept: Uint8Array;
  /** Per job: set when its pages are not read. */
  jobSkipped: (SkipReason | undefined)[];
  /** PAGEMAP_SCAN calls made while planning. */
  scans: number;
}

export interface PlanOptions {
  pageSize: number;
  /** Every job is kept (PFNs past 32 bits). */
  wide: boolean;
  scanMode: ScanMode;
  scan: ScanFunction | undefined;
  /** page_region output for planning scans. */
  regions: Uint32Array;
}

/** At most how many rows a process holding `residentPages` can give (it may grow meanwhile). */
function rowBound(entries: number, residentPages: number | undefined): number {
  if (residentPages === undefined) return entries;
  return Math.min(entries, Math.ceil(residentPages * 1.125) + 1024);
}

/**
 * Lays the reads out: each mapping to read is cut into pieces of at most CHUNK_ENTRIES (only
 * its populated ranges, for a giant sparse mapping with PAGEMAP_SCAN); pieces of one process
 * closer than PAGEMAP_GAP pages share a read item (one syscall for many small mappings). Each
 * piece is a segment.
 */
export function planReads(jobs: readonly PageJob[], options: PlanOptions): ReadPlan {
  const { pageSize } = options;
  const plan: ReadPlan = {
    items: [],
    segs: [],
    segMapping: [],
    jobItems: new Int32Array(jobs.length * 2),
    jobSegs: new Int32Array(jobs.length * 2),
    jobRowBound: new Float64Array(jobs.length),
    jobKept: new Uint8Array(jobs.length),
    jobUnkept: new Uint8Array(jobs.length),
    jobSkipped: new Array<SkipReason | undefined>(jobs.length),
    scans: 0,
  };
  const { items, segs, segMapping } = plan;
  const canScan = options.scan !== undefined;
  jobs.forEach((job, j) => {
    plan.jobItems[2 * j] = plan.jobItems[2 * j + 1] = items.length / ITEM_FIELDS;
    plan.jobSegs[2 * j] = plan.jobSegs[2 * j + 1] = segMapping.length;
    const { start, end, count } = job.ranges;
    const resident = job.residentPages;
    // What reading each mapping would take, and which are giant and sparse.
    const giant = new Uint8Array(count);
    let plainEntries = 0;
    let largest = 0;
    for (let m = 0; m < count; m++) {
      if (start[m]! >= USER_SPACE_END || (job.scan && !job.scan[m])) continue;
      const entries = (Math.min(end[m]!, USER_SPACE_END) - start[m]!) / pageSize;
      largest = Math.max(largest, entries);
      if (
        canScan &&
        entries >= GIANT_ENTRIES &&
        resident !== undefined &&
        resident <= entries * SCAN_MAX_DENSITY
      ) {
        giant[m] = 1;
      } else {
        plainEntries += entries;
      }
    }
    let kept = job.kept || options.wide;
    if (kept && largest > MAX_KEPT_MAPPING_PAGES) {
      if (options.wide) plainEntries = Infinity;
      else {
        kept = false;
        plan.jobUnkept[j] = 1;
      }
    }
    if (plainEntries > MAX_PLAIN_ENTRIES) {
      plan.jobSkipped[j] = 'address-space';
      return;
    }
    plan.jobKept[j] = kept ? 1 : 0;
    const infer = job.inferAnon && (!kept || job.keptInferAnon === true);
    const segFlags = (kept ? SEG_KEPT : 0) | (infer ? SEG_INFER_ANON : 0);
    let itemAt = -1; // field offset of the open item
    const addRange = (m: number, mappingFirst: number, from: number, to: number) => {
      for (let p = from; p < to;) {
        const len = Math.min(to - p, CHUNK_ENTRIES);
        const itemFirst = itemAt >= 0 ? items[itemAt + ITEM_FIRST_PAGE]! : 0;
        const itemEnd = itemAt >= 0 ? itemFirst + items[itemAt + ITEM_ENTRIES]! : 0;
        if (itemAt < 0 || p - itemEnd > PAGEMAP_GAP || p + len - itemFirst > CHUNK_ENTRIES) {
          itemAt = items.length;
          items.push(job.fd, p, len, segMapping.length, segMapping.length, 0, 0, 0, 0, 0);
        } else {
          items[itemAt + ITEM_ENTRIES] = p + len - itemFirst;
        }
        const offset = p - items[itemAt + ITEM_FIRST_PAGE]!;
        segs.push(offset, len, 0, segFlags, p - mappingFirst, 0, 0);
        segMapping.push(m);
        items[itemAt + ITEM_SEG_END] = segMapping.length;
        p += len;
      }
    };
    for (let m = 0; m < count; m++) {
      if (start[m]! >= USER_SPACE_END || (job.scan && !job.scan[m])) continue;
      const first = start[m]! / pageSize;
      const last = Math.min(end[m]!, USER_SPACE_END) / pageSize;
      const found = giant[m] ? populatedRanges(job.fd, first, last, options) : undefined;
      if (giant[m] && found === undefined) {
        // The scan failed: read it whole, if the process stays within what that may take.
        plainEntries += last - first;
        if (plainEntries > MAX_PLAIN_ENTRIES) {
          items.length = plan.jobItems[2 * j]! * ITEM_FIELDS;
          segs.length = plan.jobSegs[2 * j]! * SEG_FIELDS;
          segMapping.length = plan.jobSegs[2 * j]!;
          plan.jobSkipped[j] = 'address-space';
          return;
        }
      }
      if (found) {
        plan.scans += found.calls;
        for (let r = 0; r < found.ranges.length; r += 2) {
          addRange(m, first, found.ranges[r]!, found.ranges[r + 1]!);
        }
      } else {
        addRange(m, first, first, last);
      }
    }
    plan.jobItems[2 * j + 1] = items.length / ITEM_FIELDS;
    plan.jobSegs[2 * j + 1] = segMapping.length;
    let jobEntries = 0;
    for (let at = plan.jobItems[2 * j]! * ITEM_FIELDS; at < items.length; at += ITEM_FIELDS) {
      jobEntries += items[at + ITEM_ENTRIES]!;
    }
    plan.jobRowBound[j] = rowBound(jobEntries, resident);
    const sparse = resident !== undefined && resident <= jobEntries * SCAN_MAX_DENSITY;
    for (let at = plan.jobItems[2 * j]! * ITEM_FIELDS; at < items.length; at += ITEM_FIELDS) {
      const find =
        options.scanMode === 'always' || (sparse && items[at + ITEM_ENTRIES]! >= SCAN_MIN_ENTRIES);
      items[at + ITEM_FIND] = find ? 1 : 0;
    }
  });
  return plan;
}

/**
 * The populated ranges of pages [first, last) of a process, as [from, to) page pairs, those
 * closer than PAGEMAP_GAP merged; undefined when a PAGEMAP_SCAN call failed.
 */
function populatedRanges(
  fd: number,
  first: number,
  last: number,
  options: PlanOptions,
): { ranges: number[]; calls: number } | undefined {
  const { regions, pageSize } = options;
  const scan = options.scan!;
  const ranges: number[] = [];
  const end = last * pageSize;
  let from = first * pageSize;
  let calls = 0;
  for (;;) {
    const found = scan(fd, from, end, regions);
    calls++;
    if (found < 0) return undefined;
    for (let r = 0; r < found; r++) {
      const w = r * REGION_WORDS;
      const start = (regions[w]! + regions[w + 1]! * TWO_32) / pageSize;
      const stop = (regions[w + 2]! + regions[w + 3]! * TWO_32) / pageSize;
      const n = ranges.length;
      if (n > 0 && start - ranges[n - 1]! <= PAGEMAP_GAP) ranges[n - 1] = stop;
      else ranges.push(start, stop);
    }
    if (found < SCAN_REGIONS) break;
    const w = (found - 1) * REGION_WORDS;
    from = regions[w + 2]! + regions[w + 3]! * TWO_32;
    if (from >= end) break;
  }
  return { ranges, calls };
}

/** A piece of a sample: items [first, end) and the row slots of each kind it may need. */
export interface Piece {
  first: number;
  end: number;
  compactRows: number;
  keptRows: number;
}

/**
 * Cuts the plan's items into pieces, in order, each holding at most PIECE_ROW_BUDGET rows'
 * worth (a job's rows in a piece are at most both its entries there and its row bound) and
 * PIECE_SEG_BUDGET segments, but at least one item.
 */
export function cutPieces(
  plan: ReadPlan,
  jobCount: number,
  rowBudget = PIECE_ROW_BUDGET,
  segBudget = PIECE_SEG_BUDGET,
): Piece[] {
  const pieces: Piece[] = [];
  let piece: Piece = { first: 0, end: 0, compactRows: 0, keptRows: 0 };
  let segCount = 0;
  const items = plan.items;
  for (let j = 0; j < jobCount; j++) {
    const kept = plan.jobKept[j] === 1;
    const weight = kept ? KEPT_ROW_WEIGHT : 1;
    const bound = plan.jobRowBound[j]!;
    let jobEntries = 0; // of this job, in the open piece
    for (let item = plan.jobItems[2 * j]!; item < plan.jobItems[2 * j + 1]!; item++) {
      const at = item * ITEM_FIELDS;
      const entries = items[at + ITEM_ENTRIES]!;
      const segs = items[at + ITEM_SEG_END]! - items[at + ITEM_SEG_BEGIN]!;
      let rows = Math.min(jobEntries + entries, bound) - Math.min(jobEntries, bound);
      const weighted = piece.compactRows + KEPT_ROW_WEIGHT * piece.keptRows + weight * rows;
      if (item > piece.first && (weighted > rowBudget || segCount + segs > segBudget)) {
        piece.end = item;
        pieces.push(piece);
        piece = { first: item, end: item, compactRows: 0, keptRows: 0 };
        segCount = 0;
        jobEntries = 0;
        rows = Math.min(entries, bound);
      }
      if (kept) piece.keptRows += rows;
      else piece.compactRows += rows;
      segCount += segs;
      jobEntries += entries;
    }
  }
  piece.end = items.length / ITEM_FIELDS;
  if (piece.end > piece.first) pieces.push(piece);
  return pieces;
}
