import { MemoryClass, PageKind, isDirtyPage, memoryClass, pageKind } from './page-bits.js';
import { PSS_SHIFT, type Counters, type PageTable } from './types.js';

/** 1 << PSS_SHIFT, computed once (an exponentiation per page costs more than the rest). */
const PSS_ONE = 2 ** PSS_SHIFT;

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
  return Math.floor(counters.pssFixed / PSS_ONE);
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
 * Counters as numbers in a Float64Array, COUNTER_SLOTS per set, in this order: the form the
 * sampler accumulates them in (one set per mapping), without an object per mapping.
 */
export const COUNTER_KEYS = [
  'rssBytes',
  'pssFixed',
  'ussBytes',
  'sharedBytes',
  'sharedCleanBytes',
  'sharedDirtyBytes',
  'privateCleanBytes',
  'privateDirtyBytes',
  'swapBytes',
  'anonBytes',
  'fileBytes',
  'shmemBytes',
] as const satisfies readonly (keyof Counters)[];
export const COUNTER_SLOTS = COUNTER_KEYS.length;
const RSS = 0;
const PSS = 1;
const USS = 2;
const SHARED = 3;
const SHARED_CLEAN = 4;
const SHARED_DIRTY = 5;
const PRIVATE_CLEAN = 6;
const PRIVATE_DIRTY = 7;
const SWAP = 8;
const ANON = 9;
const FILE = 10;
const SHMEM = 11;

/** The counters stored at acc[at .. at + COUNTER_SLOTS). */
export function countersAt(acc: Float64Array, at: number): Counters {
  return {
    rssBytes: acc[at + RSS]!,
    pssFixed: acc[at + PSS]!,
    ussBytes: acc[at + USS]!,
    sharedBytes: acc[at + SHARED]!,
    sharedCleanBytes: acc[at + SHARED_CLEAN]!,
    sharedDirtyBytes: acc[at + SHARED_DIRTY]!,
    privateCleanBytes: acc[at + PRIVATE_CLEAN]!,
    privateDirtyBytes: acc[at + PRIVATE_DIRTY]!,
    swapBytes: acc[at + SWAP]!,
    anonBytes: acc[at + ANON]!,
    fileBytes: acc[at + FILE]!,
    shmemBytes: acc[at + SHMEM]!,
  };
}

/**
 * Adds n pages that all have these pagemap bits, kpageflags and map count into acc[at ..],
 * exactly as smaps_account() counts each of them: PSS per page is (pageSize << 12) / mapcount
 * with integer division, a page is private when its map count is below 2, anonymous pages are
 * dirty, file and shmem pages take kpageflags DIRTY. This is the one definition of the
 * accounting; every other counting function goes through it.
 */
export function accountPages(
  acc: Float64Array,
  at: number,
  n: number,
  pagemapBits: number,
  kpageFlags: number,
  mapCount: number,
  pageSize: number,
): void {
  const kind = pageKind(pagemapBits, kpageFlags, mapCount);
  const bytes = n * pageSize;
  if (kind === PageKind.Swapped) {
    acc[at + SWAP]! += bytes;
    return;
  }
  if (kind !== PageKind.Resident) return;
  const fullPss = pageSize * PSS_ONE;
  acc[at + RSS]! += bytes;
  acc[at + PSS]! += n * (mapCount >= 2 ? Math.floor(fullPss / mapCount) : fullPss);
  const dirty = isDirtyPage(kpageFlags);
  if (mapCount >= 2) {
    acc[at + SHARED]! += bytes;
    acc[at + (dirty ? SHARED_DIRTY : SHARED_CLEAN)]! += bytes;
  } else {
    acc[at + USS]! += bytes;
    acc[at + (dirty ? PRIVATE_DIRTY : PRIVATE_CLEAN)]! += bytes;
  }
  const cls = memoryClass(kpageFlags);
  acc[at + (cls === MemoryClass.Anon ? ANON : cls === MemoryClass.Shmem ? SHMEM : FILE)]! += bytes;
}

/** Adds rows begin..end-1 of a page table into acc[at ..], page by page (see accountPages). */
export function accountRows(
  acc: Float64Array,
  at: number,
  pages: PageTable,
  begin: number,
  end: number,
  pageSize: number,
): void {
  const { pagemapBits, kpageFlags, mapCount } = pages;
  for (let i = begin; i < end; i++) {
    accountPages(acc, at, 1, pagemapBits[i]!, kpageFlags[i]!, mapCount[i]!, pageSize);
  }
}

/**
 * Counts rows begin..end-1 of a page table exactly as smaps_account() does (see accountPages);
 * `scratch` (COUNTER_SLOTS numbers, overwritten) saves an allocation per call.
 */
export function computeCounters(
  pages: PageTable,
  begin: number,
  end: number,
  pageSize: number,
  scratch: Float64Array = new Float64Array(COUNTER_SLOTS),
): Counters {
  scratch.fill(0, 0, COUNTER_SLOTS);
  accountRows(scratch, 0, pages, begin, end, pageSize);
  return countersAt(scratch, 0);
}
