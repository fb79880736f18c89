import type { PageTable } from '../model/types.js';
import { INFERRED_ANON_FLAGS, PM_EXCLUSIVE, PM_FILE, PM_PRESENT } from '../model/page-bits.js';
import { BLOCK_PFNS, PfnIndex, allocatePfnIndexBuffers } from './pfn-index.js';
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

/** A page table to fill, and how much of it must come from the kernel. */
export interface KpageRequest {
  table: PageTable;
  /**
   * Look every present page up (its rows are shown page by page). Otherwise a page pagemap
   * marks exclusive (bit 56) has map count 1 without a kpagecount read, and with `inferAnon`
   * an anonymous page (bit 61 clear) has INFERRED_ANON_FLAGS without a kpageflags read.
   */
  exact: boolean;
  inferAnon: boolean;
}

/**
 * Looks up /proc/kpagecount and /proc/kpageflags for the PFNs present in a sample that need
 * them: marked in PFN bitmaps (de-duplicated and ordered without sorting), read in runs
 * coalesced only across small gaps (never the whole file), and found again by rank.
 */
export class KpageReader {
  private readonly bytes = new Uint8Array(RUN_ENTRIES * 8);
  private readonly words = new Uint32Array(this.bytes.buffer);
  private readonly maxPfn: number;
  private readonly countIndex: PfnIndex;
  private readonly flagsIndex: PfnIndex;
  private counts: Uint32Array = new Uint32Array(0);
  private flags: Uint32Array = new Uint32Array(0);

  constructor(
    private readonly countFd: number,
    private readonly flagsFd: number,
  ) {
    this.maxPfn = readMaxPfn(countFd);
    this.countIndex = new PfnIndex(allocatePfnIndexBuffers(this.maxPfn, false));
    this.flagsIndex = new PfnIndex(allocatePfnIndexBuffers(this.maxPfn, false));
  }

  /** Fills mapCount and kpageFlags of every present page that has a PFN. */
  fill(requests: readonly KpageRequest[]): void {
    const { countIndex, flagsIndex } = this;
    const limit = countIndex.limit;
    countIndex.clear();
    flagsIndex.clear();
    for (const { table, exact, inferAnon } of requests) {
      const { pfn, pagemapBits } = table;
      for (let i = 0; i < table.count; i++) {
        const p = pfn[i]!;
        const bits = pagemapBits[i]!;
        if (p === 0 || (bits & PM_PRESENT) === 0 || p >= limit) continue;
        if (exact || (bits & PM_EXCLUSIVE) === 0) countIndex.mark(p);
        if (exact || !inferAnon || bits & PM_FILE) flagsIndex.mark(p);
      }
    }
    this.counts = this.lookUp(countIndex, this.countFd, this.counts);
    this.flags = this.lookUp(flagsIndex, this.flagsFd, this.flags);
    const { counts, flags } = this;
    for (const { table, exact, inferAnon } of requests) {
      const { pfn, pagemapBits, mapCount, kpageFlags } = table;
      for (let i = 0; i < table.count; i++) {
        const p = pfn[i]!;
        const bits = pagemapBits[i]!;
        if (p === 0 || (bits & PM_PRESENT) === 0) continue;
        if (p >= limit) {
          if (p < this.maxPfn) this.readOne(p, table, i);
          continue;
        }
        mapCount[i] = exact || (bits & PM_EXCLUSIVE) === 0 ? counts[countIndex.rank(p)]! : 1;
        kpageFlags[i] =
          exact || !inferAnon || bits & PM_FILE ? flags[flagsIndex.rank(p)]! : INFERRED_ANON_FLAGS;
      }
    }
  }

  /** Reads the low word of each marked PFN's entry into out[rank]. */
  private lookUp(index: PfnIndex, fd: number, out: Uint32Array): Uint32Array {
    const n = index.finalize();
    if (out.length < n) out = new Uint32Array(Math.max(n, out.length * 2));
    const bits = index.bits;
    const words = this.words;
    index.forEachRun(
      MAX_GAP,
      RUN_ENTRIES,
      0,
      Math.ceil(index.limit / BLOCK_PFNS),
      (first, entries, rank) => {
        const got = preadFully(fd, this.bytes, entries * 8, first * 8) >>> 3;
        for (let at = 0; at < entries; at++) {
          const p = first + at;
          if ((bits[p >>> 5]! & (1 << (p & 31))) === 0) continue;
          // Only the low words matter: map counts fit in 32 bits, stable flags are bits 0..26.
          out[rank++] = at < got ? words[2 * at]! : 0;
        }
      },
    );
    return out;
  }

  /** A PFN beyond the index (above 16 TiB of physical address space): read on its own. */
  private readOne(pfn: number, table: PageTable, row: number): void {
    const gotCount = preadFully(this.countFd, this.bytes, 8, pfn * 8);
    table.mapCount[row] = gotCount === 8 ? this.words[0]! : 0;
    const gotFlags = preadFully(this.flagsFd, this.bytes, 8, pfn * 8);
    table.kpageFlags[row] = gotFlags === 8 ? this.words[0]! : 0;
  }
}
