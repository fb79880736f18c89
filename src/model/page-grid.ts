import {
  KPF_KSM,
  KPF_THP,
  KPF_ZERO_PAGE,
  PM_EXCLUSIVE,
  PM_FILE,
  PM_GUARD,
  PM_PRESENT,
  PM_SOFT_DIRTY,
  PM_SWAPPED,
  PM_UFFD_WP,
  PageKind,
  isDirtyPage,
  pageKind,
} from './page-bits.js';
import { lowerBound } from './search.js';
import type { Access, Mapping, PageTable, ProcessSample } from './types.js';

/**
 * What one page of a mapping is, for the page map. Shared pages are told apart by map count:
 * state Shared2 + (n − 2) for a page mapped n = 2..9 times.
 */
export const PageState = {
  /** Never touched, or a marker (guard region): no memory. */
  NotPresent: 0,
  /** Map count 1, clean (a file page read but not written). */
  PrivateClean: 1,
  /** Map count 1, dirty: what copy-on-write produces. */
  PrivateDirty: 2,
  Shared2: 3,
  Shared9: 10,
  Shared10Plus: 11,
  Swapped: 12,
  /** Present but the shared zero page: reads of never-written anonymous memory. */
  ZeroPage: 13,
  /** Part of a transparent huge page. */
  Thp: 14,
  /** Merged by KSM. */
  Ksm: 15,
  /** Present, map count not known (no CAP_SYS_ADMIN). */
  Unknown: 16,
  /** Present but not memory memtop counts: a PFN-mapped device page or hugetlb. */
  NotMemory: 17,
} as const;
export type PageState = number;
export const PAGE_STATE_COUNT = 18;

/** The map count a Shared* state stands for (10 for Shared10Plus, meaning ≥ 10). */
export function sharedCount(state: PageState): number {
  if (state >= PageState.Shared2 && state <= PageState.Shared10Plus) return state - 1;
  return Number.NaN;
}

/** Classifies one stored page row; without map counts ('flags' access) only "mapped once" is known. */
export function classifyPage(access: Access, pages: PageTable, row: number): PageState {
  const bits = pages.pagemapBits[row]!;
  if (access !== 'pages') {
    if (bits & PM_PRESENT) {
      return bits & PM_EXCLUSIVE && !(bits & PM_FILE) ? PageState.PrivateDirty : PageState.Unknown;
    }
    if (bits & PM_SWAPPED && !(bits & PM_GUARD)) return PageState.Swapped;
    return PageState.NotPresent;
  }
  const flags = pages.kpageFlags[row]!;
  const count = pages.mapCount[row]!;
  switch (pageKind(bits, flags, count)) {
    case PageKind.Swapped:
      return PageState.Swapped;
    case PageKind.Marker:
      return PageState.NotPresent;
    case PageKind.NotMemory:
      return flags & KPF_ZERO_PAGE || count === 0 ? PageState.ZeroPage : PageState.NotMemory;
    default:
      if (flags & KPF_KSM) return PageState.Ksm;
      if (flags & KPF_THP) return PageState.Thp;
      if (count >= 10) return PageState.Shared10Plus;
      if (count >= 2) return PageState.Shared2 + (count - 2);
      return isDirtyPage(flags) ? PageState.PrivateDirty : PageState.PrivateClean;
  }
}

/** Pages in a mapping (present or not). */
export function mappingPageCount(m: Pick<Mapping, 'start' | 'end'>, pageSize: number): number {
  return Math.ceil((m.end - m.start) / pageSize);
}

/** First row of the mapping's stored pages whose page index is ≥ pageIndex (rows are sorted). */
export function firstPageRow(pages: PageTable, m: Mapping, pageIndex: number): number {
  return lowerBound(pages.pageIndex, pageIndex, m.pageBegin, m.pageEnd);
}

/** The row of a page in the process's page table, or -1 when it is not stored (not present). */
export function findPageRow(pages: PageTable, m: Mapping, pageIndex: number): number {
  const row = firstPageRow(pages, m, pageIndex);
  return row < m.pageEnd && pages.pageIndex[row] === pageIndex ? row : -1;
}

/** A window of the page map: cells firstCell .. firstCell + cellCount − 1, pagesPerCell each. */
export interface GridWindow {
  pagesPerCell: number;
  firstCell: number;
  cellCount: number;
}

/**
 * The state of each cell in a window of a mapping's page map. A cell of several pages takes the
 * state most of its stored pages have (ties: the higher state); it is NotPresent only when none
 * of its pages is. Undefined when the process's pages were not read.
 */
