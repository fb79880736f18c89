/**
 * The per-page work of a privileged sample, as three phases over flat buffers, so that any
 * thread can run any part of a phase (work items are claimed one at a time):
 *
 * 1. pagemap: each read item spans up to CHUNK_ENTRIES entries, covering one or more segments
 *    (a segment is the part of one mapping inside one item). Where PAGEMAP_SCAN is available
 *    (pagemap-scan.ts) the item's populated ranges are found first and only they are read
 *    (nearby ones in one pread); otherwise the item is one pread. The item then claims as many
 *    row slots as it found pages (claimRows: rows follow pages, never address ranges), and
 *    decoding writes rows straight into them (no per-page call, object or allocation), and
 *    marks the PFNs that need kpagecount or kpageflags in PFN bitmaps.
 * 2. kpage: the marked PFNs, walked in PFN order block by block, are read in coalesced runs
 *    into result arrays indexed by rank.
 * 3. accounting: each segment's rows are counted with the model's accountPages().
 *
 * Two row forms. A *kept* process (its pages are shown page by page) keeps every present or
 * swapped entry with its page index and full PFN, and looks up the map count of every PFN not
 * mapped exclusively (pagemap bit 56: map count 1) and the flags of every PFN, or, where its
 * job allows (PageJob.keptInferAnon), of file pages only, as compact rows do. Any other process
 * keeps only what its counters need: an anonymous page mapped exclusively (pagemap bit 56) is
 * counted per segment without a row, a map count 1 and INFERRED_ANON_FLAGS standing for what
 * kpagecount and kpageflags would say (see page-bits.ts for when that is exact); every other
 * present page is a row of 5 bytes: the low 32 bits of its PFN and pagemap bits 56..63.
 */
import { COUNTER_SLOTS, accountPages } from '../model/counters.js';
import { constants } from 'node:os';
import { INFERRED_ANON_FLAGS, PM_EXCLUSIVE, PM_PRESENT } from '../model/page-bits.js';
import { REGION_WORDS, type ReadRunsFunction, type ScanFunction } from './pagemap-scan.js';
import { BLOCK_PFNS, PfnIndex } from './pfn-index.js';
import { ProcessReadFailure, preadFully } from './proc-files.js';

/** Entries per pagemap read: 1 MiB, 512 MiB of address space with 4 KiB pages. */
export const CHUNK_ENTRIES = 1 << 17;
/** Entries per kpagecount/kpageflags read. */
export const RUN_ENTRIES = 1 << 16;
/**
 * Read kpage* across gaps of at most this many unneeded PFNs rather than issue another read:
 * an entry costs ~93 ns, a read from Node ~0.5 µs more than that. In a native batch (readRuns)
 * a read costs ~0.3 µs more than its entries; bridging 1, 2 or 3 PFNs there made no difference
 * measured on postgres (kpage phase 18–21 ms each way, against 19–21 bridging 5).
 */
export const MAX_GAP = 5;
const MAX_GAP_NATIVE = 1;
/** Runs per native batch; a batch is also read early when its entries fill the scratch bytes. */
const BATCH_RUNS = 4096;
/**
 * Read pagemap across holes of at most this many pages between mappings of one process, or
 * between populated ranges that PAGEMAP_SCAN found, rather than issue another read (a hole
 * entry costs ~5–8 ns, a read ~1–2 µs).
 */
export const PAGEMAP_GAP = 256;
/** page_region entries per PAGEMAP_SCAN call; a scan that fills them goes on from the last. */
export const SCAN_REGIONS = 4096;
/**
 * Spans (item-relative [from, to) entry ranges) one item can have: populated ranges closer
 * than PAGEMAP_GAP are merged, so an item of CHUNK_ENTRIES has at most ~CHUNK_ENTRIES / 257.
 */
const MAX_SPANS = 1024;

/** Read item fields (Float64Array, ITEM_FIELDS per item). */
export const ITEM_FD = 0;
export const ITEM_FIRST_PAGE = 1;
export const ITEM_ENTRIES = 2;
export const ITEM_SEG_BEGIN = 3;
export const ITEM_SEG_END = 4;
/** 1: find the populated ranges with PAGEMAP_SCAN first (when the thread has it). */
export const ITEM_FIND = 5;
/** Written by phase 1: preads issued, entries they asked for, PAGEMAP_SCAN calls. */
export const ITEM_READS = 6;
export const ITEM_READ_ENTRIES = 7;
export const ITEM_SCANS = 8;
/** Written by phase 1 when the rows did not fit (ITEM_OVERFLOW): the row slots it needs. */
export const ITEM_ROWS_NEEDED = 9;
export const ITEM_FIELDS = 10;

