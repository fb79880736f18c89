import type { LibraryRow, LibraryUserRow } from '../../columns/library-columns.js';
import { processKey } from '../../model/delta.js';
import { sharingRatio, type Library } from '../../model/libraries.js';
import { sortRowsBy } from '../../model/view-sort.js';
import type { LibrariesReport } from '../../store/contract.js';
import { EMPTY_CURSOR } from './list-cursor.js';
import { emptySortedList, refreshSortedList, type SortedList } from './sorted-list.js';

/** The libraries view: every mapped file, filtered by path; and the one file drilled into. */
export interface LibrariesState {
  files: SortedList<LibraryRow>;
  /** Shows only files whose path holds this text (case-insensitive). */
  filter: string;
  /** The file drilled into (dev:inode) and its users. */
  fileKey: string | undefined;
  users: SortedList<LibraryUserRow>;
}

export const INITIAL_LIBRARIES: LibrariesState = {
  files: emptySortedList<LibraryRow>('rss'),
  filter: '',
  fileKey: undefined,
  users: emptySortedList<LibraryUserRow>('uss'),
};

/** The libraries view opened afresh (filter and drill-in cleared), sorted as it was. */
export function reopenLibraries(state: LibrariesState): LibrariesState {
  const { files, users } = state;
  return {
    ...INITIAL_LIBRARIES,
    files: { ...INITIAL_LIBRARIES.files, sortKey: files.sortKey, reverse: files.reverse },
    users: { ...INITIAL_LIBRARIES.users, sortKey: users.sortKey, reverse: users.reverse },
  };
}

/** The files of a report, filtered and sorted. */
export function deriveLibraryRows(
  report: LibrariesReport | undefined,
  filter: string,
  list: SortedList<LibraryRow>,
): LibraryRow[] {
  const needle = filter.toLowerCase();
  const shown = (report?.libraries ?? []).filter(
    (lib) => needle === '' || lib.path.toLowerCase().includes(needle),
  );
  const sorted = sortRowsBy(shown, list.sortKey, list.reverse, (lib) => ({
    counters: lib.counters,
    deltaBytes: Number.NaN,
    id: Number(lib.key.split(':').at(-1)),
    name: lib.path,
    sizeBytes: lib.counters.rssBytes,
    values: { procs: lib.users.length, ratio: sharingRatio(lib.counters) },
  }));
  return sorted.map((library) => ({ key: library.key, library }));
}

/** The processes mapping one file, sorted. */
export function deriveLibraryUserRows(
  library: Library | undefined,
  list: SortedList<LibraryUserRow>,
): LibraryUserRow[] {
  const sorted = sortRowsBy(library?.users ?? [], list.sortKey, list.reverse, (u) => ({
    counters: u.counters,
    deltaBytes: Number.NaN,
    id: u.pid,
    name: u.comm,
    sizeBytes: u.counters.rssBytes,
  }));
  return sorted.map((user) => ({ key: processKey(user), user }));
}

/** The file drilled into, in the latest report. */
export function drilledLibrary(
  state: LibrariesState,
  report: LibrariesReport | undefined,
): Library | undefined {
  return state.fileKey === undefined
    ? undefined
    : report?.libraries.find((lib) => lib.key === state.fileKey);
}

/** Redraws both lists from the latest report. */
export function refreshLibraries(
  state: LibrariesState,
  report: LibrariesReport | undefined,
  nowMs: number,
  pageRows: number,
): LibrariesState {
  const files = refreshSortedList(
    state.files,
    deriveLibraryRows(report, state.filter, state.files),
    nowMs,
    pageRows,
  );
  const users = refreshSortedList(
    state.users,
    deriveLibraryUserRows(drilledLibrary(state, report), state.users),
    nowMs,
    pageRows,
  );
  return { ...state, files, users };
}

/** Drills into a file: its users from the top. */
export function openLibrary(state: LibrariesState, key: string): LibrariesState {
  return {
    ...state,
    fileKey: key,
    users: { ...state.users, rows: [], cursor: EMPTY_CURSOR, holdUntilMs: 0 },
  };
}
