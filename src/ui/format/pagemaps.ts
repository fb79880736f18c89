import { signedMapCount } from '../../model/pagemaps.js';
import type { Mapping, ProcessSample } from '../../model/types.js';
import { formatAddress } from './size.js';
import { sanitize } from './text.js';

/** Pages per line: one page table's worth, as the original listing wrapped. */
export const PAGES_PER_LINE = 512;

/** A maps line as the kernel prints it: the header padded to column 73 before the path. */
export function formatMapsLine(m: Mapping): string {
  const head =
    `${formatAddress(m.start)}-${formatAddress(m.end)} ${m.perms} ` +
    `${m.offset.toString(16).padStart(8, '0')} ${m.dev} ${m.inode} `;
  return m.path ? `${head.padEnd(72)} ${sanitize(m.path)}` : head;
}

/**
 * The /proc/PID/pagemaps listing, line by line: each mapping's maps line, then one signed map
 * count per page (see signedMapCount), "?" where unknown, 512 to a line. A generator, because a
 * 64 GiB reservation is 16 Mi pages.
 */
export function* formatPagemaps(p: ProcessSample, pageSize: number): Generator<string> {
  const pages = p.pages;
  for (const m of p.mappings ?? []) {
    yield formatMapsLine(m);
    const pageCount = (m.end - m.start) / pageSize;
    let row = m.pageBegin;
    for (let first = 0; first < pageCount; first += PAGES_PER_LINE) {
      const last = Math.min(first + PAGES_PER_LINE, pageCount);
      const cells = new Array<string>(last - first);
      for (let i = first; i < last; i++) {
        let value = 0;
        if (pages && row < m.pageEnd && pages.pageIndex[row] === i)
          value = signedMapCount(p.access, pages, row++);
        cells[i - first] = Number.isNaN(value) ? '?' : String(value);
      }
      yield cells.join(' ');
    }
  }
}