export function computePageGrid(
  p: ProcessSample,
  m: Mapping,
  pageSize: number,
  w: GridWindow,
): Uint8Array | undefined {
  const pages = p.pages;
  if (!pages) return undefined;
  const pageCount = mappingPageCount(m, pageSize);
  const firstPage = w.firstCell * w.pagesPerCell;
  const endPage = Math.min(pageCount, (w.firstCell + w.cellCount) * w.pagesPerCell);
  const cells = new Uint8Array(w.cellCount);
  let row = firstPageRow(pages, m, firstPage);
  if (w.pagesPerCell === 1) {
    for (; row < m.pageEnd && pages.pageIndex[row]! < endPage; row++) {
      cells[pages.pageIndex[row]! - firstPage] = classifyPage(p.access, pages, row);
    }
    return cells;
  }
  const counts = new Uint32Array(w.cellCount * PAGE_STATE_COUNT);
  for (; row < m.pageEnd && pages.pageIndex[row]! < endPage; row++) {
    const cell = Math.floor((pages.pageIndex[row]! - firstPage) / w.pagesPerCell);
    const state = classifyPage(p.access, pages, row);
    if (state !== PageState.NotPresent) counts[cell * PAGE_STATE_COUNT + state]! += 1;
  }
  for (let cell = 0; cell < w.cellCount; cell++) {
    let best: number = PageState.NotPresent;
    let bestCount = 0;
    for (let s = 1; s < PAGE_STATE_COUNT; s++) {
      const n = counts[cell * PAGE_STATE_COUNT + s]!;
      if (n > 0 && n >= bestCount) {
        best = s;
        bestCount = n;
      }
    }
    cells[cell] = best;
  }
  return cells;
}

/** How many pages of pages firstPage .. firstPage + pageCount − 1 are in each state. */
export function countPageStates(
  p: ProcessSample,
  m: Mapping,
  pageSize: number,
  firstPage: number,
  pageCount: number,
): Uint32Array {
  const counts = new Uint32Array(PAGE_STATE_COUNT);
  const endPage = Math.min(mappingPageCount(m, pageSize), firstPage + pageCount);
  let stored = 0;
  const pages = p.pages;
  if (pages) {
    for (let row = firstPageRow(pages, m, firstPage); row < m.pageEnd; row++) {
      if (pages.pageIndex[row]! >= endPage) break;
      counts[classifyPage(p.access, pages, row)]! += 1;
      stored++;
    }
  }
  counts[PageState.NotPresent]! += Math.max(0, endPage - firstPage - stored);
  return counts;
}

/** kpageflags bit names (include/uapi/linux/kernel-page-flags.h), by bit number. */
export const KPF_NAMES = [
  'locked',
  'error',
  'referenced',
  'uptodate',
  'dirty',
  'lru',
  'active',
  'slab',
  'writeback',
  'reclaim',
  'buddy',
  'mmap',
  'anon',
  'swapcache',
  'swapbacked',
  'compound_head',
  'compound_tail',
  'huge',
  'unevictable',
  'hwpoison',
  'nopage',
  'ksm',
  'thp',
  'offline',
  'zero_page',
  'idle',
  'pgtable',
] as const;

const PM_NAMES: readonly [number, string][] = [
  [PM_PRESENT, 'present'],
  [PM_SWAPPED, 'swapped'],
  [PM_FILE, 'file/shared'],
  [PM_EXCLUSIVE, 'exclusive'],
  [PM_SOFT_DIRTY, 'soft-dirty'],
  [PM_UFFD_WP, 'uffd-wp'],
  [PM_GUARD, 'guard'],
];

/** Everything known about one page of a mapping, for the page map's status line. */
export interface PageDetail {
  pageIndex: number;
  address: number;
  state: PageState;
  /** kpagecount; NaN when unknown (not stored, or no CAP_SYS_ADMIN). */
  mapCount: number;
  /** Names of the pagemap bits set. */
  pagemapFlags: string[];
  /** Names of the kpageflags bits set (empty when unknown). */
  kpageFlags: string[];
  /** Page frame number; NaN when hidden or not present. */
  pfn: number;
}

export function describePage(
  p: ProcessSample,
  m: Mapping,
  pageSize: number,
  pageIndex: number,
): PageDetail {
  const detail: PageDetail = {
    pageIndex,
    address: m.start + pageIndex * pageSize,
    state: PageState.NotPresent,
    mapCount: Number.NaN,
    pagemapFlags: [],
    kpageFlags: [],
    pfn: Number.NaN,
  };
  const pages = p.pages;
  const row = pages ? findPageRow(pages, m, pageIndex) : -1;
  if (!pages || row < 0) return detail;
  const bits = pages.pagemapBits[row]!;
  detail.state = classifyPage(p.access, pages, row);
  detail.pagemapFlags = PM_NAMES.filter(([bit]) => bits & bit).map(([, name]) => name);
  if (p.access === 'pages') {
    detail.mapCount = pages.mapCount[row]!;
    const flags = pages.kpageFlags[row]!;
    detail.kpageFlags = KPF_NAMES.filter((_, bit) => flags & (1 << bit));
  }
  const pfn = pages.pfn[row]!;
  if (pfn > 0) detail.pfn = pfn;
  return detail;
}
