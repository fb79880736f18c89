import type { ScreenContext, ScreenSort } from '../screens/screen.js';
import type { AppState } from './app-state.js';

/** Sorts by the next sortable column to the right (1) or left (−1). */
export function stepSort(
  sort: ScreenSort,
  state: AppState,
  step: 1 | -1,
  ctx: ScreenContext,
): AppState {
  const columns = sort.columns;
  const at = columns.findIndex((c) => c.sortKey === sort.current(state).sortKey);
  const next = columns[(at + step + columns.length) % columns.length]!;
  return sort.apply(state, { sortKey: next.sortKey, reverse: false }, ctx);
}

/** The column picked by its letter at the sort prompt. */
export function pickSort(
  sort: ScreenSort,
  state: AppState,
  letter: string,
  ctx: ScreenContext,
): AppState {
  const column = sort.columns.find((c) => c.pick === letter);
  return column?.sortKey
    ? sort.apply(state, { sortKey: column.sortKey, reverse: false }, ctx)
    : state;
}
