import { diffMappingUss } from '../../model/delta.js';
import { groupMappings } from '../../model/group.js';
import { sortRowsBy, type ViewSortKey } from '../../model/view-sort.js';
import type { Mapping, ProcessSample } from '../../model/types.js';
import type { MappingRow } from '../mapping-columns.js';
import {
  EMPTY_CURSOR,
  HOLD_MS,
  followSelection,
  holdOrder,
  moveCursor,
  type ListCursor,
  type Move,
} from './list-cursor.js';

/** The mapping view of one process: sort, grouping by file, rows in drawn order, selection. */
export interface MappingListState {
  sortKey: ViewSortKey;
  reverse: boolean;
  grouped: boolean;
  /** Keys of the file groups shown unfolded. */
  expanded: readonly string[];
  rows: MappingRow[];
  cursor: ListCursor;
  holdUntilMs: number;
}

export function initialMappingList(): MappingListState {
  return {
    sortKey: 'address',
    reverse: false,
    grouped: false,
    expanded: [],
    rows: [],
    cursor: EMPTY_CURSOR,
    holdUntilMs: 0,
  };
}

/** The same list for another process: sort and grouping kept, selection and folds reset. */
export function resetMappingList(state: MappingListState): MappingListState {
  return { ...state, expanded: [], rows: [], cursor: EMPTY_CURSOR, holdUntilMs: 0 };
}

function mappingRow(
  m: Mapping,
  delta: Map<number, number>,
  hasPrevious: boolean,
  depth: number,
): MappingRow {
  return {
    key: `m:${m.start}`,
    kind: 'mapping',
    depth,
    start: m.start,
    end: m.end,
    perms: m.perms,
    offset: m.offset,
    path: m.path,
    counters: m.counters,
    sizeBytes: m.end - m.start,
    deltaBytes: delta.get(m.start),
    hasPrevious,
    mappingCount: 1,
    expanded: false,
  };
}

const fieldsOf = (r: MappingRow) => ({
  counters: r.counters,
  deltaBytes: r.deltaBytes ?? Number.NaN,
  id: r.start,
  name: r.path,
  sizeBytes: r.sizeBytes,
});

/** The rows of a process's mappings: one per mapping, or one per file with unfolded groups' mappings under them. */
export function deriveMappingRows(
  state: MappingListState,
  process: ProcessSample | undefined,
  previous: ProcessSample | undefined,
): MappingRow[] {
  const mappings = process?.mappings;
  if (!process || !mappings) return [];
  const delta = diffMappingUss(previous, process);
  const hasPrevious = previous?.mappings !== undefined;
  if (!state.grouped) {
    const rows = mappings.map((m) => mappingRow(m, delta, hasPrevious, 0));
    return sortRowsBy(rows, state.sortKey, state.reverse, fieldsOf);
  }
  const groups = groupMappings(mappings).map((g) => {
    if (g.mappings.length === 1)
      return { row: mappingRow(g.mappings[0]!, delta, hasPrevious, 0), children: [] };
    const key = `g:${g.key}`;
    const deltas = g.mappings.map((m) => delta.get(m.start));
    const expanded = state.expanded.includes(key);
    const row: MappingRow = {
      key,
      kind: 'group',
      depth: 0,
      start: g.start,
      end: g.end,
      perms: '',
      offset: 0,
      path: g.path,
      counters: g.counters,
      sizeBytes: g.sizeBytes,
      deltaBytes: deltas.includes(undefined)
        ? undefined
        : deltas.reduce<number>((s, d) => s + (d ?? 0), 0),
      hasPrevious,
      mappingCount: g.mappings.length,
      expanded,
    };
    const children = expanded ? g.mappings.map((m) => mappingRow(m, delta, hasPrevious, 1)) : [];
    return { row, children };
  });
  const sorted = sortRowsBy(groups, state.sortKey, state.reverse, (g) => fieldsOf(g.row));
  return sorted.flatMap((g) => [g.row, ...g.children]);
}

/** Redraws the rows; the order is held while the user moves, the selection follows its mapping. */
export function refreshMappingList(
  state: MappingListState,
  process: ProcessSample | undefined,
  previous: ProcessSample | undefined,
  nowMs: number,
  pageRows: number,
): MappingListState {
  let rows = deriveMappingRows(state, process, previous);
  if (nowMs < state.holdUntilMs) {
    rows = holdOrder(
      rows,
      (r) => r.key,
      state.rows.map((r) => r.key),
    );
  }
  const cursor = followSelection(
    state.cursor,
    rows.map((r) => r.key),
    pageRows,
  );
  return { ...state, rows, cursor };
}

export function moveMappingSelection(
  state: MappingListState,
  move: Move,
  nowMs: number,
  pageRows: number,
): MappingListState {
  const cursor = moveCursor(
    state.cursor,
    state.rows.map((r) => r.key),
    move,
    pageRows,
  );
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
  return state.rows[state.cursor.selectedIndex];
}
