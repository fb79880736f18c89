/**
 * Selection and scrolling of a list whose rows re-sort under the user: the selection is a row
 * key (pid and start time, or a mapping's address), never an index.
 */
export interface ListCursor {
  selectedKey: string | undefined;
  /** Where the selection is drawn; also where it stays when its row disappears. */
  selectedIndex: number;
  scrollTop: number;
}

export const EMPTY_CURSOR: ListCursor = { selectedKey: undefined, selectedIndex: 0, scrollTop: 0 };

export type Move = 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end';

/** How long the order is held after the user last moved, as htop holds it (ms). */
export const HOLD_MS = 5000;

function clampScroll(index: number, scrollTop: number, count: number, pageRows: number): number {
  const rows = Math.max(1, pageRows);
  let top = Math.min(scrollTop, Math.max(0, count - rows));
  if (index < top) top = index;
  if (index >= top + rows) top = index - rows + 1;
  return Math.max(0, top);
}

/**
 * Rows a cursor moves over, by position: a list too long to hold a key per row (200,000
 * mappings) gives keys on demand.
 */
export interface KeyedRows {
  readonly length: number;
  keyAt(index: number): string;
  /** −1 when no row has that key. */
  indexOfKey(key: string): number;
}

/** An array of keys as KeyedRows. */
export function keyedRows(keys: readonly string[]): KeyedRows {
  return {
    length: keys.length,
    keyAt: (i) => keys[i]!,
    indexOfKey: (key) => keys.indexOf(key),
  };
}

/** Re-finds the selected key in new rows; when its row is gone, the selection stays where it was. */
export function followSelection(
  cursor: ListCursor,
  keys: readonly string[] | KeyedRows,
  pageRows: number,
): ListCursor {
  const rows = Array.isArray(keys) ? keyedRows(keys) : (keys as KeyedRows);
  const count = rows.length;
  if (count === 0) return { selectedKey: cursor.selectedKey, selectedIndex: 0, scrollTop: 0 };
  const key = cursor.selectedKey;
  const at = cursor.selectedIndex;
  // Most often the selection has not moved: one key compared, not a search of every row.
  let index =
    key === undefined ? -1 : at < count && rows.keyAt(at) === key ? at : rows.indexOfKey(key);
  if (index < 0) index = Math.min(Math.max(0, at), count - 1);
  return {
    selectedKey: rows.keyAt(index),
    selectedIndex: index,
    scrollTop: clampScroll(index, cursor.scrollTop, count, pageRows),
  };
}

/** Moves the selection by a key press over rows in their drawn order. */
export function moveCursor(
  cursor: ListCursor,
  keys: readonly string[] | KeyedRows,
  move: Move,
  pageRows: number,
): ListCursor {
  const rows = Array.isArray(keys) ? keyedRows(keys) : (keys as KeyedRows);
  const count = rows.length;
  if (count === 0) return cursor;
  const at = followSelection(cursor, rows, pageRows).selectedIndex;
  const page = Math.max(1, pageRows);
  const target = {
    up: at - 1,
    down: at + 1,
    'page-up': at - page,
    'page-down': at + page,
    home: 0,
    end: count - 1,
  }[move];
  const index = Math.min(Math.max(0, target), count - 1);
  let scrollTop = cursor.scrollTop;
  if (move === 'page-up') scrollTop -= page;
  if (move === 'page-down') scrollTop += page;
  return {
    selectedKey: rows.keyAt(index),
    selectedIndex: index,
    scrollTop: clampScroll(index, Math.max(0, scrollTop), count, pageRows),
  };
}

/**
 * Keeps rows in a held order: rows whose key was shown before keep their places, new rows
 * follow at the end in their sorted order, rows that are gone drop out.
 */
export function holdOrder<T>(
  sorted: readonly T[],
  keyOf: (row: T) => string,
  held: readonly string[],
): T[] {
  const rank = new Map<string, number>();
  held.forEach((key, i) => rank.set(key, i));
  const kept: { row: T; rank: number }[] = [];
  const added: T[] = [];
  for (const row of sorted) {
    const r = rank.get(keyOf(row));
    if (r === undefined) added.push(row);
    else kept.push({ row, rank: r });
  }
  kept.sort((a, b) => a.rank - b.rank);
  return [...kept.map((k) => k.row), ...added];
}
