import type { ProcessSample } from '../../model/types.js';
import type { ViewSortKey } from '../../model/view-sort.js';
import type { MappingRow } from '../../columns/mapping-columns.js';
import {
  EMPTY_CURSOR,
  HOLD_MS,
  followSelection,
  moveCursor,
  type ListCursor,
  type Move,
} from './list-cursor.js';
import {
  MappingSource,
  NO_EXTRAS,
  NO_MAPPING_ROWS,
  holdMappingRows,
  orderMappingRows,
  type MappingExtras,
  type MappingRows,
} from './mapping-rows.js';

export { NO_EXTRAS, type MappingExtras } from './mapping-rows.js';

/** The mapping view of one process: sort, grouping by file, rows in drawn order, selection. */
export interface MappingListState {
  sortKey: ViewSortKey;
  reverse: boolean;
  grouped: boolean;
  /** Keys of the file groups shown unfolded. */
  expanded: readonly string[];
  /** The rows in drawn order: an order over the process's mappings, rows built when drawn. */
  rows: MappingRows;
  cursor: ListCursor;
  holdUntilMs: number;
}

export function initialMappingList(): MappingListState {
  return {
    sortKey: 'address',
    reverse: false,
    grouped: false,
    expanded: [],
    rows: NO_MAPPING_ROWS,
    cursor: EMPTY_CURSOR,
    holdUntilMs: 0,
  };
}

/** The same list for another process: sort and grouping kept, selection and folds reset. */
export function resetMappingList(state: MappingListState): MappingListState {
  return { ...state, expanded: [], rows: NO_MAPPING_ROWS, cursor: EMPTY_CURSOR, holdUntilMs: 0 };
}

const sameOrder = (a: MappingRows['order'], b: MappingListState) =>
  a.sortKey === b.sortKey &&
  a.reverse === b.reverse &&
  a.grouped === b.grouped &&
  a.expanded.length === b.expanded.length &&
  a.expanded.every((k, i) => b.expanded[i] === k);

/** The rows of a process's mappings in drawn order (see orderMappingRows); reuses what it can. */
export function deriveMappingRows(
  state: MappingListState,
  process: ProcessSample | undefined,
  previous: ProcessSample | undefined,
  extras: MappingExtras = NO_EXTRAS,
): MappingRows {
  if (!process?.mappings) return NO_MAPPING_ROWS;
  const old = state.rows;
  const source = old.source?.isFor(process, previous, extras)
    ? old.source
    : new MappingSource(process, previous, extras, old.source);
  if (source === old.source && !old.isHeld && sameOrder(old.order, state)) return old;
  const { sortKey, reverse, grouped, expanded } = state;
  return orderMappingRows(source, { sortKey, reverse, grouped, expanded });
}

/**
 * Redraws the rows; the order is held while the user moves, the selection follows its mapping.
 * Once per sample (and per sort or fold change), never per key: a key only moves the cursor.
 */
export function refreshMappingList(
  state: MappingListState,
  process: ProcessSample | undefined,
  previous: ProcessSample | undefined,
  nowMs: number,
  pageRows: number,
  extras: MappingExtras = NO_EXTRAS,
): MappingListState {
  const sorted = deriveMappingRows(state, process, previous, extras);
  const isHeld = nowMs < state.holdUntilMs && sorted !== state.rows;
  const rows = isHeld ? holdMappingRows(sorted, state.rows) : sorted;
  return { ...state, rows, cursor: followSelection(state.cursor, rows, pageRows) };
}

/** Moves the selection and holds the order for a while: no work per mapping. */
export function moveMappingSelection(
  state: MappingListState,
  move: Move,
  nowMs: number,
  pageRows: number,
): MappingListState {
  const cursor = moveCursor(state.cursor, state.rows, move, pageRows);
  return { ...state, cursor, holdUntilMs: nowMs + HOLD_MS };
}

/** Folds or unfolds a file group. */
export function toggleGroup(state: MappingListState, key: string): MappingListState {
  const expanded = state.expanded.includes(key)
    ? state.expanded.filter((k) => k !== key)
    : [...state.expanded, key];
  return { ...state, expanded, holdUntilMs: 0 };
}

export function selectedMappingRow(state: MappingListState): MappingRow | undefined {
  return state.rows.at(state.cursor.selectedIndex);
}