/** Segment fields (Float64Array, SEG_FIELDS per segment). */
export const SEG_OFFSET = 0; // first entry, relative to its item
export const SEG_ENTRIES = 1;
export const SEG_SLOT = 2; // first row slot in the kept or compact row arrays (phase 1)
export const SEG_FLAGS = 3;
export const SEG_PAGE_BASE = 4; // page index (in its mapping) of its first entry
export const SEG_ROWS = 5; // written by phase 1
export const SEG_EXCLUSIVE_ANON = 6; // written by phase 1
export const SEG_FIELDS = 7;

/** SEG_FLAGS bits. */
export const SEG_KEPT = 1;
export const SEG_INFER_ANON = 2;

/** Item status (Int32Array, one per item). */
export const ITEM_OK = 0;
export const ITEM_VANISHED = 1;
export const ITEM_DENIED = 2;
export const ITEM_FAILED = 3;
/** Its rows did not fit in the row slots left (the process grew since it was planned). */
export const ITEM_OVERFLOW = 4;

/**
 * Row slot claims (Int32Array `claims`): slots claimed so far and slots there are, for compact
 * and for kept rows. An item claims its slots once it has read its entries, so that rows take
 * what the pages found take, never what the address range could hold.
 */
export const CLAIM_COMPACT = 0;
export const CLAIM_KEPT = 1;
export const CLAIM_CAPACITY = 2;
export const CLAIM_FIELDS = 4;

/** Compact row bits: pagemap bits 56..63 (the high byte of the entry). */
const C_EXCLUSIVE = 0x01;
const C_FILE = 0x20;
const C_PRESENT = 0x80;
/** pagemap bits in the high 32-bit word of an entry. */
const HI_PRESENT = 0x80000000;
const HI_PRESENT_OR_SWAPPED = 0xc0000000;
const HI_EXCLUSIVE = 0x01000000;
const HI_FILE = 0x20000000;
/** Bit 58: a guard marker (with bit 62), which counts for nothing in smaps. */
const HI_GUARD = 0x04000000;
const HI_PRESENT_EXCLUSIVE_OR_FILE = 0xa1000000;
const HI_PRESENT_EXCLUSIVE = 0x81000000;
const HI_EXCLUSIVE_OR_FILE = HI_EXCLUSIVE | HI_FILE;
const HI_PFN_MASK = 0x7fffff;
const TWO_32 = 4294967296;

/** The flat buffers of one sample's per-page work. */
export interface SampleArrays {
  items: Float64Array;
  /** CLAIM_FIELDS: see CLAIM_COMPACT. */
  claims: Int32Array;
  itemStatus: Int32Array;
  segs: Float64Array;
  /** COUNTER_SLOTS per segment: compact segments' counters. */
  segCounters: Float64Array;
  cPfn: Uint32Array;
  cBits: Uint8Array;
  kIndex: Uint32Array;
  kBits: Uint16Array;
  kPfn: Float64Array;
}

/** What a thread needs besides the sample's arrays: the PFN indexes and its own scratch. */
export interface EngineContext {
  countIndex: PfnIndex;
  flagsIndex: PfnIndex;
  /** The kernel's max_pfn: PFNs at or above it have no page (count 0, no flags). */
  maxPfn: number;
  /** Other threads mark the indexes at the same time. */
  shared: boolean;
  bytes: Uint8Array;
  words: Uint32Array;
  countFd: number;
  flagsFd: number;
  pageSize: number;
  /** PAGEMAP_SCAN, when available (pagemap-scan.ts): pagemap is then read only where populated. */
  scan: ScanFunction | undefined;
  /** The item-relative [from, to) entry ranges read of the current item. */
  spans: Int32Array;
  /** page_region output of PAGEMAP_SCAN. */
  regions: Uint32Array;
  /** PAGEMAP_SCAN calls made for the current item. */
  scanCalls: number;
  /** Whether the current item's entries hold anything but holes (countRows). */
  anyPage: boolean;
  /** The native batched pread, when available: kpage* runs are then read many at a time. */
  readRuns: ReadRunsFunction | undefined;
  /** A batch of kpage* runs for readRuns: [first, entries, rank] triples. */
  runs: Float64Array;
}

