import { isEmptyFilter, NO_FILTER } from '../../model/filter.js';
import { PROCESS_COLUMNS } from '../../columns/process-columns.js';
import { sortableColumns } from '../../columns/table.js';
import { processListRows, type AppState } from '../state/app-state.js';
import { reopenLibraries } from '../state/library-list.js';
import { resetMappingList } from '../state/mapping-list.js';
import {
  moveProcessSelection,
  refreshProcessList,
  reshapeProcessList,
  selectedProcessRow,
  type ProcessListState,
} from '../state/process-list.js';
import { sharesOf } from '../state/shares-list.js';
import { processScreenLines } from '../views/process-view.js';
import type { Screen } from './screen.js';

type Shape = Parameters<typeof reshapeProcessList>[1];

const sourceOf = (state: AppState) => ({
  snapshot: state.snapshot,
  previous: state.previous,
  changes: state.changes,
  events: state.events,
});

/** Redraws the process list from the latest snapshots: on every screen, before the screen's own. */
export function refreshProcesses(state: AppState, nowMs: number): AppState {
  const rows = processListRows(state);
  return { ...state, processes: refreshProcessList(state.processes, sourceOf(state), nowMs, rows) };
}

/** The list sorted, filtered or shown otherwise: a held order is let go. */
function reshape(state: AppState, change: Shape, nowMs: number): AppState {
  const rows = processListRows(state);
  const processes = reshapeProcessList(state.processes, change, sourceOf(state), nowMs, rows);
  return { ...state, processes };
}

/** The selected process, by value. */
function selected(list: ProcessListState) {
  const row = selectedProcessRow(list);
  return row && { pid: row.process.pid, startTime: row.process.startTime };
}

/** The process list: every process, sorted, filtered, flat or as a tree; Enter opens its mappings. */
export const processes: Screen = {
  id: 'processes',
  name: 'list',
  refresh: (state) => state,
  move(state, move, { nowMs }) {
    const rows = processListRows(state);
    return { ...state, processes: moveProcessSelection(state.processes, move, nowMs, rows) };
  },
  open(state, ctx) {
    const focus = selected(state.processes);
    if (!focus) return state;
    const mappings = resetMappingList(state.mappings);
    return ctx.refresh({ ...state, screen: 'mappings', focus, mappings });
  },
  // Esc on the list clears the name and user filters.
  back: (state, { nowMs }) =>
    isEmptyFilter(state.processes.filter) ? state : reshape(state, { filter: NO_FILTER }, nowMs),
  sort: {
    columns: sortableColumns(PROCESS_COLUMNS),
    current: (state) => state.processes,
    apply: (state, change, { nowMs }) => reshape(state, change, nowMs),
  },
  prompts: {
    filter: {
      kind: 'filter',
      text: (state) => state.processes.filter.text,
      apply: (state, text, { nowMs }) =>
        reshape(state, { filter: { ...state.processes.filter, text } }, nowMs),
    },
    user: {
      kind: 'user',
      text: (state) => state.processes.filter.user,
      apply: (state, user, { nowMs }) =>
        reshape(state, { filter: { ...state.processes.filter, user } }, nowMs),
    },
  },
  commands: {
    tree: (state, { nowMs }) => reshape(state, { tree: !state.processes.tree }, nowMs),
    shares(state, ctx) {
      const subject = selected(state.processes);
      if (!subject) return state;
      return ctx.refresh({ ...state, screen: 'shares', shares: sharesOf(subject, 'processes') });
    },
    libraries: (state, ctx) =>
      ctx.refresh({ ...state, screen: 'libraries', libs: reopenLibraries(state.libs) }),
  },
  lines: processScreenLines,
  intents: () => ({}),
};
