/**
 * A set of page frame numbers with ranks: a bitmap over [0, maxPfn) in which each PFN a sample
 * needs is marked, so that de-duplication and ordering cost one bit each (a counting sort by
 * PFN, no comparison sort), and each marked PFN has a rank: its index among the marked ones,
 * which is where its kpagecount/kpageflags value is stored. No binary search: a rank is a block
 * base, a word offset inside the block and one popcount.
 *
 * The bitmap and its rank tables span the whole PFN range, but only the parts a sample marks
 * are ever written, so the memory they take is proportional to the PFN blocks in use (a large
 * zeroed buffer is committed page by page, on first write). A summary bit per block of
 * BLOCK_PFNS lets every walk skip untouched blocks.
 *
 * The buffers may be SharedArrayBuffers: mark() is then atomic, and several threads may mark
 * concurrently; finalize() and the walks run on one thread once marking is over.
 */
export const BLOCK_SHIFT = 12;
export const BLOCK_PFNS = 1 << BLOCK_SHIFT;
const WORDS_PER_BLOCK = BLOCK_PFNS >>> 5;
/** The index covers PFNs below 2^32 (16 TiB of physical address space with 4 KiB pages). */
export const MAX_INDEXED_PFN = 2 ** 32;

export interface PfnIndexBuffers {
  /** One bit per PFN. */
  bits: SharedArrayBuffer | ArrayBuffer;
  /** One bit per block of BLOCK_PFNS: the block has a marked PFN. */
  summary: SharedArrayBuffer | ArrayBuffer;
  /** Per word: rank of its first PFN relative to its block (Uint16). */
  wordRank: SharedArrayBuffer | ArrayBuffer;
  /** Per block: rank of its first PFN (Uint32). */
  blockRank: SharedArrayBuffer | ArrayBuffer;
  limit: number;
}

export function allocatePfnIndexBuffers(maxPfn: number, shared: boolean): PfnIndexBuffers {
  const limit = Math.min(Math.max(maxPfn, 1), MAX_INDEXED_PFN);
  const words = Math.ceil(limit / 32);
  const blocks = Math.ceil(limit / BLOCK_PFNS);
  const make = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    bits: make(words * 4),
    summary: make(Math.ceil(blocks / 32) * 4),
    wordRank: make(words * 2),
    blockRank: make(blocks * 4),
    limit,
  };
}