export function newScratch(): {
  bytes: Uint8Array;
  words: Uint32Array;
  spans: Int32Array;
  regions: Uint32Array;
  scanCalls: number;
  anyPage: boolean;
  runs: Float64Array;
} {
  const bytes = new Uint8Array(CHUNK_ENTRIES * 8);
  return {
    bytes,
    words: new Uint32Array(bytes.buffer),
    spans: new Int32Array(MAX_SPANS * 2),
    regions: new Uint32Array(SCAN_REGIONS * REGION_WORDS),
    scanCalls: 0,
    anyPage: false,
    runs: new Float64Array(BATCH_RUNS * 3),
  };
}

/**
 * Phase 1 for one read item: pread its entries (only its populated ranges, where PAGEMAP_SCAN
 * finds them) and decode each of its segments.
 */
export function decodeItem(a: SampleArrays, item: number, ctx: EngineContext): void {
  const at = item * ITEM_FIELDS;
  const fd = a.items[at + ITEM_FD]!;
  const first = a.items[at + ITEM_FIRST_PAGE]!;
  const entries = a.items[at + ITEM_ENTRIES]!;
  const segBegin = a.items[at + ITEM_SEG_BEGIN]!;
  const segEnd = a.items[at + ITEM_SEG_END]!;
  const spans = ctx.spans;
  let count = -1;
  let reads = 0;
  let readEntries = 0;
  let scans = 0;
  try {
    if (ctx.scan && a.items[at + ITEM_FIND]) {
      count = findSpans(fd, first, entries, ctx);
      scans = ctx.scanCalls;
    }
    if (count < 0) {
      // No PAGEMAP_SCAN, or it failed on this item: read the whole item.
      spans[0] = 0;
      spans[1] = entries;
      count = 1;
    }
    for (let k = 0; k < count; k++) {
      const from = spans[2 * k]!;
      const want = spans[2 * k + 1]! - from;
      const got = preadFully(fd, ctx.bytes, want * 8, (first + from) * 8, from * 8) >>> 3;
      reads++;
      readEntries += want;
      if (got < want) {
        // The process exited, or the range lies beyond TASK_SIZE: nothing more to read.
        spans[2 * k + 1] = from + got;
        count = k + 1;
        break;
      }
    }
  } catch (error) {
    a.itemStatus[item] =
      error instanceof ProcessReadFailure
        ? error.failure === 'denied'
          ? ITEM_DENIED
          : ITEM_VANISHED
        : ITEM_FAILED;
    for (let s = segBegin; s < segEnd; s++) {
      a.segs[s * SEG_FIELDS + SEG_ROWS] = 0;
      a.segs[s * SEG_FIELDS + SEG_EXCLUSIVE_ANON] = 0;
    }
    return;
  } finally {
    a.items[at + ITEM_READS] = reads;
    a.items[at + ITEM_READ_ENTRIES] = readEntries;
    a.items[at + ITEM_SCANS] = scans;
  }
  if (segEnd === segBegin) {
    a.itemStatus[item] = ITEM_OK;
    return;
  }
  const segFlags = a.segs[segBegin * SEG_FIELDS + SEG_FLAGS]!;
  const kept = (segFlags & SEG_KEPT) !== 0;
  // Every segment of an item is of one process, with the same flags.
  const need = countRows(ctx, count, !kept, !kept && (segFlags & SEG_INFER_ANON) !== 0);
  if (need === 0 && !ctx.anyPage) {
    // Holes only (a sparse region read without PAGEMAP_SCAN): nothing to decode.
    for (let s = segBegin; s < segEnd; s++) {
      a.segs[s * SEG_FIELDS + SEG_ROWS] = 0;
      a.segs[s * SEG_FIELDS + SEG_EXCLUSIVE_ANON] = 0;
    }
    a.itemStatus[item] = ITEM_OK;
    return;
  }
  const slot = claimRows(a.claims, kept ? CLAIM_KEPT : CLAIM_COMPACT, need);
  if (slot < 0) {
    a.itemStatus[item] = ITEM_OVERFLOW;
    a.items[at + ITEM_ROWS_NEEDED] = need;
    for (let s = segBegin; s < segEnd; s++) {
      a.segs[s * SEG_FIELDS + SEG_ROWS] = 0;
      a.segs[s * SEG_FIELDS + SEG_EXCLUSIVE_ANON] = 0;
    }
    return;
  }
  a.itemStatus[item] = ITEM_OK;
  decodeSegments(a, segBegin, segEnd, count, ctx, slot);
}

