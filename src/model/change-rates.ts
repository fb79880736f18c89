/**
 * Page changes as rates, for the TUI's columns: copy-on-write breaks and pages that became
 * shared, in bytes per second over the interval between the two samples compared.
 */
import { Change, emptyChanges, perSecond, type PageChanges } from './changes.js';
import { firstPageRow } from './page-grid.js';
import type { Mapping, PageTable } from './types.js';

/** Rates of one process or mapping; NaN where the class cannot be known. */
export interface ChangeRates {
  /**
   * Copy-on-write breaks, bytes/s. Without PFNs, the pages that became private instead
   * (copy-on-write breaks plus pages others stopped sharing): an upper bound.
   */
  cowBytesPerSec: number;
  /** True when cowBytesPerSec counts pages that became private (no PFNs): an upper bound. */
  cowIsBound: boolean;
  /** Pages that became shared (map count 1 → ≥ 2), bytes/s. */
  becameSharedBytesPerSec: number;
}

const bytesPerSec = (pages: number | null, intervalMs: number, pageSize: number) => {
  const rate = perSecond(pages, intervalMs);
  return rate === null ? Number.NaN : rate * pageSize;
};

/** The rates of one set of page changes. */
export function computeChangeRates(
  changes: PageChanges,
  intervalMs: number,
  pageSize: number,
): ChangeRates {
  const bound = changes.cowBreaks === null && changes.becamePrivate !== undefined;
  return {
    cowBytesPerSec: bytesPerSec(
      bound ? changes.becamePrivate! : changes.cowBreaks,
      intervalMs,
      pageSize,
    ),
    cowIsBound: bound,
    becameSharedBytesPerSec: bytesPerSec(changes.becameShared, intervalMs, pageSize),
  };
}

const addKnown = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

/** Σ of several sets of page changes (a file's mappings); a class unknown in any is unknown. */
export function sumPageChanges(list: readonly PageChanges[]): PageChanges | undefined {
  const first = list[0];
  if (!first) return undefined;
  const total = emptyChanges(first.cowBreaks !== null);
  for (const c of list) {
    total.cowBreaks = addKnown(total.cowBreaks, c.cowBreaks);
    total.unsharedByOthers = addKnown(total.unsharedByOthers, c.unsharedByOthers);
    total.moved = addKnown(total.moved, c.moved);
    total.becameShared += c.becameShared;
    total.faultedIn += c.faultedIn;
    total.freed += c.freed;
    total.swappedOut += c.swappedOut;
    total.swappedIn += c.swappedIn;
    if (c.becamePrivate !== undefined)
      total.becamePrivate = (total.becamePrivate ?? 0) + c.becamePrivate;
  }
  return total;
}

/** A class of change in words, for the page map's status line. */
export function changeName(change: Change): string {
  switch (change) {
    case Change.CowBreak:
      return 'copy-on-write break';
    case Change.UnsharedByOthers:
      return 'unshared by others';
    case Change.BecameShared:
      return 'became shared';
    case Change.FaultedIn:
      return 'faulted in';
    case Change.Freed:
      return 'freed';
    case Change.SwappedOut:
      return 'swapped out';
    case Change.SwappedIn:
      return 'swapped in';
    case Change.Moved:
      return 'moved (new PFN)';
    case Change.BecamePrivate:
      return 'became private';
    default:
      return 'unchanged';
  }
}

export const CHANGE_CLASS_COUNT = 10;

/**
 * What changed in each cell of a window of a mapping's page map (cells firstCell ..
 * firstCell + cellCount − 1 of pagesPerCell pages): the most common change among its pages
 * (ties: the lower class, copy-on-write first), Change.None when none changed.
 */
export function computeChangeGrid(
  pages: PageTable,
  pageChanges: Uint8Array,
  m: Mapping,
  window: { pagesPerCell: number; firstCell: number; cellCount: number },
): Uint8Array {
  const { pagesPerCell, firstCell, cellCount } = window;
  const cells = new Uint8Array(cellCount);
  const firstPage = firstCell * pagesPerCell;
  const endPage = (firstCell + cellCount) * pagesPerCell;
  const counts = pagesPerCell > 1 ? new Uint32Array(cellCount * CHANGE_CLASS_COUNT) : undefined;
  for (let row = firstPageRow(pages, m, firstPage); row < m.pageEnd; row++) {
    const index = pages.pageIndex[row]!;
    if (index >= endPage) break;
    const change = pageChanges[row]!;
    if (change === Change.None) continue;
    const cell = Math.floor((index - firstPage) / pagesPerCell);
    if (counts) counts[cell * CHANGE_CLASS_COUNT + change]! += 1;
    else cells[cell] = change;
  }
  if (!counts) return cells;
  for (let cell = 0; cell < cellCount; cell++) {
    let best = 0;
    for (let c = 1; c < CHANGE_CLASS_COUNT; c++) {
      if (counts[cell * CHANGE_CLASS_COUNT + c]! > counts[cell * CHANGE_CLASS_COUNT + best]!)
        best = c;
    }
    cells[cell] = best;
  }
  return cells;
}

/** How many pages of pages firstPage .. firstPage + pageCount − 1 changed, per class. */
export function countPageChanges(
  pages: PageTable,
  pageChanges: Uint8Array,
  m: Mapping,
  firstPage: number,
  pageCount: number,
): Uint32Array {
  const counts = new Uint32Array(CHANGE_CLASS_COUNT);
  for (let row = firstPageRow(pages, m, firstPage); row < m.pageEnd; row++) {
    if (pages.pageIndex[row]! >= firstPage + pageCount) break;
    counts[pageChanges[row]!]! += 1;
  }
  counts[Change.None] = 0;
  return counts;
}
