import { PM_PRESENT, PM_SWAPPED } from './page-bits.js';
import { findPageRow } from './page-grid.js';
import type { Mapping, ProcessSample } from './types.js';

/** One virtual page of a process, as its sample saw it. */
export interface PageFacts {
  /** The page's first address (the address asked about, rounded down to its page). */
  address: number;
  /** The mapping holding it. */
  mapping: Mapping;
  /** Its row in the process's page table; -1 when the table stores none (never touched). */
  row: number;
  isResident: boolean;
  isSwapped: boolean;
  /** Page frame number; 0 unless resident. */
  pfn: number;
  /** kpagecount; 0 unless resident. */
  mapCount: number;
}

/**
 * What the sample knows of the page holding `address` in process `p`: undefined when no
 * mapping of it holds the address. Without a page table (not read), every page is not resident.
 */
export function lookUpPage(
  p: Pick<ProcessSample, 'mappings' | 'pages'>,
  address: number,
  pageSize: number,
): PageFacts | undefined {
  const page = address - (address % pageSize);
  const mapping = p.mappings?.find((m) => page >= m.start && page < m.end);
  if (!mapping) return undefined;
  const pages = p.pages;
  const row = pages ? findPageRow(pages, mapping, (page - mapping.start) / pageSize) : -1;
  const bits = pages && row >= 0 ? pages.pagemapBits[row]! : 0;
  const isResident = (bits & PM_PRESENT) !== 0;
  return {
    address: page,
    mapping,
    row,
    isResident,
    isSwapped: (bits & PM_SWAPPED) !== 0,
    pfn: isResident ? pages!.pfn[row]! : 0,
    mapCount: isResident ? pages!.mapCount[row]! : 0,
  };
}
