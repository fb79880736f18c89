import { sharingRatio, type Library, type LibraryUser } from '../model/libraries.js';
import type { Counters } from '../model/types.js';
import { sanitize } from '../format/text.js';
import { counterColumn } from './counter-column.js';
import type { Column } from './table.js';

/** One mapped file in the libraries view. */
export interface LibraryRow {
  /** dev:inode */
  key: string;
  library: Library;
}

/** One process mapping the file the libraries view drilled into. */
export interface LibraryUserRow {
  /** pid:startTime */
  key: string;
  user: LibraryUser;
}

/**
 * The size columns a file and its users share: Σ RSS, Σ PSS (`sum`: titled so), private
 * (USS), private dirty, shared.
 */
export function librarySizeColumns<R>(counters: (row: R) => Counters, sum: boolean): Column<R>[] {
  const s = sum ? 'Σ' : '';
  return [
    counterColumn('rss', { counters, width: 9, priority: 1, title: `${s}RSS` }),
    counterColumn('pss', { counters, width: 9, priority: 1, title: `${s}PSS` }),
    counterColumn('uss', { counters, width: 9, priority: 0, title: 'PRIVATE', id: 'private' }),
    counterColumn('privateDirty', { counters, width: 10, priority: 3 }),
    counterColumn('shared', { counters, width: 9, priority: 0 }),
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
  ...librarySizeColumns((r: LibraryRow) => r.library.counters, true),
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
  ...librarySizeColumns((r: LibraryUserRow) => r.user.counters, false),
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
