import type { LibraryUser } from '../model/libraries.js';
import type { Mapping } from '../model/types.js';
import { formatAddress } from '../format/size.js';
import { sanitize } from '../format/text.js';
import { counterColumn } from './counter-column.js';
import { LIBRARY_COLUMNS, librarySizeColumns, type LibraryRow } from './library-columns.js';
import { PROCESS_COLUMNS, type ProcessRow } from './process-columns.js';
import { SHARE_COLUMNS } from './share-columns.js';
import type { Column } from './table.js';

/*
 * The text tables of the commands (`memtop snapshot`, batch frames, `libs`, `shares`): the
 * interactive lists' own columns, chosen by id and given the wider cells of a log, laid out
 * without a width limit (see unboundedLayout).
 */

/** Columns of `all` by id, in the order given, each changed by its entry in `changes`. */
function take<R>(
  all: readonly Column<R>[],
  changes: Readonly<Record<string, Partial<Column<R>>>>,
): Column<R>[] {
  return Object.entries(changes).map(([id, change]) => {
    const column = all.find((c) => c.id === id);
    if (!column) throw new TypeError(`No column "${id}" to take`);
    return { ...column, ...change };
  });
}

/** No sort mark: the text table marks only the size it is sorted by. */
const UNMARKED = { sortKey: undefined };
const SIZE = { width: 10 };

/** The process table: PID, USER, the sizes, AGE (`ages`: a frame within a budget), COMMAND. */
export function processTextColumns(ages: boolean): Column<ProcessRow>[] {
  return take(PROCESS_COLUMNS, {
    pid: UNMARKED,
    user: { width: 9 },
    uss: SIZE,
    pss: SIZE,
    rss: SIZE,
    shared: SIZE,
    dirty: SIZE,
    swap: SIZE,
    ...(ages ? { age: {} } : {}),
    command: UNMARKED,
  });
}

/** The counters of the text table, in its order, for any row's counters. */
const TEXT_COUNTERS = ['uss', 'pss', 'rss', 'shared', 'privateDirty', 'swap'];

/** A blank cell under columns a line has nothing for. */
function blank<R>(id: string, width: number): Column<R> {
  return { id, title: '', width, align: 'left', priority: 0, text: () => '' };
}

/** A maps-style description of a mapping: "7f..-7f.. r-xp /usr/lib/libc.so.6". */
export function mapsStyleLabel(m: Mapping): string {
  return `${formatAddress(m.start)}-${formatAddress(m.end)} ${m.perms} ${sanitize(m.path) || '[anon]'}`;
}

/** A mapping under its process (--mappings): its sizes under the process's, then its label. */
export const MAPPING_TEXT_COLUMNS: readonly Column<Mapping>[] = [
  blank('under-pid-user', 7 + 1 + 9),
  ...TEXT_COUNTERS.map((name) =>
    counterColumn(name, { counters: (m: Mapping) => m.counters, width: 10, priority: 0 }),
  ),
  {
    id: 'mapping',
    title: '',
    width: 0,
    align: 'left',
    flex: true,
    priority: 0,
    text: mapsStyleLabel,
  },
];

/** `memtop libs`: PROCS, the sizes, RATIO, FILE. */
export const LIBRARY_TEXT_COLUMNS: readonly Column<LibraryRow>[] = take(LIBRARY_COLUMNS, {
  procs: { width: 6 },
  rss: SIZE,
  pss: SIZE,
  private: SIZE,
  dirty: SIZE,
  shared: SIZE,
  ratio: { width: 6 },
  path: {},
});

/** `memtop libs -u`: a process under its file, its sizes under the file's, then "PID comm". */
export const LIBRARY_USER_TEXT_COLUMNS: readonly Column<LibraryUser>[] = [
  blank('under-procs', 6),
  ...librarySizeColumns((u: LibraryUser) => u.counters, false).map((c) => ({ ...c, width: 10 })),
  blank('under-ratio', 6),
  {
    id: 'process',
    title: '',
    width: 0,
    align: 'left',
    flex: true,
    priority: 0,
    text: (u) => `${u.pid} ${sanitize(u.comm)}`,
  },
];

/** `memtop shares PID`: PID, SHARED, MAPPINGS, COMMAND. */
export const SHARE_TEXT_COLUMNS = take(SHARE_COLUMNS, {
  pid: {},
  shared: {},
  mappings: {},
  command: {},
});
