/**
 * Runs the page engine's phases on made-up entries, in private buffers, so that a worker
 * thread's code is compiled (optimized) before it takes real work: a worker that started cold
 * would otherwise run its first units several times slower than the main thread, which then
 * waits for it at the end of each phase. It runs in short rounds and stops as soon as real work
 * is waiting: warm-up only fills the time before a worker is needed, it never delays a sample.
 */
import { COUNTER_SLOTS } from '../model/counters.js';
import {
  KPF_ANON,
  KPF_DIRTY,
  KPF_LRU,
  KPF_MMAP,
  KPF_REFERENCED,
  KPF_SWAPBACKED,
} from '../model/page-bits.js';
import { arraysOf, type BufferName } from './page-buffers.js';
import {
  CLAIM_CAPACITY,
  CLAIM_FIELDS,
  ITEM_FIELDS,
  SEG_FIELDS,
  SEG_INFER_ANON,
  SEG_KEPT,
  accountSegment,
  decodeItem,
  decodeSegments,
  newScratch,
  readMarked,
  splitBlocks,
  type EngineContext,
} from './page-engine.js';
import type { ReadRunsFunction } from './pagemap-scan.js';
import { PfnIndex, allocatePfnIndexBuffers } from './pfn-index.js';

const ENTRIES = 1 << 13;
/**
 * Segments of every kind over the entries, each a short call: the functions are then compiled
 * whole (not only their loops, on stack replacement, which would deoptimize on the first code
 * past a loop that warm-up had not reached yet), with type feedback from every branch.
 */
const SEGS = 32;
const SEG_LENGTH = ENTRIES / SEGS;
const ROUNDS = 16;
/** Made-up PFNs lie close together, so kpage runs are long and few, as they mostly are. */
const PFNS = 1 << 16;
/** A page index far up, as pagemap offsets are: its file positions are not small integers. */
const HIGH_PAGE = 2 ** 35;
/** kpage units per walk, as a sample on several threads splits them. */
const KPAGE_PARTS = 4;
/** kpageflags bits the made-up pages have: anonymous, file (dirty or not), shared memory. */
const MADE_UP_FLAGS = [
  KPF_ANON | KPF_SWAPBACKED | KPF_LRU | KPF_MMAP,
  KPF_LRU | KPF_MMAP | KPF_REFERENCED,
  KPF_LRU | KPF_MMAP | KPF_DIRTY,
  KPF_SWAPBACKED | KPF_LRU | KPF_MMAP | KPF_DIRTY,
];

/**
 * `zeroFd`: a descriptor that reads as zeros (/dev/zero), standing in for pagemap, kpagecount
 * and kpageflags; `stop`, asked before each round: true once real work waits; `readRuns`:
 * the native batched read, when the samples may use it.
 */
export function warmUpEngine(
  shared: boolean,
  zeroFd: number,
  pageSize: number,
  stop: () => boolean = () => false,
  readRuns?: ReadRunsFunction,
): void {
  const ctx: EngineContext = {
    countIndex: new PfnIndex(allocatePfnIndexBuffers(PFNS, shared)),
    flagsIndex: new PfnIndex(allocatePfnIndexBuffers(PFNS, shared)),
    maxPfn: PFNS,
    shared,
    ...newScratch(),
    countFd: zeroFd,
    flagsFd: zeroFd,
    pageSize,
    scan: undefined,
    readRuns: undefined,
  };
  const sizes: Record<BufferName, number> = {
    items: ITEM_FIELDS * 8,
    claims: CLAIM_FIELDS * 4,
    itemStatus: 4 * 2,
    segs: SEG_FIELDS * 8 * SEGS,
    segCounters: COUNTER_SLOTS * 8 * SEGS,
    cPfn: ENTRIES * 4,
    cBits: ENTRIES,
    kIndex: ENTRIES * 4,
    kBits: ENTRIES * 2,
    kPfn: ENTRIES * 8,
    counts: PFNS * 4,
    flags: PFNS * 4,
    units: 8 * 3,
  };
  const buffers = {} as Record<BufferName, ArrayBufferLike>;
  for (const [name, bytes] of Object.entries(sizes) as [BufferName, number][]) {
    buffers[name] = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }
  const a = arraysOf(buffers);
  // One item: a read far up the address space (all holes, from /dev/zero) over every segment.
  a.items.set([zeroFd, HIGH_PAGE, ENTRIES, 0, SEGS, 0, 0, 0, 0, 0], 0);
  const kinds = [SEG_INFER_ANON, 0, SEG_KEPT, SEG_INFER_ANON];
  for (let s = 0; s < SEGS; s++) {
    const offset = s * SEG_LENGTH;
    a.segs.set(
      [offset, SEG_LENGTH, offset, kinds[s % kinds.length]!, offset, 0, 0],
      s * SEG_FIELDS,
    );
  }
  const words = ctx.words;
  let x = 0x9e3779b9;
  for (let round = 0; round < ROUNDS && !stop(); round++) {
    ctx.countIndex.clear();
    ctx.flagsIndex.clear();
    a.claims.fill(0);
    a.claims.fill(ENTRIES, CLAIM_CAPACITY);
    decodeItem(a, 0, ctx);
    for (let i = 0; i < ENTRIES; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const kind = x & 15;
      // Holes, exclusive anonymous, shared anonymous, file pages (exclusive or not) and a swap
      // entry now and then.
      const hi =
        kind < 5
          ? 0
          : kind < 8
            ? 0x81000000
            : kind < 11
              ? 0x80000000
              : kind < 13
                ? 0xa0000000
                : kind < 15
                  ? 0xa1000000
                  : 0x40000000;
      words[2 * i] = hi & 0x80000000 ? (x >>> 12) % PFNS : 0;
      words[2 * i + 1] = hi;
    }
    // Whole items, and items read in a few populated ranges (PAGEMAP_SCAN).
    const spans = round % 2 ? [0, ENTRIES] : [0, ENTRIES >> 3, ENTRIES >> 2, ENTRIES];
    ctx.spans.set(spans);
    decodeSegments(a, 0, SEGS, spans.length / 2, ctx, 0);
    for (const [index, out] of [
      [ctx.countIndex, a.counts],
      [ctx.flagsIndex, a.flags],
    ] as const) {
      index.finalize();
      // Both ways of reading them, native batches (when there) and reads from Node, in turn:
      // which one the samples use is known only once the worker has its setup.
      ctx.readRuns = (round >> 1) & 1 ? readRuns : undefined;
      const bounds = splitBlocks(index, KPAGE_PARTS);
      for (let b = 0; b + 1 < bounds.length; b++) {
        readMarked(index, zeroFd, bounds[b]!, bounds[b + 1]!, out, ctx);
      }
    }
    // Map counts and flags as real pages have them (/dev/zero gave zeros).
    for (let r = 0; r < ctx.countIndex.size; r++) a.counts[r] = 1 + (r % 9);
    for (let r = 0; r < ctx.flagsIndex.size; r++) a.flags[r] = MADE_UP_FLAGS[r & 3]!;
    for (let s = 0; s < SEGS; s++) accountSegment(a, s, a.counts, a.flags, ctx);
  }
}
