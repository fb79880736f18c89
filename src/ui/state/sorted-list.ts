import type { ViewSortKey } from '../../model/view-sort.js';
import {
  EMPTY_CURSOR,
  HOLD_MS,
  followSelection,
  holdOrder,
  moveCursor,
  type ListCursor,
  type Move,
} from './list-cursor.js';

/** A sortable list of keyed rows: its sort, its rows in drawn order, the selection. */
export interface SortedList<R extends { key: string }> {
  sortKey: ViewSortKey;
  reverse: boolean;
  rows: R[];
  cursor: ListCursor;
  /** The drawn order is held until then (ms), while the user moves through the list. */
  holdUntilMs: number;
}

export function emptySortedList<R extends { key: string }>(sortKey: ViewSortKey): SortedList<R> {
  return { sortKey, reverse: false, rows: [], cursor: EMPTY_CURSOR, holdUntilMs: 0 };
}

/** New rows (already sorted): the order is held while the user moves, the selection follows its row. */
export function refreshSortedList<R extends { key: string }, L extends SortedList<R>>(
  list: L,
  sorted: R[],
  nowMs: number,
  pageRows: number,
): L {
  const keyOf = (r: R) => r.key;
  const rows = nowMs < list.holdUntilMs ? holdOrder(sorted, keyOf, list.rows.map(keyOf)) : sorted;
  return { ...list, rows, cursor: followSelection(list.cursor, rows.map(keyOf), pageRows) };
}

/** Moves the selection and holds the order for a while. */
export function moveSortedList<R extends { key: string }, L extends SortedList<R>>(
  list: L,
  move: Move,
  nowMs: number,
  pageRows: number,
): L {
  const cursor = moveCursor(
    list.cursor,
    list.rows.map((r) => r.key),
    move,
    pageRows,
  );
  return { ...list, cursor, holdUntilMs: nowMs + HOLD_MS };
}

/** The selected row, if any. */
export function selectedRow<R extends { key: string }>(list: SortedList<R>): R | undefined {
  return list.rows[list.cursor.selectedIndex];
}
