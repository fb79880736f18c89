import { pssBytes } from '../model/counters.js';
import { sharingRatio } from '../model/libraries.js';
import type { Counters } from '../model/types.js';
import { sanitize } from '../format/text.js';
import { sizeText } from './process-columns.js';
import type { LibraryRow, LibraryUserRow } from '../ui/state/library-list.js';
import type { Column } from './table.js';

/** The size columns a file and its users share: Σ RSS, Σ PSS, private (USS), private dirty, shared. */
function sizeColumns<R>(counters: (row: R) => Counters, sum: boolean): Column<R>[] {
  const s = sum ? 'Σ' : '';
  return [
    {
      id: 'rss',
      title: `${s}RSS`,
      width: 9,
      align: 'right',
      priority: 1,
      sortKey: 'rss',
      pick: 'r',
      text: (r) => sizeText(counters(r).rssBytes),
    },
    {
      id: 'pss',
      title: `${s}PSS`,
      width: 9,
      align: 'right',
      priority: 1,
      sortKey: 'pss',
      pick: 'p',
      text: (r) => sizeText(pssBytes(counters(r))),
    },
    {
      id: 'private',
      title: 'PRIVATE',
      width: 9,
      align: 'right',
      priority: 0,
      sortKey: 'uss',
      pick: 'u',
      text: (r) => sizeText(counters(r).ussBytes),
    },
    {
      id: 'dirty',
      title: 'PRIV-DIRTY',
      width: 10,
      align: 'right',
      priority: 3,
      sortKey: 'dirty',
      pick: 'd',
      text: (r) => sizeText(counters(r).privateDirtyBytes),
    },
    {
      id: 'shared',
      title: 'SHARED',
      width: 9,
      align: 'right',
      priority: 0,
      sortKey: 'shared',
      pick: 's',
      text: (r) => sizeText(counters(r).sharedBytes),
    },
  ];
}

/** Σ RSS / Σ PSS with one decimal: "-" when nothing is resident. */
export function ratioText(c: Counters): string {
  const ratio = sharingRatio(c);
  return Number.isNaN(ratio) ? '-' : ratio.toFixed(1);
}

/** The libraries view: one row per mapped file across all processes. */
export const LIBRARY_COLUMNS: readonly Column<LibraryRow>[] = [
  {
    id: 'procs',
    title: 'PROCS',
    width: 5,
    align: 'right',
    priority: 0,
    sortKey: 'procs',
    pick: 'k',
    text: (r) => String(r.library.users.length),
  },
  ...sizeColumns((r: LibraryRow) => r.library.counters, true),
  {
    id: 'ratio',
    title: 'RATIO',
    width: 5,
    align: 'right',
    priority: 2,
    sortKey: 'ratio',
    pick: 't',
    text: (r) => ratioText(r.library.counters),
  },
  {
    id: 'path',
    title: 'FILE',
    width: 30,
    minWidth: 12,
    align: 'left',
    flex: true,
    priority: 0,
    sortKey: 'name',
    pick: 'n',
    keepEnd: true,
    text: (r) => sanitize(r.library.path),
  },
];

/** One file drilled into: the processes mapping it and what each holds of it. */
export const LIBRARY_USER_COLUMNS: readonly Column<LibraryUserRow>[] = [
  {
    id: 'pid',
    title: 'PID',
    width: 7,
    align: 'right',
    priority: 0,
    sortKey: 'pid',
    pick: 'i',
    text: (r) => String(r.user.pid),
  },
  ...sizeColumns((r: LibraryUserRow) => r.user.counters, false),
  {
    id: 'command',
    title: 'COMMAND',
    width: 20,
    minWidth: 8,
    align: 'left',
    flex: true,
    priority: 0,
    sortKey: 'name',
    pick: 'n',
    text: (r) => sanitize(r.user.comm),
  },
];
