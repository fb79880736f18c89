import { computeChangeRates, type ChangeRates } from '../../model/change-rates.js';
import {
  changeIntervalMs,
  changesOf,
  type PageEvent,
  type SnapshotChanges,
} from '../../model/changes.js';
import { diffUss, processKey } from '../../model/delta.js';
import { NO_FILTER, filterProcesses, type ProcessFilter } from '../../model/filter.js';
import { computeTree, type TreeRow } from '../../model/tree.js';
import { sortRowsBy, type ViewSortKey } from '../../model/view-sort.js';
import type { ProcessSample, Snapshot } from '../../model/types.js';
import type { PageEventLog } from '../../store/contract.js';
import { formatAge } from '../../format/text.js';
import type { ProcessRow } from '../../columns/process-columns.js';
import { moveSortedList, refreshSortedList } from './sorted-list.js';
import { EMPTY_CURSOR, type ListCursor, type Move } from './list-cursor.js';

/** The process list: how it is sorted and filtered, its rows in drawn order, and the selection. */
export interface ProcessListState {
  sortKey: ViewSortKey;
  reverse: boolean;
  filter: ProcessFilter;
  tree: boolean;
  rows: ProcessRow[];
  /** Processes in the snapshot before filtering. */
  total: number;
  cursor: ListCursor;
  /** The drawn order is held until then (ms), while the user moves through the list. */
  holdUntilMs: number;
  /** The largest page changes of the last interval among the listed processes, largest first. */
  events: PageEvent[];
  /** The interval those changes span (ms); undefined when no changes are known. */
  eventsIntervalMs: number | undefined;
}

/**
 * What the list is drawn from: Δ compares the two snapshots; the page changes between full
 * samples, and the store's page events.
 */
export interface ListSource {
  snapshot: Snapshot | undefined;
  previous: Snapshot | undefined;
  changes?: SnapshotChanges | undefined;
  events?: PageEventLog | undefined;
}

/** Page events kept for the events lines under the list. */
export const EVENT_LIMIT = 3;

export function initialProcessList(sortKey: ViewSortKey): ProcessListState {
  return {
    sortKey,
    reverse: false,
    filter: NO_FILTER,
    tree: false,
    rows: [],
    total: 0,
    cursor: EMPTY_CURSOR,
    holdUntilMs: 0,
    events: [],
    eventsIntervalMs: undefined,
  };
}

/** Tree rails: "│ " where an ancestor has later siblings, then "├─ " or "└─ ". */
function treePrefix(t: TreeRow): string {
  if (t.depth === 0) return '';
  const rails = t.rails.map((more) => (more ? '│ ' : '  ')).join('');
  return rails + (t.hasNextSibling ? '├─ ' : '└─ ');
}

/** The rows for a snapshot: filtered, sorted (or as a tree sorted within families), with Δ. */
export function deriveProcessRows(state: ProcessListState, source: ListSource): ProcessRow[] {
  const snapshot = source.snapshot;
  if (!snapshot) return [];
  const delta = diffUss(source.previous, snapshot);
  const hasPrevious = source.previous !== undefined;
  const visible = filterProcesses(snapshot.processes, state.filter);
  const changes = source.changes;
  const rates = new Map<ProcessSample, ChangeRates | undefined>();
  for (const p of visible) {
    const c = changesOf(changes, p);
    const intervalMs = c && changeIntervalMs(changes!, c);
    rates.set(p, c && computeChangeRates(c.totals, intervalMs!, snapshot.pageSize));
  }
  const sorted = sortRowsBy(visible, state.sortKey, state.reverse, (p: ProcessSample) => ({
    counters: p.totals,
    deltaBytes: delta.get(processKey(p)) ?? Number.NaN,
    id: p.pid,
    name: p.comm,
    sizeBytes: p.totals.rssBytes,
    values: {
      cow: rates.get(p)?.cowBytesPerSec ?? Number.NaN,
      'became-shared': rates.get(p)?.becameSharedBytesPerSec ?? Number.NaN,
    },
  }));
  const toRow = (p: ProcessSample, prefix: string): ProcessRow => ({
    key: processKey(p),
    process: p,
    deltaBytes: delta.get(processKey(p)),
    hasPrevious,
    treePrefix: prefix,
    rates: rates.get(p),
    age: formatAge(p, snapshot.timeMs),
  });
  if (state.tree) return computeTree(sorted).map((t) => toRow(t.process, treePrefix(t)));
  return sorted.map((p) => toRow(p, ''));
}

/**
 * Redraws the list from the source. While the order is held (the user is moving, flat view),
 * rows keep their places; the selection follows its process either way.
 */
export function refreshProcessList(
  state: ProcessListState,
  source: ListSource,
  nowMs: number,
  pageRows: number,
): ProcessListState {
  // A tree keeps its own order: only a flat list holds its order while the user moves.
  const holding = state.tree ? { ...state, holdUntilMs: 0 } : state;
  const { rows, cursor } = refreshSortedList(
    holding,
    deriveProcessRows(state, source),
    nowMs,
    pageRows,
  );
  // The latest comparison's events (largest first) of the listed processes.
  const latest = source.events?.latest;
  const listed = new Set(rows.map((r) => r.process.pid));
  const events: PageEvent[] = [];
  for (const e of latest?.events ?? []) {
    if (events.length === EVENT_LIMIT) break;
    if (listed.has(e.pid)) events.push(e);
  }
  return {
    ...state,
    rows,
    cursor,
    total: source.snapshot?.processes.length ?? 0,
    events,
    eventsIntervalMs: latest?.intervalMs,
  };
}

/** Moves the selection and holds the order for a while. */
export function moveProcessSelection(
  state: ProcessListState,
  move: Move,
  nowMs: number,
  pageRows: number,
): ProcessListState {
  return moveSortedList(state, move, nowMs, pageRows);
}

/** Changes how the list is sorted, filtered or shown: the held order is let go at once. */
export function reshapeProcessList(
  state: ProcessListState,
  change: Partial<Pick<ProcessListState, 'sortKey' | 'reverse' | 'filter' | 'tree'>>,
  source: ListSource,
  nowMs: number,
  pageRows: number,
): ProcessListState {
  return refreshProcessList({ ...state, ...change, holdUntilMs: 0 }, source, nowMs, pageRows);
}

/** The selected row, if any. */
export function selectedProcessRow(state: ProcessListState): ProcessRow | undefined {
  return state.rows[state.cursor.selectedIndex];
}
