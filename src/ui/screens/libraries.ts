import { LIBRARY_COLUMNS } from '../../columns/library-columns.js';
import { sortableColumns, type Column } from '../../columns/table.js';
import { simpleListRows, type AppState } from '../state/app-state.js';
import { openLibrary, refreshLibraries, type LibrariesState } from '../state/library-list.js';
import { moveSortedList, selectedRow } from '../state/sorted-list.js';
import { librariesScreenLines } from '../views/library-view.js';
import type { Screen, ScreenSort } from './screen.js';

/** Redraws both lists of the libraries view (every file, the one drilled into) from the latest report. */
export function refreshLibraryLists(state: AppState, nowMs: number): AppState {
  const rows = simpleListRows(state);
  return { ...state, libs: refreshLibraries(state.libs, state.libraries, nowMs, rows) };
}

/** Moving through one of the two lists. */
export function moveLibraryList(which: 'files' | 'users'): Screen['move'] {
  return (state, move, { nowMs }) => {
    const list = moveSortedList(state.libs[which], move, nowMs, simpleListRows(state));
    return { ...state, libs: { ...state.libs, [which]: list } as LibrariesState };
  };
}

/** Sorting one of the two lists by its columns. */
export function sortLibraryList<R>(
  which: 'files' | 'users',
  columns: readonly Column<R>[],
): ScreenSort {
  return {
    columns: sortableColumns(columns),
    current: (state) => state.libs[which],
    apply(state, change, ctx) {
      const list = { ...state.libs[which], ...change, holdUntilMs: 0 };
      return ctx.refresh({ ...state, libs: { ...state.libs, [which]: list } as LibrariesState });
    },
  };
}

/** Every mapped file across all processes (l on the list); Enter shows who maps one. */
export const libraries: Screen = {
  id: 'libraries',
  name: 'libraries',
  refresh: (state, { nowMs }) => refreshLibraryLists(state, nowMs),
  move: moveLibraryList('files'),
  open(state, ctx) {
    const row = selectedRow(state.libs.files);
    if (!row) return state;
    return ctx.refresh({ ...state, screen: 'library', libs: openLibrary(state.libs, row.key) });
  },
  back: (state, ctx) => ctx.refresh({ ...state, screen: 'processes' }),
  sort: sortLibraryList('files', LIBRARY_COLUMNS),
  prompts: {
    filter: {
      kind: 'path',
      text: (state) => state.libs.filter,
      apply(state, filter, ctx) {
        const files = { ...state.libs.files, holdUntilMs: 0 };
        return ctx.refresh({ ...state, libs: { ...state.libs, filter, files } });
      },
    },
  },
  lines: librariesScreenLines,
  intents: () => ({ libraries: true }),
};
