import {
  changeIntervalMs,
  changesOf,
  type ProcessChanges,
  type SnapshotChanges,
} from '../../model/changes.js';
import { findProcess } from '../../model/delta.js';
import type { SharerIndex } from '../../model/sharers.js';
import type { SharingReport } from '../../model/sharing-report.js';
import { mappingPageCount } from '../../model/page-grid.js';
import type { ViewSortKey } from '../../model/view-sort.js';
import type { Mapping, ProcessSample, Snapshot } from '../../model/types.js';
import { processHeader, type SamplingInfo } from '../header.js';
import { formatAddress } from '../../format/size.js';
import type {
  LibrariesReport,
  PageEventLog,
  SampleProgress,
  SamplerCost,
  SessionUpdate,
} from '../../store/contract.js';
import type { Key } from 'ink';
import type { Command, KeyContext } from '../keys.js';
import type { ScreenId } from '../screens/index.js';
import { frameLines, verticalLayout, type Viewport } from '../layout.js';
import { legendLines } from '../page-legend.js';
import {
  EMPTY_PAGE_MAP,
  pageMapGeometry,
  type PageMapGeometry,
  type PageMapState,
} from './page-map.js';
import { INITIAL_LIBRARIES, type LibrariesState } from './library-list.js';
import { initialMappingList, type MappingListState } from './mapping-list.js';
import { EVENT_LIMIT, initialProcessList, type ProcessListState } from './process-list.js';
import { INITIAL_SHARES, type SharesState } from './shares-list.js';

export type { ScreenId } from '../screens/index.js';

/** A one-line prompt at the bottom: filter text, user, a path, or the sort column's letter. */
export interface Prompt {
  kind: 'filter' | 'user' | 'path' | 'sort';
  text: string;
  /** What Esc puts back. */
  before: string;
}

/** Everything the TUI shows, derived from snapshots and keys; no I/O. */
export interface AppState {
  screen: ScreenId;
  /** Where help returns to. */
  helpReturn: ScreenId;
  helpScroll: number;
  viewport: Viewport;
  color: boolean;
  snapshot: Snapshot | undefined;
  /** The snapshot before: Δ columns compare the two. */
  previous: Snapshot | undefined;
  progress: SampleProgress | undefined;
  /** Page changes between the last two full samples (see SessionUpdate.changes). */
  changes: SnapshotChanges | undefined;
  /** Page changes of the focused process since its sample before. */
  focusChanges: SnapshotChanges | undefined;
  /** The store's page events (see SessionUpdate.events). */
  events: PageEventLog | undefined;
  /** Who maps each shared page, while a screen shows it (root). */
  sharers: SharerIndex | undefined;
  /** Whom the process on screen shares the most with (root). */
  sharing: SharingReport | undefined;
  /** Every mapped file, while the libraries view is open. */
  libraries: LibrariesReport | undefined;
  /** The sampler's own cost, as the session measures it. */
  cost: SamplerCost | undefined;
  intervalMs: number;
  paused: boolean;
  /** The process whose mappings are shown, by value (pid and start time). */
  focus: { pid: number; startTime: number } | undefined;
  processes: ProcessListState;
  mappings: MappingListState;
  pages: PageMapState;
  shares: SharesState;
  libs: LibrariesState;
  prompt: Prompt | undefined;
  /** A one-off note on the status line (a process exited, the interval changed). */
  message: string | undefined;
  quit: boolean;
  /** Ctrl-Z presses: each asks the terminal's owner to suspend memtop. */
  suspends: number;
  /** Ctrl-L presses: each asks for the whole screen to be drawn again. */
  redraws: number;
}

export type AppAction =
  | { type: 'session'; update: SessionUpdate; nowMs: number }
  /** A key press as Ink reports it; read through the key table in the live context. */
  | { type: 'key'; input: string; key: Key; nowMs: number }
  | { type: 'resize'; viewport: Viewport; nowMs: number }
  | { type: 'command'; command: Command; nowMs: number }
  /** Text typed at a prompt. */
  | { type: 'type'; text: string; nowMs: number }
  /** A letter at the sort prompt. */
  | { type: 'pick'; letter: string; nowMs: number };

export interface AppOptions {
  sortKey: ViewSortKey;
  intervalMs: number;
  color: boolean;
  viewport: Viewport;
}

