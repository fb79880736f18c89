/**
 * What the page engine hands back per process, gathered piece by piece (a process's read items
 * may fall in several pieces of a sample, page-plan.ts): counters added up per mapping, kept
 * rows copied out with their map counts and flags while the piece's kpage results are there.
 */
import { COUNTER_SLOTS } from '../model/counters.js';
import { INFERRED_ANON_FLAGS, PM_EXCLUSIVE, PM_FILE } from '../model/page-bits.js';
import type { PageTable } from '../model/types.js';
import type { EngineArrays } from './page-buffers.js';
import { SEG_FIELDS, SEG_FLAGS, SEG_INFER_ANON, SEG_ROWS, SEG_SLOT } from './page-engine.js';
import type { PfnIndex } from './pfn-index.js';

/** One process's results so far. */
export interface JobGather {
  status: 'ok' | 'vanished' | 'denied';
  maps: number;
  kept: boolean;
  /** Compact jobs: COUNTER_SLOTS per mapping. */
  counters?: Float64Array;
  /** Kept jobs: the rows of each piece, in address order, and the rows of each mapping. */
  chunks?: PageTable[];
  mappingRows?: Float64Array;
}

export function newGather(maps: number, kept: boolean): JobGather {
  return kept
    ? { status: 'ok', maps, kept, chunks: [], mappingRows: new Float64Array(maps) }
    : { status: 'ok', maps, kept, counters: new Float64Array(maps * COUNTER_SLOTS) };
}

export function emptyTable(count: number): PageTable {
  return {
    count,
    pageIndex: new Uint32Array(count),
    pagemapBits: new Uint16Array(count),
    kpageFlags: new Uint32Array(count),
    mapCount: new Uint32Array(count),
    pfn: new Float64Array(count),
  };
}

/** What resolving kept rows needs: this piece's kpage results and how to read the rest. */
export interface Lookups {
  countIndex: PfnIndex;
  flagsIndex: PfnIndex;
  maxPfn: number;
  counts: Uint32Array;
  flags: Uint32Array;
  /** PFNs shared with the observer alone (observer.ts): exclusive, as pagemap says without it. */
  single?: PfnIndex;
  /** Past the index's limit: the observer's mappings of each PFN, taken out of its count. */
  observedBeyond?: ReadonlyMap<number, number>;
  /** Reads one entry of kpagecount (0) or kpageflags (1) for a PFN the indexes do not hold. */
  readOne: (which: 0 | 1, pfn: number) => number;
}

/** Adds segments [segBegin, segEnd) of a piece (mappings in segMapping) to a job's results. */
export function gatherSegments(
  g: JobGather,
  a: EngineArrays,
  segBegin: number,
  segEnd: number,
  segMapping: Float64Array,
  segBase: number,
  lookups: Lookups,
): void {
  if (!g.kept) {
    const acc = g.counters!;
    const sums = a.segCounters;
    for (let s = segBegin; s < segEnd; s++) {
      const at = segMapping[segBase + s]! * COUNTER_SLOTS;
      for (let k = 0; k < COUNTER_SLOTS; k++) acc[at + k]! += sums[s * COUNTER_SLOTS + k]!;
    }
    return;
  }
  let total = 0;
  for (let s = segBegin; s < segEnd; s++) total += a.segs[s * SEG_FIELDS + SEG_ROWS]!;
  const pages = emptyTable(total);
  let row = 0;
  for (let s = segBegin; s < segEnd; s++) {
    const slot = a.segs[s * SEG_FIELDS + SEG_SLOT]!;
    const n = a.segs[s * SEG_FIELDS + SEG_ROWS]!;
    pages.pageIndex.set(a.kIndex.subarray(slot, slot + n), row);
    pages.pagemapBits.set(a.kBits.subarray(slot, slot + n), row);
    pages.pfn.set(a.kPfn.subarray(slot, slot + n), row);
    g.mappingRows![segMapping[segBase + s]!]! += n;
    row += n;
  }
  const inferAnon =
    segEnd > segBegin && (a.segs[segBegin * SEG_FIELDS + SEG_FLAGS]! & SEG_INFER_ANON) !== 0;
  resolveKept(pages, inferAnon, lookups);
  g.chunks!.push(pages);
}

/** mapCount and kpageFlags of every present page of a kept table. */
function resolveKept(pages: PageTable, inferAnon: boolean, lookups: Lookups): void {
  const { countIndex, flagsIndex, maxPfn, counts, flags, single, observedBeyond } = lookups;
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
      const count = lookups.readOne(0, p);
      const observed = observedBeyond?.get(p) ?? 0;
      mapCount[i] = count > 1 ? Math.max(1, count - observed) : count;
      kpageFlags[i] = lookups.readOne(1, p);
    }
  }
}

/** A kept job's page table (its pieces' rows one after another) and each mapping's row range. */
export function finishKept(g: JobGather): { pages: PageTable; pageRanges: Uint32Array } {
  const chunks = g.chunks!;
  let pages: PageTable;
  if (chunks.length === 1) {
    pages = chunks[0]!;
  } else {
    pages = emptyTable(chunks.reduce((n, c) => n + c.count, 0));
    let row = 0;
    for (const c of chunks) {
      pages.pageIndex.set(c.pageIndex, row);
      pages.pagemapBits.set(c.pagemapBits, row);
      pages.kpageFlags.set(c.kpageFlags, row);
      pages.mapCount.set(c.mapCount, row);
      pages.pfn.set(c.pfn, row);
      row += c.count;
    }
  }
  const pageRanges = new Uint32Array(g.maps * 2);
  let row = 0;
  for (let m = 0; m < g.maps; m++) {
    pageRanges[2 * m] = row;
    row += g.mappingRows![m]!;
    pageRanges[2 * m + 1] = row;
  }
  return { pages, pageRanges };
}
