import { findProcess } from '../../model/delta.js';
import { mappingPageCount } from '../../model/page-grid.js';
import type { ViewSortKey } from '../../model/view-sort.js';
import type { Mapping, ProcessSample, Snapshot } from '../../model/types.js';
import { processHeader } from '../format/header.js';
import { formatAddress } from '../format/size.js';
import { helpLineCount } from '../format/help.js';
import type { SampleProgress, SessionUpdate } from '../intents.js';
import type { Key } from 'ink';
import type { Command, KeyContext } from '../keys.js';
import { frameLines, verticalLayout, type Viewport } from '../layout.js';
import { legendLines } from '../page-legend.js';
import {
  EMPTY_PAGE_MAP,
  clampPageMap,
  pageMapGeometry,
  type PageMapGeometry,
  type PageMapState,
} from './page-map.js';
import { initialMappingList, refreshMappingList, type MappingListState } from './mapping-list.js';
import { initialProcessList, refreshProcessList, type ProcessListState } from './process-list.js';

export type Screen = 'processes' | 'mappings' | 'pages' | 'help';

/** A one-line prompt at the bottom: filter text, user, or the sort column's letter. */
export interface Prompt {
  kind: 'filter' | 'user' | 'sort';
  text: string;
  /** What Esc puts back. */
  before: string;
}

/** Everything the TUI shows, derived from snapshots and keys; no I/O. */
export interface AppState {
  screen: Screen;
  /** Where help returns to. */
  helpReturn: Screen;
  helpScroll: number;
  viewport: Viewport;
  color: boolean;
  snapshot: Snapshot | undefined;
  /** The snapshot before: Δ columns compare the two. */
  previous: Snapshot | undefined;
  progress: SampleProgress | undefined;
  intervalMs: number;
  paused: boolean;
  /** The process whose mappings are shown, by value (pid and start time). */
  focus: { pid: number; startTime: number } | undefined;
  processes: ProcessListState;
  mappings: MappingListState;
  pages: PageMapState;
  prompt: Prompt | undefined;
  /** A one-off note on the status line (a process exited, the interval changed). */
  message: string | undefined;
  quit: boolean;
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
    intervalMs: options.intervalMs,
    paused: false,
    focus: undefined,
    processes: initialProcessList(options.sortKey),
    mappings: initialMappingList(),
    pages: EMPTY_PAGE_MAP,
    prompt: undefined,
    message: undefined,
    quit: false,
  };
}

/** Which part of the key table is live. */
export function keyContext(state: AppState): KeyContext {
  if (state.prompt) return state.prompt.kind === 'sort' ? 'sort' : 'prompt';
  return state.screen;
}

/** Rows of the process list on screen. */
export function processListRows(state: AppState): number {
  const info = { intervalMs: state.intervalMs, paused: state.paused, progress: state.progress };
  const header = processHeader(state.snapshot, info, state.viewport.columns, false).length;
  return verticalLayout(state.viewport, header, 1).body;
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

/** The page map's grid for the focused mapping on this terminal. */
export function pageGeometry(state: AppState): PageMapGeometry | undefined {
  const m = focusedMapping(state);
  if (!m || !state.snapshot) return undefined;
  const gridRows = verticalLayout(state.viewport, 2, pageLegend(state).length).body;
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

/** Redraws every list from the current snapshots, keeping selections; leaves screens whose subject is gone. */
export function refreshAll(state: AppState, nowMs: number): AppState {
  const source = { snapshot: state.snapshot, previous: state.previous };
  let next: AppState = {
    ...state,
    processes: refreshProcessList(state.processes, source, nowMs, processListRows(state)),
  };
  if (!next.focus) return next;
  const process = findProcess(next.snapshot, next.focus);
  const inside =
    next.screen === 'mappings' || next.screen === 'pages' || next.helpReturn !== 'processes';
  if (!process && next.snapshot && inside) {
    return {
      ...next,
      screen: next.screen === 'help' ? 'help' : 'processes',
      helpReturn: 'processes',
      focus: undefined,
      message: `process ${next.focus.pid} has exited`,
    };
  }
  const before = findProcess(next.previous, next.focus);
  next = {
    ...next,
    mappings: refreshMappingList(next.mappings, process, before, nowMs, mappingListRows(next)),
  };
  const showsPages =
    next.screen === 'pages' || (next.screen === 'help' && next.helpReturn === 'pages');
  if (!showsPages) return next;
  const geo = pageGeometry(next);
  if (!geo) {
    if (!process?.mappings) return next; // mappings not read yet: wait for the focused sample
    return {
      ...next,
      screen: next.screen === 'help' ? 'help' : 'mappings',
      helpReturn: 'mappings',
      message: 'that mapping is gone',
    };
  }
  return { ...next, pages: clampPageMap(next.pages, geo) };
}

/** Lines of help that can be scrolled past. */
export function maxHelpScroll(state: AppState): number {
  return Math.max(0, helpLineCount() - helpRows(state));
}