export function initialAppState(options: AppOptions): AppState {
  return {
    screen: 'processes',
    helpReturn: 'processes',
    helpScroll: 0,
    viewport: options.viewport,
    color: options.color,
    snapshot: undefined,
    previous: undefined,
    progress: undefined,
    changes: undefined,
    events: undefined,
    focusChanges: undefined,
    sharers: undefined,
    sharing: undefined,
    libraries: undefined,
    cost: undefined,
    intervalMs: options.intervalMs,
    paused: false,
    focus: undefined,
    processes: initialProcessList(options.sortKey),
    mappings: initialMappingList(),
    pages: EMPTY_PAGE_MAP,
    shares: INITIAL_SHARES,
    libs: INITIAL_LIBRARIES,
    prompt: undefined,
    message: undefined,
    quit: false,
    suspends: 0,
    redraws: 0,
  };
}

/** Which part of the key table is live. */
export function keyContext(state: AppState): KeyContext {
  if (state.prompt) return state.prompt.kind === 'sort' ? 'sort' : 'prompt';
  return state.screen;
}

/** The screen below help, or the screen itself. */
export function baseScreen(state: AppState): Exclude<ScreenId, 'help'> {
  return state.screen === 'help' ? (state.helpReturn as Exclude<ScreenId, 'help'>) : state.screen;
}

/**
 * Lines of page events under the process list: a title and a few events when page changes are
 * tracked (with PFNs) and the terminal has room; none on small terminals.
 */
export function eventLineCount(state: AppState): number {
  if (!state.snapshot?.privileged && !state.changes) return 0;
  return frameLines(state.viewport) >= 20 ? 1 + EVENT_LIMIT : 0;
}

/** What the process list's header says about sampling. */
export function samplingInfo(state: AppState): SamplingInfo {
  const { intervalMs, paused, progress, cost } = state;
  return { intervalMs, paused, progress, cost };
}

/** Rows of the process list on screen. */
export function processListRows(state: AppState): number {
  const header = processHeader(
    state.snapshot,
    samplingInfo(state),
    state.viewport.columns,
    false,
  ).length;
  return verticalLayout(state.viewport, header, 1 + eventLineCount(state)).body;
}

/** Rows of the shares and libraries lists on screen (below a 2-line header and a title). */
export function simpleListRows(state: AppState): number {
  return verticalLayout(state.viewport, 2, 1).body;
}

/** A process's page changes since its last sample, and the interval they span. */
export function processChangesOf(
  state: AppState,
  p: ProcessSample,
): { changes: ProcessChanges; intervalMs: number } | undefined {
  for (const c of [state.focusChanges, state.changes]) {
    const found = changesOf(c, p);
    if (found && c) return { changes: found, intervalMs: changeIntervalMs(c, found) };
  }
  return undefined;
}

/** Rows of the mapping list on screen (below a 2-line header and a title, above the totals). */
export function mappingListRows(state: AppState): number {
  return verticalLayout(state.viewport, 2, 2).body;
}

/** Rows of help text on screen. */
export function helpRows(state: AppState): number {
  return verticalLayout(state.viewport, 0, 1).body;
}

export function focusedProcess(state: AppState): ProcessSample | undefined {
  return state.focus ? findProcess(state.snapshot, state.focus) : undefined;
}

export function focusedMapping(state: AppState): Mapping | undefined {
  const start = state.pages.mappingStart;
  return focusedProcess(state)?.mappings?.find((m) => m.start === start);
}

/** Legend lines of the page map at this width (capped so the grid keeps its rows). */
export function pageLegend(state: AppState): string[] {
  const lines = legendLines(state.viewport.columns, state.color);
  return frameLines(state.viewport) >= 12 ? lines : [];
}

/** Lines of the page map naming who else maps the page under the cursor: one, with PFNs and room. */
export function pageSharersLines(state: AppState): number {
  return state.snapshot?.privileged && frameLines(state.viewport) >= 8 ? 1 : 0;
}

/** The page map's grid for the focused mapping on this terminal. */
export function pageGeometry(state: AppState): PageMapGeometry | undefined {
  const m = focusedMapping(state);
  if (!m || !state.snapshot) return undefined;
  const fixed = pageLegend(state).length + pageSharersLines(state);
  const gridRows = verticalLayout(state.viewport, 2, fixed).body;
  const pageCount = mappingPageCount(m, state.snapshot.pageSize);
  const digits = Math.max(8, formatAddress(m.end).length);
  return pageMapGeometry(
    state.viewport.columns,
    gridRows,
    pageCount,
    digits,
    state.pages.pagesPerCell,
  );
}

/** Leaves a screen whose subject is gone for `to`, with a note (help, if on, stays on top). */
export function leave(state: AppState, to: Exclude<ScreenId, 'help'>, message: string): AppState {
  return {
    ...state,
    screen: state.screen === 'help' ? 'help' : to,
    helpReturn: to,
    focus: to === 'processes' ? undefined : state.focus,
    message,
  };
}