/** Number of set bits of a 32-bit integer. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export class PfnIndex {
  readonly bits: Uint32Array;
  readonly summary: Uint32Array;
  readonly wordRank: Uint16Array;
  readonly blockRank: Uint32Array;
  /**
   * The bitmap and summary read as int32 words, for the walks: a word with bit 31 set is then
   * a small integer like any other, where a uint32 above 2^31 would deoptimize code compiled
   * for small integers.
   */
  private readonly signedBits: Int32Array;
  private readonly signedSummary: Int32Array;
  /** PFNs at or above this are not indexed. */
  readonly limit: number;
  /** Marked PFNs, once finalize() has run. */
  size = 0;

  constructor(readonly buffers: PfnIndexBuffers) {
    this.bits = new Uint32Array(buffers.bits);
    this.summary = new Uint32Array(buffers.summary);
    this.wordRank = new Uint16Array(buffers.wordRank);
    this.blockRank = new Uint32Array(buffers.blockRank);
    this.signedBits = new Int32Array(buffers.bits);
    this.signedSummary = new Int32Array(buffers.summary);
    this.limit = buffers.limit;
  }

  /** Marks a PFN (< limit). Single-threaded use. */
  mark(pfn: number): void {
    const w = pfn >>> 5;
    const bit = 1 << (pfn & 31);
    const old = this.bits[w]!;
    if (old & bit) return;
    this.bits[w] = old | bit;
    const b = pfn >>> BLOCK_SHIFT;
    this.summary[b >>> 5]! |= 1 << (b & 31);
  }

  /** Marks a PFN (< limit) where other threads may be marking too (shared buffers). */
  markShared(pfn: number): void {
    const w = pfn >>> 5;
    const bit = 1 << (pfn & 31);
    if (this.bits[w]! & bit) return;
    Atomics.or(this.bits, w, bit);
    const b = pfn >>> BLOCK_SHIFT;
    const sbit = 1 << (b & 31);
    if ((this.summary[b >>> 5]! & sbit) === 0) Atomics.or(this.summary, b >>> 5, sbit);
  }

  /** Whether a PFN (< limit) is marked. */
  has(pfn: number): boolean {
    return (this.bits[pfn >>> 5]! & (1 << (pfn & 31))) !== 0;
  }

  /** Computes the ranks of the marked PFNs; returns how many there are. */
  finalize(): number {
    let rank = 0;
    const { bits, summary, wordRank, blockRank } = this;
    for (let s = 0; s < summary.length; s++) {
      let word = summary[s]!;
      while (word !== 0) {
        const low = word & -word;
        const b = (s << 5) + (31 - Math.clz32(low));
        word ^= low;
        blockRank[b] = rank;
        const first = b * WORDS_PER_BLOCK;
        const end = Math.min(first + WORDS_PER_BLOCK, bits.length);
        let inBlock = 0;
        for (let w = first; w < end; w++) {
          wordRank[w] = inBlock;
          const x = bits[w]!;
          if (x !== 0) inBlock += popcount32(x);
        }
        rank += inBlock;
      }
    }
    this.size = rank;
    return rank;
  }

  /** Rank of a marked PFN (after finalize()). */
  rank(pfn: number): number {
    const w = pfn >>> 5;
    const below = this.bits[w]! & ~(-1 << (pfn & 31));
    return this.blockRank[pfn >>> BLOCK_SHIFT]! + this.wordRank[w]! + popcount32(below);
  }

  /**
   * Calls visit(first, count, firstRank) for runs of marked PFNs in ascending order, each run
   * spanning at most maxEntries PFNs and bridging gaps of at most maxGap unmarked PFNs, over
   * the marked PFNs of blocks fromBlock <= b < toBlock: each of them is in exactly one run.
   */
  forEachRun(
    maxGap: number,
    maxEntries: number,
    fromBlock: number,
    toBlock: number,
    visit: (first: number, count: number, firstRank: number) => void,
  ): void {
    const bits = this.signedBits;
    const summary = this.signedSummary;
    let runFirst = -1;
    let runLast = -1;
    let runRank = 0;
    const endPfn = Math.min(toBlock * BLOCK_PFNS, this.limit);
    for (let s = fromBlock >>> 5; s < summary.length; s++) {
      let sword = summary[s]!;
      while (sword !== 0) {
        // ~(w - 1) is -w without an overflow when w is -2^31: the lowest set bit.
        const low = sword & ~(sword - 1);
        const b = (s << 5) + (31 - Math.clz32(low));
        sword ^= low;
        if (b < fromBlock) continue;
        if (b >= toBlock) {
          if (runFirst >= 0) visit(runFirst, runLast - runFirst + 1, runRank);
          return;
        }
        const first = b * WORDS_PER_BLOCK;
        const end = Math.min(first + WORDS_PER_BLOCK, bits.length);
        for (let w = first; w < end; w++) {
          let x = bits[w]!;
          while (x !== 0) {
            const lowBit = x & ~(x - 1);
            x ^= lowBit;
            const pfn = w * 32 + (31 - Math.clz32(lowBit));
            if (pfn >= endPfn) break;
            if (runFirst >= 0 && pfn - runLast <= maxGap + 1 && pfn - runFirst < maxEntries) {
              runLast = pfn;
            } else {
              if (runFirst >= 0) visit(runFirst, runLast - runFirst + 1, runRank);
              runRank = this.rank(pfn);
              runFirst = pfn;
              runLast = pfn;
            }
          }
        }
      }
    }
    if (runFirst >= 0) visit(runFirst, runLast - runFirst + 1, runRank);
  }

  /** Marked PFNs per block, for splitting the walk into balanced parts. */
  blocksInUse(): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.summary.length; s++) {
      let word = this.summary[s]!;
      while (word !== 0) {
        const low = word & -word;
        out.push((s << 5) + (31 - Math.clz32(low)));
        word ^= low;
      }
    }
    return out;
  }

  /** Unmarks everything (only the blocks in use are touched). */
  clear(): void {
    const { bits, summary } = this;
    for (let s = 0; s < summary.length; s++) {
      let word = summary[s]!;
      while (word !== 0) {
        const low = word & -word;
        const b = (s << 5) + (31 - Math.clz32(low));
        word ^= low;
        bits.fill(0, b * WORDS_PER_BLOCK, Math.min((b + 1) * WORDS_PER_BLOCK, bits.length));
      }
      summary[s] = 0;
    }
    this.size = 0;
  }
}
