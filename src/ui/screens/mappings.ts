import { findProcess } from '../../model/delta.js';
import { mappingColumns } from '../../columns/mapping-columns.js';
import { sortableColumns } from '../../columns/table.js';
import { leave, mappingListRows, processChangesOf, type AppState } from '../state/app-state.js';
import {
  moveMappingSelection,
  refreshMappingList,
  selectedMappingRow,
  toggleGroup,
} from '../state/mapping-list.js';
import { EMPTY_PAGE_MAP } from '../state/page-map.js';
import { sharesOf } from '../state/shares-list.js';
import { mappingScreenLines } from '../views/mapping-view.js';
import type { Screen } from './screen.js';

/**
 * Redraws the focused process's mappings, kept while a screen on top of them (page map, shares)
 * is open; the order is held while the user moves, the selection follows its mapping.
 */
export function refreshFocusedMappings(state: AppState, nowMs: number): AppState {
  if (!state.focus) return state;
  const process = findProcess(state.snapshot, state.focus);
  const before = findProcess(state.previous, state.focus);
  const extras = {
    changes: process && processChangesOf(state, process),
    pageSize: state.snapshot?.pageSize ?? 4096,
    sharing: state.sharing,
  };
  const rows = mappingListRows(state);
  const mappings = refreshMappingList(state.mappings, process, before, nowMs, rows, extras);
  return { ...state, mappings };
}

/** One process's mappings, like pmap -X; Enter opens a mapping's page map or folds a file group. */
export const mappings: Screen = {
  id: 'mappings',
  name: 'mappings',
  refresh(state, { nowMs }) {
    const focus = state.focus;
    if (focus && state.snapshot && !findProcess(state.snapshot, focus))
      return leave(state, 'processes', `process ${focus.pid} has exited`);
    return refreshFocusedMappings(state, nowMs);
  },
  move: (state, move, { nowMs }) => ({
    ...state,
    mappings: moveMappingSelection(state.mappings, move, nowMs, mappingListRows(state)),
  }),
  open(state, ctx) {
    const row = selectedMappingRow(state.mappings);
    if (!row) return state;
    if (row.kind === 'group')
      return ctx.refresh({ ...state, mappings: toggleGroup(state.mappings, row.key) });
    const pages = { ...EMPTY_PAGE_MAP, mappingStart: row.start };
    return ctx.refresh({ ...state, screen: 'pages', pages });
  },
  back: (state, ctx) => ctx.refresh({ ...state, screen: 'processes', focus: undefined }),
  sort: {
    columns: sortableColumns(mappingColumns(12)),
    current: (state) => state.mappings,
    apply: (state, change, ctx) =>
      ctx.refresh({ ...state, mappings: { ...state.mappings, ...change, holdUntilMs: 0 } }),
  },
  commands: {
    group(state, ctx) {
      const grouped = !state.mappings.grouped;
      return ctx.refresh({ ...state, mappings: { ...state.mappings, grouped, holdUntilMs: 0 } });
    },
    shares: (state, ctx) =>
      state.focus
        ? ctx.refresh({ ...state, screen: 'shares', shares: sharesOf(state.focus, 'mappings') })
        : state,
  },
  lines: mappingScreenLines,
  intents: (state) => ({ focusPid: state.focus?.pid, sharersPid: state.focus?.pid }),
};