/**
 * The most rows the entries read (ctx.spans, ctx.words) can give: present and swapped entries,
 * less, for compact rows, guard markers and the exclusive anonymous pages counted without a
 * row. Holes between the item's segments are holes here too. Sets ctx.anyPage when any entry
 * is not a hole.
 */
function countRows(
  ctx: EngineContext,
  count: number,
  compact: boolean,
  inferAnon: boolean,
): number {
  const { spans, words } = ctx;
  let rows = 0;
  let any = false;
  for (let k = 0; k < count; k++) {
    for (let i = spans[2 * k]!, to = spans[2 * k + 1]!; i < to; i++) {
      const hi = words[2 * i + 1]!;
      if ((hi & HI_PRESENT_OR_SWAPPED) === 0) continue;
      any = true;
      if (compact && (hi & (HI_PRESENT | HI_GUARD)) === HI_GUARD) continue;
      if (inferAnon && (hi & HI_PRESENT_EXCLUSIVE_OR_FILE) === HI_PRESENT_EXCLUSIVE) continue;
      rows++;
    }
  }
  ctx.anyPage = any;
  return rows;
}

/**
 * Claims `rows` consecutive row slots of one kind; returns the first, or -1 when they do not
 * fit (the slots there are stay unclaimed for other items).
 */
export function claimRows(claims: Int32Array, kind: number, rows: number): number {
  for (;;) {
    const claimed = Atomics.load(claims, kind);
    if (claimed + rows > claims[CLAIM_CAPACITY + kind]!) return -1;
    if (rows === 0 || Atomics.compareExchange(claims, kind, claimed, claimed + rows) === claimed) {
      return claimed;
    }
  }
}

/**
 * Fills ctx.spans with the populated ranges of an item's entries, relative to its first page,
 * those closer than PAGEMAP_GAP merged, and ctx.scanCalls with the PAGEMAP_SCAN calls made.
 * Returns the number of spans, or -1 when a call failed (the item is then read whole).
 */
function findSpans(fd: number, first: number, entries: number, ctx: EngineContext): number {
  const { spans, regions, pageSize } = ctx;
  const scan = ctx.scan!;
  const end = (first + entries) * pageSize;
  let from = first * pageSize;
  let count = 0;
  ctx.scanCalls = 0;
  for (;;) {
    const found = scan(fd, from, end, regions);
    ctx.scanCalls++;
    if (found < 0) return -1;
    for (let r = 0; r < found; r++) {
      const w = r * REGION_WORDS;
      const start = (regions[w]! + regions[w + 1]! * TWO_32) / pageSize - first;
      const stop = (regions[w + 2]! + regions[w + 3]! * TWO_32) / pageSize - first;
      if (count > 0 && start - spans[2 * count - 1]! <= PAGEMAP_GAP) {
        spans[2 * count - 1] = stop;
      } else if (count < MAX_SPANS) {
        spans[2 * count] = start;
        spans[2 * count + 1] = stop;
        count++;
      } else {
        return -1;
      }
    }
    if (found < SCAN_REGIONS) break;
    // The regions were full: go on after the last one.
    const w = (found - 1) * REGION_WORDS;
    from = regions[w + 2]! + regions[w + 3]! * TWO_32;
    if (from >= end) break;
  }
  return count;
}

/**
 * Decodes segments [segBegin, segEnd) of an item whose entries within its first `count` spans
 * (ctx.spans) are in ctx.words; entries outside them are holes.
 */
