import type { PageTable } from '../model/types.js';
import { PM_PRESENT } from '../model/page-bits.js';
import { PfnIndex, allocatePfnIndexBuffers } from './pfn-index.js';
import { preadFully } from './proc-files.js';

/** Entries per kpagecount/kpageflags read. */
export const RUN_ENTRIES = 1 << 16;
/** Read across gaps of at most this many unneeded PFNs rather than issue another syscall. */
export const MAX_GAP = 5;
/** Far above any physical address space (2^52 bytes with 4 KiB pages). */
const PFN_SEARCH_LIMIT = 2 ** 40;

/**
 * The kernel's max_pfn: reads of kpagecount at or past it return no bytes, which a binary
 * search of one-entry preads finds in ~40 syscalls. PFNs at or above it have no page: map
 * count 0, no flags.
 */
export function readMaxPfn(countFd: number): number {
  const probe = new Uint8Array(8);
  let lo = 0;
  let hi = PFN_SEARCH_LIMIT;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (preadFully(countFd, probe, 8, mid * 8) === 8) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Looks up /proc/kpagecount and /proc/kpageflags for the PFNs present in a sample: marked in a
 * PFN bitmap (de-duplicated and ordered without sorting), read in runs coalesced only across
 * small gaps (never the whole file), and found again by rank.
 */
export class KpageReader {
  private readonly countBytes = new Uint8Array(RUN_ENTRIES * 8);
  private readonly flagBytes = new Uint8Array(RUN_ENTRIES * 8);
  private readonly countWords = new Uint32Array(this.countBytes.buffer);
  private readonly flagWords = new Uint32Array(this.flagBytes.buffer);
  private readonly maxPfn: number;
  private readonly index: PfnIndex;
  private counts = new Uint32Array(0);
  private flags = new Uint32Array(0);

  constructor(
    private readonly countFd: number,
    private readonly flagsFd: number,
  ) {
    this.maxPfn = readMaxPfn(countFd);
    this.index = new PfnIndex(allocatePfnIndexBuffers(this.maxPfn, false));
  }

  /** Fills mapCount and kpageFlags of every present page that has a PFN. */
  fill(tables: readonly PageTable[]): void {
    const index = this.index;
    const limit = index.limit;
    index.clear();
    for (const table of tables) {
      const { pfn, pagemapBits } = table;
      for (let i = 0; i < table.count; i++) {
        const p = pfn[i]!;
        if (p !== 0 && p < limit && pagemapBits[i]! & PM_PRESENT) index.mark(p);
      }
    }
    const n = index.finalize();
    if (this.counts.length < n) {
      this.counts = new Uint32Array(n);
      this.flags = new Uint32Array(n);
    }
    const { counts, flags, countWords, flagWords } = this;
    const bits = index.bits;
    index.forEachRun(MAX_GAP, RUN_ENTRIES, 0, Math.ceil(limit / 4096), (first, entries, rank) => {
      const gotCounts = preadFully(this.countFd, this.countBytes, entries * 8, first * 8) >>> 3;
      const gotFlags = preadFully(this.flagsFd, this.flagBytes, entries * 8, first * 8) >>> 3;
      for (let at = 0; at < entries; at++) {
        const p = first + at;
        if ((bits[p >>> 5]! & (1 << (p & 31))) === 0) continue;
        // Only the low words matter: map counts fit in 32 bits, stable flags are bits 0..26.
        counts[rank] = at < gotCounts ? countWords[2 * at]! : 0;
        flags[rank] = at < gotFlags ? flagWords[2 * at]! : 0;
        rank++;
      }
    });
    for (const table of tables) {
      const { pfn, pagemapBits, mapCount, kpageFlags } = table;
      for (let i = 0; i < table.count; i++) {
        const p = pfn[i]!;
        if (p === 0 || (pagemapBits[i]! & PM_PRESENT) === 0) continue;
        if (p < limit) {
          const r = index.rank(p);
          mapCount[i] = counts[r]!;
          kpageFlags[i] = flags[r]!;
        } else if (p < this.maxPfn) {
          this.readOne(p, table, i);
        }
      }
    }
  }

  /** A PFN beyond the index (above 16 TiB of physical address space): read on its own. */
  private readOne(pfn: number, table: PageTable, row: number): void {
    const gotCount = preadFully(this.countFd, this.countBytes, 8, pfn * 8);
    const gotFlags = preadFully(this.flagsFd, this.flagBytes, 8, pfn * 8);
    table.mapCount[row] = gotCount === 8 ? this.countWords[0]! : 0;
    table.kpageFlags[row] = gotFlags === 8 ? this.flagWords[0]! : 0;
  }
}
