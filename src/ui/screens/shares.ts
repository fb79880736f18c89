import { findProcess } from '../../model/delta.js';
import { leave, simpleListRows } from '../state/app-state.js';
import { INITIAL_SHARES, refreshShares } from '../state/shares-list.js';
import { moveSortedList } from '../state/sorted-list.js';
import { sharesScreenLines } from '../views/shares-view.js';
import { refreshFocusedMappings } from './mappings.js';
import type { Screen } from './screen.js';

/** Whom one process shares the most with (w on the list or the mapping view); Esc goes back there. */
export const shares: Screen = {
  id: 'shares',
  name: 'shares',
  refresh(state, { nowMs }) {
    const { subject } = state.shares;
    if (subject && state.snapshot && !findProcess(state.snapshot, subject))
      return leave(state, 'processes', `process ${subject.pid} has exited`);
    const rows = simpleListRows(state);
    const next = refreshShares(state.shares, state.sharing, state.snapshot, nowMs, rows);
    // Opened from the mapping view, whose rows are kept for going back.
    return refreshFocusedMappings({ ...state, shares: next }, nowMs);
  },
  move(state, move, { nowMs }) {
    const list = moveSortedList(state.shares.list, move, nowMs, simpleListRows(state));
    return { ...state, shares: { ...state.shares, list } };
  },
  back: (state, ctx) =>
    ctx.refresh({ ...state, screen: state.shares.returnTo, shares: INITIAL_SHARES }),
  lines: sharesScreenLines,
  intents: (state) => ({ focusPid: state.focus?.pid, sharersPid: state.shares.subject?.pid }),
};
