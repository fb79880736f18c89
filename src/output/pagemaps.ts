import { signedMapCount } from '../model/pagemaps.js';
import type { Mapping, ProcessSample } from '../model/types.js';
import { formatAddress } from '../format/size.js';
import { sanitize } from '../format/text.js';

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
 * count per page (see signedMapCount), "?" where unknown, 512 to a line. A run of whole lines
 * of pages that are not resident is printed as its first line and one line `* N more lines of
 * 0`, found from the resident pages alone: a 16 TiB sparse mapping is a few lines, not 8 GiB
 * of zeros, and costs what its resident pages cost. A generator, because a dense mapping can
 * still be millions of pages.
 */
export function* formatPagemaps(p: ProcessSample, pageSize: number): Generator<string> {
  const pages = p.pages;
  for (const m of p.mappings ?? []) {
    yield formatMapsLine(m);
    const pageCount = (m.end - m.start) / pageSize;
    let row = m.pageBegin;
    for (let first = 0; first < pageCount;) {
      const last = Math.min(first + PAGES_PER_LINE, pageCount);
      // The first page with a row from here on: the lines before its line hold none.
      const next = pages && row < m.pageEnd ? pages.pageIndex[row]! : pageCount;
      const emptyLines = Math.floor((next - first) / PAGES_PER_LINE);
      if (emptyLines >= 2 && last - first === PAGES_PER_LINE) {
        const whole = Math.min(emptyLines, Math.floor((pageCount - first) / PAGES_PER_LINE));
        yield ZERO_LINE;
        if (whole > 1) yield `* ${whole - 1} more lines of 0`;
        first += whole * PAGES_PER_LINE;
        continue;
      }
      const cells = new Array<string>(last - first);
      for (let i = first; i < last; i++) {
        let value = 0;
        if (pages && row < m.pageEnd && pages.pageIndex[row] === i)
          value = signedMapCount(p.access, pages, row++);
        cells[i - first] = Number.isNaN(value) ? '?' : String(value);
      }
      yield cells.join(' ');
      first = last;
    }
  }
}

const ZERO_LINE = new Array<string>(PAGES_PER_LINE).fill('0').join(' ');
