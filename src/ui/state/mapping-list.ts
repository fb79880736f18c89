import { computeChangeRates, sumPageChanges, type ChangeRates } from '../../model/change-rates.js';
import type { PageChanges, ProcessChanges } from '../../model/changes.js';
import { diffMappingUss } from '../../model/delta.js';
import { groupMappings } from '../../model/group.js';
import type { ShareTally } from '../../model/sharers.js';
import type { SharingReport } from '../../model/sharing-report.js';
import { sortRowsBy, type ViewSortKey } from '../../model/view-sort.js';
import type { Mapping, ProcessSample } from '../../model/types.js';
import type { MappingRow } from '../mapping-columns.js';
import { moveSortedList, refreshSortedList } from './sorted-list.js';
import { EMPTY_CURSOR, type ListCursor, type Move } from './list-cursor.js';

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

/** What the mapping rows show besides the mappings' own counters. */
export interface MappingExtras {
  /** The process's page changes since its last sample, and the interval they span. */
  changes?: { changes: ProcessChanges; intervalMs: number };
  pageSize: number;
  /** Whom the process shares the most with (root). */
  sharing?: SharingReport;
}

export const NO_EXTRAS: MappingExtras = { pageSize: 4096 };

/** Per-mapping rates and sharers of one process, looked up by start address or group key. */
interface RowExtras {
  changesAt(starts: readonly number[]): ChangeRates | undefined;
  sharedWith(start: number): readonly ShareTally[] | undefined;
  groupSharedWith(key: string): readonly ShareTally[] | undefined;
}

function rowExtras(process: ProcessSample, extras: MappingExtras): RowExtras {
  const index = new Map<number, number>();
  process.mappings?.forEach((m, i) => index.set(m.start, i));
  const c = extras.changes;
  const report =
    extras.sharing?.pid === process.pid && extras.sharing.startTime === process.startTime
      ? extras.sharing
      : undefined;
  return {
    changesAt(starts) {
      if (!c) return undefined;
      const list: PageChanges[] = [];
      for (const start of starts) {
        const at = c.changes.mappings[index.get(start) ?? -1];
        if (!at) return undefined;
        list.push(at);
      }
      const sum = sumPageChanges(list);
      return sum && computeChangeRates(sum, c.intervalMs, extras.pageSize);
    },
    sharedWith: (start) => report?.byMapping.get(start),
    groupSharedWith: (key) => report?.byGroup.get(key),
  };
}

function mappingRow(
  m: Mapping,
  delta: Map<number, number>,
  hasPrevious: boolean,
  depth: number,
  extras: RowExtras,
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
    rates: extras.changesAt([m.start]),
    sharedWith: extras.sharedWith(m.start),
  };
}

const fieldsOf = (r: MappingRow) => ({
  counters: r.counters,
  deltaBytes: r.deltaBytes ?? Number.NaN,
  id: r.start,
  name: r.path,
  sizeBytes: r.sizeBytes,
  values: {
    cow: r.rates?.cowBytesPerSec ?? Number.NaN,
    'became-shared': r.rates?.becameSharedBytesPerSec ?? Number.NaN,
  },
});

/** The rows of a process's mappings: one per mapping, or one per file with unfolded groups' mappings under them. */
export function deriveMappingRows(
  state: MappingListState,
  process: ProcessSample | undefined,
  previous: ProcessSample | undefined,
  extras: MappingExtras = NO_EXTRAS,
): MappingRow[] {
  const mappings = process?.mappings;
  if (!process || !mappings) return [];
  const delta = diffMappingUss(previous, process);
  const hasPrevious = previous?.mappings !== undefined;
  const more = rowExtras(process, extras);
  if (!state.grouped) {
    const rows = mappings.map((m) => mappingRow(m, delta, hasPrevious, 0, more));
    return sortRowsBy(rows, state.sortKey, state.reverse, fieldsOf);
  }
  const groups = groupMappings(mappings).map((g) => {
    if (g.mappings.length === 1)
      return { row: mappingRow(g.mappings[0]!, delta, hasPrevious, 0, more), children: [] };
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
      rates: more.changesAt(g.mappings.map((m) => m.start)),
      sharedWith: more.groupSharedWith(g.key),
    };
    const children = expanded
      ? g.mappings.map((m) => mappingRow(m, delta, hasPrevious, 1, more))
      : [];
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
  extras: MappingExtras = NO_EXTRAS,
): MappingListState {
  const rows = deriveMappingRows(state, process, previous, extras);
  return refreshSortedList(state, rows, nowMs, pageRows);
}

export function moveMappingSelection(
  state: MappingListState,
  move: Move,
  nowMs: number,
  pageRows: number,
): MappingListState {
  return moveSortedList(state, move, nowMs, pageRows);
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
