import type { ViewSortKey } from '../../model/view-sort.js';
import { LIBRARY_COLUMNS, LIBRARY_USER_COLUMNS } from '../../columns/library-columns.js';
import { mappingColumns } from '../../columns/mapping-columns.js';
import { PROCESS_COLUMNS } from '../../columns/process-columns.js';
import { sortableColumns } from '../../columns/table.js';
import { listSource, processListRows, refreshAll, type AppState } from './app-state.js';
import { reshapeProcessList } from './process-list.js';

const SORTABLE = {
  processes: sortableColumns(PROCESS_COLUMNS),
  mappings: sortableColumns(mappingColumns(12)),
  libraries: sortableColumns(LIBRARY_COLUMNS),
  library: sortableColumns(LIBRARY_USER_COLUMNS),
};

/** The sortable columns of the list on screen (the process list's on other screens). */
export function sortable(
  state: AppState,
): readonly { sortKey?: ViewSortKey; pick?: string; title: string }[] {
  switch (state.screen) {
    case 'mappings':
    case 'libraries':
    case 'library':
      return SORTABLE[state.screen];
    default:
      return SORTABLE.processes;
  }
}

/** How the list on screen is sorted. */
export function currentSort(state: AppState): { sortKey: ViewSortKey; reverse: boolean } {
  switch (state.screen) {
    case 'mappings':
      return state.mappings;
    case 'libraries':
      return state.libs.files;
    case 'library':
      return state.libs.users;
    default:
      return state.processes;
  }
}

/** Applies a sort change to the list on screen; a held order is let go. */
export function resort(
  state: AppState,
  change: { sortKey?: ViewSortKey; reverse?: boolean },
  nowMs: number,
): AppState {
  const libs = state.libs;
  switch (state.screen) {
    case 'mappings':
      return refreshAll(
        { ...state, mappings: { ...state.mappings, ...change, holdUntilMs: 0 } },
        nowMs,
      );
    case 'libraries':
      return refreshAll(
        { ...state, libs: { ...libs, files: { ...libs.files, ...change, holdUntilMs: 0 } } },
        nowMs,
      );
    case 'library':
      return refreshAll(
        { ...state, libs: { ...libs, users: { ...libs.users, ...change, holdUntilMs: 0 } } },
        nowMs,
      );
    default: {
      const source = listSource(state);
      return {
        ...state,
        processes: reshapeProcessList(
          state.processes,
          change,
          source,
          nowMs,
          processListRows(state),
        ),
      };
    }
  }
}

/** Sorts by the next sortable column to the right (1) or left (−1). */
export function stepSort(state: AppState, step: 1 | -1, nowMs: number): AppState {
  const columns = sortable(state);
  const at = columns.findIndex((c) => c.sortKey === currentSort(state).sortKey);
  const next = columns[(at + step + columns.length) % columns.length]!;
  return resort(state, { sortKey: next.sortKey, reverse: false }, nowMs);
}

/** The column picked by its letter at the sort prompt. */
export function pickSort(state: AppState, letter: string, nowMs: number): AppState {
  const column = sortable(state).find((c) => c.pick === letter);
  return column?.sortKey
    ? resort(state, { sortKey: column.sortKey, reverse: false }, nowMs)
    : state;
}
