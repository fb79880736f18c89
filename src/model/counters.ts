import { MemoryClass, PageKind, isDirtyPage, memoryClass, pageKind } from './page-bits.js';
import { PSS_SHIFT, type Counters, type PageTable } from './types.js';

/** A zeroed set of counters. */
export function emptyCounters(): Counters {
  return {
    rssBytes: 0,
    pssFixed: 0,
    ussBytes: 0,
    sharedBytes: 0,
    sharedCleanBytes: 0,
    sharedDirtyBytes: 0,
    privateCleanBytes: 0,
    privateDirtyBytes: 0,
    swapBytes: 0,
    anonBytes: 0,
    fileBytes: 0,
    shmemBytes: 0,
  };
}

/** PSS in whole bytes, rounded down as the kernel rounds it. */
export function pssBytes(counters: Pick<Counters, 'pssFixed'>): number {
  return Math.floor(counters.pssFixed / 2 ** PSS_SHIFT);
}

/** Adds b into a (a is a fresh accumulator owned by the caller). */
export function addCounters(into: Counters, from: Counters): Counters {
  into.rssBytes += from.rssBytes;
  into.pssFixed += from.pssFixed;
  into.ussBytes += from.ussBytes;
  into.sharedBytes += from.sharedBytes;
  into.sharedCleanBytes += from.sharedCleanBytes;
  into.sharedDirtyBytes += from.sharedDirtyBytes;
  into.privateCleanBytes += from.privateCleanBytes;
  into.privateDirtyBytes += from.privateDirtyBytes;
  into.swapBytes += from.swapBytes;
  into.anonBytes += from.anonBytes;
  into.fileBytes += from.fileBytes;
  into.shmemBytes += from.shmemBytes;
  return into;
}

/** Sums counters without touching the inputs. */
export function sumCounters(list: readonly Counters[]): Counters {
  const total = emptyCounters();
  for (const c of list) addCounters(total, c);
  return total;
}

/**
 * Counts rows begin..end-1 of a page table exactly as smaps_account() does: PSS per page is
 * (pageSize << 12) / mapcount with integer division, a page is private when its map count is
 * below 2, anonymous pages are dirty, file and shmem pages take kpageflags DIRTY.
 */
export function computeCounters(
  pages: PageTable,
  begin: number,
  end: number,
  pageSize: number,
): Counters {
  const c = emptyCounters();
  const { pagemapBits, kpageFlags, mapCount } = pages;
  const fullPss = pageSize * 2 ** PSS_SHIFT;
  for (let i = begin; i < end; i++) {
    const bits = pagemapBits[i]!;
    const flags = kpageFlags[i]!;
    const count = mapCount[i]!;
    const kind = pageKind(bits, flags, count);
    if (kind === PageKind.Swapped) {
      c.swapBytes += pageSize;
      continue;
    }
    if (kind !== PageKind.Resident) continue;
    c.rssBytes += pageSize;
    c.pssFixed += count >= 2 ? Math.floor(fullPss / count) : fullPss;
    const dirty = isDirtyPage(flags);
    if (count >= 2) {
      c.sharedBytes += pageSize;
      if (dirty) c.sharedDirtyBytes += pageSize;
      else c.sharedCleanBytes += pageSize;
    } else {
      c.ussBytes += pageSize;
      if (dirty) c.privateDirtyBytes += pageSize;
      else c.privateCleanBytes += pageSize;
    }
    const cls = memoryClass(flags);
    if (cls === MemoryClass.Anon) c.anonBytes += pageSize;
    else if (cls === MemoryClass.Shmem) c.shmemBytes += pageSize;
    else c.fileBytes += pageSize;
  }
  return c;
}