export function decodeSegments(
  a: SampleArrays,
  segBegin: number,
  segEnd: number,
  count: number,
  ctx: EngineContext,
  slot: number,
): void {
  const spans = ctx.spans;
  // Segments and spans both ascend: skip the spans that end before each segment.
  let first = 0;
  for (let s = segBegin; s < segEnd; s++) {
    const sa = s * SEG_FIELDS;
    const from = a.segs[sa + SEG_OFFSET]!;
    const to = from + a.segs[sa + SEG_ENTRIES]!;
    while (first < count && spans[2 * first + 1]! <= from) first++;
    // Each segment's rows follow the previous one's, in the slots its item claimed.
    a.segs[sa + SEG_SLOT] = slot;
    if (a.segs[sa + SEG_FLAGS]! & SEG_KEPT) decodeKept(a, sa, from, to, first, count, ctx);
    else decodeCompact(a, sa, from, to, first, count, ctx);
    slot += a.segs[sa + SEG_ROWS]!;
  }
}

function decodeCompact(
  a: SampleArrays,
  sa: number,
  segFrom: number,
  segTo: number,
  firstSpan: number,
  count: number,
  ctx: EngineContext,
): void {
  const spans = ctx.spans;
  const words = ctx.words;
  const { cPfn, cBits } = a;
  const limit = Math.min(ctx.countIndex.limit, ctx.maxPfn);
  const inferAnon = (a.segs[sa + SEG_FLAGS]! & SEG_INFER_ANON) !== 0;
  const slot = a.segs[sa + SEG_SLOT]!;
  let out = slot;
  let exclusiveAnon = 0;
  for (let k = firstSpan; k < count && spans[2 * k]! < segTo; k++) {
    const from = Math.max(segFrom, spans[2 * k]!);
    const to = Math.min(segTo, spans[2 * k + 1]!);
    for (let i = from; i < to; i++) {
      const hi = words[2 * i + 1]!;
      if ((hi & HI_PRESENT_OR_SWAPPED) === 0) continue;
      if ((hi & HI_PRESENT) === 0) {
        // A guard marker counts for nothing; swap entries and other markers: the accounting
        // tells them apart from their bits.
        if (hi & HI_GUARD) continue;
        cPfn[out] = 0;
        cBits[out++] = hi >>> 24;
        continue;
      }
      if (inferAnon && (hi & HI_EXCLUSIVE_OR_FILE) === HI_EXCLUSIVE) {
        exclusiveAnon++;
        continue;
      }
      const pfn = words[2 * i]! + (hi & HI_PFN_MASK) * TWO_32;
      // PFN 0 and PFNs past max_pfn have no page: map count 0, no memory; they count nothing.
      if (pfn === 0 || pfn >= limit) continue;
      cPfn[out] = pfn;
      cBits[out++] = hi >>> 24;
      markLookups(ctx, pfn, hi, inferAnon);
    }
  }
  a.segs[sa + SEG_ROWS] = out - slot;
  a.segs[sa + SEG_EXCLUSIVE_ANON] = exclusiveAnon;
}

/**
 * Marks the kpage lookups a present page needs: its map count unless it is mapped exclusively
 * (map count 1, without a lookup), its flags unless they are inferred for an anonymous page
 * (see INFERRED_ANON_FLAGS). The same for compact and kept rows.
 */
function markLookups(
  ctx: Pick<EngineContext, 'countIndex' | 'flagsIndex' | 'shared'>,
  pfn: number,
  hi: number,
  inferAnon: boolean,
): void {
  if ((hi & HI_EXCLUSIVE) === 0) {
    if (ctx.shared) ctx.countIndex.markShared(pfn);
    else ctx.countIndex.mark(pfn);
  }
  if (!inferAnon || hi & HI_FILE) {
    if (ctx.shared) ctx.flagsIndex.markShared(pfn);
    else ctx.flagsIndex.mark(pfn);
  }
}

function decodeKept(
  a: SampleArrays,
  sa: number,
  segFrom: number,
  segTo: number,
  firstSpan: number,
  count: number,
  ctx: EngineContext,
): void {
  const spans = ctx.spans;
  const words = ctx.words;
  const { kIndex, kBits, kPfn } = a;
  const limit = ctx.countIndex.limit;
  const inferAnon = (a.segs[sa + SEG_FLAGS]! & SEG_INFER_ANON) !== 0;
  const slot = a.segs[sa + SEG_SLOT]!;
  const base = a.segs[sa + SEG_PAGE_BASE]! - segFrom;
  let out = slot;
  for (let k = firstSpan; k < count && spans[2 * k]! < segTo; k++) {
    const from = Math.max(segFrom, spans[2 * k]!);
    const to = Math.min(segTo, spans[2 * k + 1]!);
    for (let i = from; i < to; i++) {
      const hi = words[2 * i + 1]!;
      if ((hi & HI_PRESENT_OR_SWAPPED) === 0) continue;
      const pfn = hi & HI_PRESENT ? words[2 * i]! + (hi & HI_PFN_MASK) * TWO_32 : 0;
      kIndex[out] = base + i;
      kBits[out] = hi >>> 23;
      kPfn[out++] = pfn;
      if (pfn !== 0 && pfn < limit) markLookups(ctx, pfn, hi, inferAnon);
    }
  }
  a.segs[sa + SEG_ROWS] = out - slot;
  a.segs[sa + SEG_EXCLUSIVE_ANON] = 0;
}

