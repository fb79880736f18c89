import { pssBytes } from '../model/counters.js';
import type { SortKey } from '../model/sort.js';
import type { Counters } from '../model/types.js';
import { fit, formatBytes } from '../format/size.js';

/** A size column: data, not code, so that the table, the TUI and the help all agree. */
export interface SizeColumn {
  title: string;
  sortKey: SortKey;
  value: (c: Counters) => number;
  /** What the column means, for --help and the TUI's help screen. */
  description: string;
}

export const SIZE_WIDTH = 10;

export const SIZE_COLUMNS: readonly SizeColumn[] = [
  {
    title: 'USS',
    sortKey: 'uss',
    value: (c) => c.ussBytes,
    description: 'pages only this process maps (map count 1)',
  },
  {
    title: 'PSS',
    sortKey: 'pss',
    value: (c) => pssBytes(c),
    description: 'Σ page size / map count',
  },
  {
    title: 'RSS',
    sortKey: 'rss',
    value: (c) => c.rssBytes,
    description: 'resident pages (zero page excluded)',
  },
  {
    title: 'SHARED',
    sortKey: 'shared',
    value: (c) => c.sharedBytes,
    description: 'resident pages with map count ≥ 2',
  },
  {
    title: 'PRIV-DIRTY',
    sortKey: 'dirty',
    value: (c) => c.privateDirtyBytes,
    description: 'private pages that are dirty (anonymous, or not yet written back)',
  },
  { title: 'SWAP', sortKey: 'swap', value: (c) => c.swapBytes, description: 'pages in swap' },
];

/** The size cells of one row, each right-aligned to SIZE_WIDTH. */
export function sizeCells(c: Counters, restricted: boolean): string[] {
  return SIZE_COLUMNS.map((col) => {
    if (restricted && col.title === 'USS') return fit('restricted', SIZE_WIDTH, 'right');
    return fit(formatBytes(col.value(c)), SIZE_WIDTH, 'right');
  });
}

/** Size column titles, the sort key's marked with an arrow. */
export function sizeTitles(sortKey?: SortKey, reverse = false): string[] {
  return SIZE_COLUMNS.map((col) => {
    const mark = col.sortKey === sortKey ? (reverse ? '▲' : '▼') : '';
    return fit(mark + col.title, SIZE_WIDTH, 'right');
  });
}
