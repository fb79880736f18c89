import { PM_EXCLUSIVE, PM_FILE, PM_PRESENT, PageKind, isDirtyPage, pageKind } from './page-bits.js';
import type { Access, PageTable } from './types.js';

/**
 * The value the 2006 /proc/PID/pagemaps patch printed for one page: its map count, negative
 * when the page is dirty, 0 when it is not resident (never touched, swapped, the zero page).
 * NaN where the count is unknown (no PFNs: only "mapped once" can be told from pagemap).
 */
export function signedMapCount(access: Access, pages: PageTable, row: number): number {
  const bits = pages.pagemapBits[row]!;
  if (access === 'pages') {
    const flags = pages.kpageFlags[row]!;
    const count = pages.mapCount[row]!;
    if (pageKind(bits, flags, count) !== PageKind.Resident) return 0;
    return isDirtyPage(flags) ? -count : count;
  }
  if ((bits & PM_PRESENT) === 0) return 0;
  // Mapped exactly once, and anonymous (so dirty, and not the zero page, which is never exclusive).
  if (bits & PM_EXCLUSIVE && (bits & PM_FILE) === 0) return -1;
  return Number.NaN;
}