/**
 * What readRun() and queueRun() read with, set by readMarked() before each walk: forEachRun()
 * then always calls one and the same function, so that its call site stays monomorphic (a new
 * closure per walk would make V8 deoptimize forEachRun on each new target).
 */
const NO_WORDS = new Uint32Array(0);
const NO_BYTES = new Uint8Array(0);
const NO_RUNS = new Float64Array(0);
const errnoCodes: Readonly<Record<string, number>> = constants.errno;
const runRead: {
  fd: number;
  bits: Uint32Array;
  out: Uint32Array;
  bytes: Uint8Array;
  words: Uint32Array;
  /** Native batch: the function, its runs, how many are queued and their entries. */
  readRuns: ReadRunsFunction | undefined;
  runs: Float64Array;
  queued: number;
  queuedEntries: number;
} = {
  fd: 0,
  bits: NO_WORDS,
  out: NO_WORDS,
  bytes: NO_BYTES,
  words: NO_WORDS,
  readRuns: undefined,
  runs: NO_RUNS,
  queued: 0,
  queuedEntries: 0,
};

/** Stores the marked PFNs of run [first, first + entries) from out[rank]; its entries at words[2 * from]. */
function storeRun(first: number, entries: number, rank: number, from: number, got: number): void {
  const { bits, out, words } = runRead;
  for (let at = 0; at < entries; at++) {
    const p = first + at;
    if ((bits[p >>> 5]! & (1 << (p & 31))) === 0) continue;
    // Only the low words matter: map counts fit in 32 bits, stable flags are bits 0..26.
    out[rank++] = at < got ? words[2 * (from + at)]! : 0;
  }
}

/** Reads one run of PFNs [first, first + entries) and stores its marked ones from out[rank]. */
function readRun(first: number, entries: number, rank: number): void {
  const got = preadFully(runRead.fd, runRead.bytes, entries * 8, first * 8) >>> 3;
  storeRun(first, entries, rank, 0, got);
}

/** Queues a run for the native batch, reading the batch first when it is full. */
function queueRun(first: number, entries: number, rank: number): void {
  if (
    3 * runRead.queued === runRead.runs.length ||
    (runRead.queuedEntries + entries) * 8 > runRead.bytes.length
  ) {
    readQueued();
  }
  const at = 3 * runRead.queued++;
  runRead.runs[at] = first;
  runRead.runs[at + 1] = entries;
  runRead.runs[at + 2] = rank;
  runRead.queuedEntries += entries;
}

/** Reads the queued runs in one native call and stores their marked PFNs. */
function readQueued(): void {
  const { runs, queued } = runRead;
  if (queued === 0) return;
  const got = runRead.readRuns!(runRead.fd, runs, queued, runRead.bytes);
  if (got < 0) {
    const code = Object.entries(errnoCodes).find(([, n]) => n === -got)?.[0] ?? `errno ${-got}`;
    throw new Error(`reading kpagecount or kpageflags failed: ${code}`);
  }
  let from = 0;
  for (let r = 0; r < queued; r++) {
    const entries = runs[3 * r + 1]!;
    storeRun(runs[3 * r]!, entries, runs[3 * r + 2]!, from, entries);
    from += entries;
  }
  runRead.queued = 0;
  runRead.queuedEntries = 0;
}

/**
 * Phase 2 for blocks [fromBlock, toBlock) of one index: reads the entries of its marked PFNs
 * (kpagecount or kpageflags, per fd) in coalesced runs into out[rank], in batches through the
 * native module when it is there.
 */
