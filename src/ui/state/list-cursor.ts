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

/** Re-finds the selected key in new rows; when its row is gone, the selection stays where it was. */
export function followSelection(
  cursor: ListCursor,
  keys: readonly string[],
  pageRows: number,
): ListCursor {
  if (keys.length === 0) return { selectedKey: cursor.selectedKey, selectedIndex: 0, scrollTop: 0 };
  let index = cursor.selectedKey === undefined ? -1 : keys.indexOf(cursor.selectedKey);
  if (index < 0) index = Math.min(Math.max(0, cursor.selectedIndex), keys.length - 1);
  return {
    selectedKey: keys[index],
    selectedIndex: index,
    scrollTop: clampScroll(index, cursor.scrollTop, keys.length, pageRows),
  };
}

/** Moves the selection by a key press over rows in their drawn order. */
export function moveCursor(
  cursor: ListCursor,
  keys: readonly string[],
  move: Move,
  pageRows: number,
): ListCursor {
  if (keys.length === 0) return cursor;
  const at = followSelection(cursor, keys, pageRows).selectedIndex;
  const page = Math.max(1, pageRows);
  const target = {
    up: at - 1,
    down: at + 1,
    'page-up': at - page,
    'page-down': at + page,
    home: 0,
    end: keys.length - 1,
  }[move];
  const index = Math.min(Math.max(0, target), keys.length - 1);
  let scrollTop = cursor.scrollTop;
  if (move === 'page-up') scrollTop -= page;
  if (move === 'page-down') scrollTop += page;
  return {
    selectedKey: keys[index],
    selectedIndex: index,
    scrollTop: clampScroll(index, Math.max(0, scrollTop), keys.length, pageRows),
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
