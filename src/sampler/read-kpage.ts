import type { PageTable } from '../model/types.js';
import { PM_PRESENT } from '../model/page-bits.js';
import { preadFully } from './proc-files.js';

/** Entries per kpagecount/kpageflags read. */
const RUN_ENTRIES = 1 << 16;
/** Read across gaps of at most this many unneeded PFNs rather than issue another syscall. */
const MAX_GAP = 5;

/**
 * Looks up /proc/kpagecount and /proc/kpageflags for the PFNs present in a sample: sorted,
 * de-duplicated, and read in runs coalesced only across small gaps (never the whole file).
 */
export class KpageReader {
  private readonly countBytes = new Uint8Array(RUN_ENTRIES * 8);
  private readonly flagBytes = new Uint8Array(RUN_ENTRIES * 8);
  private readonly countWords = new Uint32Array(this.countBytes.buffer);
  private readonly flagWords = new Uint32Array(this.flagBytes.buffer);

  constructor(
    private readonly countFd: number,
    private readonly flagsFd: number,
  ) {}

  /** Fills mapCount and kpageFlags of every present page that has a PFN. */
  fill(tables: readonly PageTable[]): void {
    const pfns = uniqueSortedPfns(tables);
    const counts = new Uint32Array(pfns.length);
    const flags = new Uint32Array(pfns.length);
    for (let j = 0; j < pfns.length;) {
      const first = pfns[j]!;
      let k = j;
      while (
        k + 1 < pfns.length &&
        pfns[k + 1]! - pfns[k]! <= MAX_GAP + 1 &&
        pfns[k + 1]! - first < RUN_ENTRIES
      ) {
        k++;
      }
      const entries = pfns[k]! - first + 1;
      const gotCounts = preadFully(this.countFd, this.countBytes, entries * 8, first * 8) >>> 3;
      const gotFlags = preadFully(this.flagsFd, this.flagBytes, entries * 8, first * 8) >>> 3;
      for (let u = j; u <= k; u++) {
        const at = pfns[u]! - first;
        // Only the low words matter: map counts fit in 32 bits, stable flags are bits 0..26.
        counts[u] = at < gotCounts ? this.countWords[2 * at]! : 0;
        flags[u] = at < gotFlags ? this.flagWords[2 * at]! : 0;
      }
      j = k + 1;
    }
    for (const table of tables) {
      for (let i = 0; i < table.count; i++) {
        const pfn = table.pfn[i]!;
        if (pfn === 0 || (table.pagemapBits[i]! & PM_PRESENT) === 0) continue;
        const u = indexOf(pfns, pfn);
        table.mapCount[i] = counts[u]!;
        table.kpageFlags[i] = flags[u]!;
      }
    }
  }
}

function uniqueSortedPfns(tables: readonly PageTable[]): Float64Array {
  let total = 0;
  for (const t of tables) total += t.count;
  const all = new Float64Array(total);
  let n = 0;
  for (const t of tables) {
    for (let i = 0; i < t.count; i++) {
      const pfn = t.pfn[i]!;
      if (pfn !== 0 && t.pagemapBits[i]! & PM_PRESENT) all[n++] = pfn;
    }
  }
  const sorted = all.subarray(0, n).sort();
  let u = 0;
  for (let i = 0; i < n; i++) {
    if (u === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i]!;
  }
  return sorted.subarray(0, u);
}

function indexOf(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