export function readMarked(
  index: PfnIndex,
  fd: number,
  fromBlock: number,
  toBlock: number,
  out: Uint32Array,
  ctx: Pick<EngineContext, 'bytes' | 'words' | 'readRuns' | 'runs'>,
): void {
  runRead.fd = fd;
  runRead.bits = index.bits;
  runRead.out = out;
  runRead.bytes = ctx.bytes;
  runRead.words = ctx.words;
  runRead.readRuns = ctx.readRuns;
  runRead.runs = ctx.runs;
  runRead.queued = 0;
  runRead.queuedEntries = 0;
  try {
    if (ctx.readRuns) {
      index.forEachRun(MAX_GAP_NATIVE, RUN_ENTRIES, fromBlock | 0, toBlock | 0, queueRun);
      readQueued();
    } else {
      index.forEachRun(MAX_GAP, RUN_ENTRIES, fromBlock | 0, toBlock | 0, readRun);
    }
  } finally {
    // Hold no sample's buffers past the walk.
    runRead.bits = runRead.out = runRead.words = NO_WORDS;
    runRead.bytes = NO_BYTES;
    runRead.runs = NO_RUNS;
    runRead.readRuns = undefined;
    runRead.queued = runRead.queuedEntries = 0;
  }
}

/** Splits the blocks in use into at most `parts` ranges of about equal marked PFNs. */
export function splitBlocks(index: PfnIndex, parts: number): number[] {
  const blocks = index.blocksInUse();
  const bounds = [0];
  if (blocks.length === 0) return [0, 0];
  const per = Math.ceil(blocks.length / Math.max(1, parts));
  for (let i = per; i < blocks.length; i += per) bounds.push(blocks[i]!);
  bounds.push(blocks[blocks.length - 1]! + 1);
  return bounds;
}

/** Phase 3 for one compact segment: counts its rows into segCounters. */
export function accountSegment(
  a: SampleArrays,
  seg: number,
  counts: Uint32Array,
  flags: Uint32Array,
  ctx: Pick<EngineContext, 'countIndex' | 'flagsIndex' | 'pageSize'>,
): void {
  const sa = seg * SEG_FIELDS;
  const acc = a.segCounters;
  const at = seg * COUNTER_SLOTS;
  acc.fill(0, at, at + COUNTER_SLOTS);
  const segFlags = a.segs[sa + SEG_FLAGS]!;
  if (segFlags & SEG_KEPT) return;
  const inferAnon = (segFlags & SEG_INFER_ANON) !== 0;
  const { countIndex, flagsIndex, pageSize } = ctx;
  const { cPfn, cBits } = a;
  const slot = a.segs[sa + SEG_SLOT]!;
  const end = slot + a.segs[sa + SEG_ROWS]!;
  // Neighbouring rows are often alike (a run of pages with one map count): count each run of
  // identical rows with one call.
  let runBits = -1;
  let runFlags = 0;
  let runCount = 0;
  let runLength = 0;
  for (let r = slot; r < end; r++) {
    const b = cBits[r]!;
    let count = 0;
    let kflags = 0;
    if (b & C_PRESENT) {
      const pfn = cPfn[r]!;
      count = b & C_EXCLUSIVE ? 1 : counts[countIndex.rank(pfn)]!;
      kflags = !inferAnon || b & C_FILE ? flags[flagsIndex.rank(pfn)]! : INFERRED_ANON_FLAGS;
    }
    if (b === runBits && kflags === runFlags && count === runCount) {
      runLength++;
      continue;
    }
    if (runLength > 0) accountPages(acc, at, runLength, runBits << 1, runFlags, runCount, pageSize);
    runBits = b;
    runFlags = kflags;
    runCount = count;
    runLength = 1;
  }
  if (runLength > 0) accountPages(acc, at, runLength, runBits << 1, runFlags, runCount, pageSize);
  const exclusiveAnon = a.segs[sa + SEG_EXCLUSIVE_ANON]!;
  if (exclusiveAnon > 0) {
    accountPages(
      acc,
      at,
      exclusiveAnon,
      PM_PRESENT | PM_EXCLUSIVE,
      INFERRED_ANON_FLAGS,
      1,
      pageSize,
    );
  }
}

/** The number of blocks an index spans (the bound of a whole walk). */
export function indexBlocks(index: PfnIndex): number {
  return Math.ceil(index.limit / BLOCK_PFNS);
}
