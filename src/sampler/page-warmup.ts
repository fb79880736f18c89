/**
 * Runs the page engine's phases on made-up entries, in private buffers, so that a worker
 * thread's code is compiled (optimized) before it takes real work: a worker that started cold
 * would otherwise run its first units several times slower than the main thread, which then
 * waits for it at the end of each phase. It runs in short rounds and stops as soon as real work
 * is waiting: warm-up only fills the time before a worker is needed, it never delays a sample.
 */
import { COUNTER_SLOTS } from '../model/counters.js';
import { arraysOf, type BufferName } from './page-buffers.js';
import {
  ITEM_FIELDS,
  SEG_FIELDS,
  SEG_INFER_ANON,
  SEG_KEPT,
  accountSegment,
  decodeSegments,
  indexBlocks,
  newScratch,
  readMarked,
  type EngineContext,
} from './page-engine.js';
import { PfnIndex, allocatePfnIndexBuffers } from './pfn-index.js';

const ENTRIES = 1 << 13;
const ROUNDS = 16;
/** Made-up PFNs lie close together, so kpage runs are long and few, as they mostly are. */
const PFNS = 1 << 15;

/**
 * `zeroFd`: a descriptor that reads as zeros (/dev/zero), standing in for kpagecount; `stop`,
 * asked before each round: true once real work waits.
 */
export function warmUpEngine(
  shared: boolean,
  zeroFd: number,
  pageSize: number,
  stop: () => boolean = () => false,
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
  };
  const sizes: Record<BufferName, number> = {
    items: ITEM_FIELDS * 8,
    itemStatus: 4 * 2,
    segs: SEG_FIELDS * 8 * 2,
    segCounters: COUNTER_SLOTS * 8 * 2,
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
  // One compact and one kept segment over the same entries.
  a.segs.set([0, ENTRIES, 0, SEG_INFER_ANON, 0, 0, 0], 0);
  a.segs.set([0, ENTRIES, 0, SEG_KEPT, 0, 0, 0], SEG_FIELDS);
  const words = ctx.words;
  let x = 0x9e3779b9;
  for (let round = 0; round < ROUNDS && !stop(); round++) {
    for (let i = 0; i < ENTRIES; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const kind = x & 7;
      // Holes, exclusive anonymous, shared anonymous, file pages and a swap entry now and then.
      const hi =
        kind < 3
          ? 0
          : kind === 3
            ? 0x81000000
            : kind < 6
              ? 0x80000000
              : kind === 6
                ? 0xa0000000
                : 0x40000000;
      words[2 * i] = hi & 0x80000000 ? (x >>> 12) % PFNS : 0;
      words[2 * i + 1] = hi;
    }
    ctx.countIndex.clear();
    ctx.flagsIndex.clear();
    // Whole items, and items read in a few populated ranges (PAGEMAP_SCAN).
    const spans = round % 2 ? [0, ENTRIES] : [0, ENTRIES >> 3, ENTRIES >> 2, ENTRIES];
    ctx.spans.set(spans);
    decodeSegments(a, 0, 2, spans.length / 2, ctx);
    ctx.countIndex.finalize();
    ctx.flagsIndex.finalize();
    readMarked(ctx.countIndex, zeroFd, 0, indexBlocks(ctx.countIndex), a.counts, ctx);
    readMarked(ctx.flagsIndex, zeroFd, 0, indexBlocks(ctx.flagsIndex), a.flags, ctx);
    accountSegment(a, 0, a.counts, a.flags, ctx);
  }
}
