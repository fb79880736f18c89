import { isEmptyFilter, NO_FILTER, type ProcessFilter } from '../../model/filter.js';
import type { Key } from 'ink';
import { splitKeys } from '../key-input.js';
import { resolveKey, type Command } from '../keys.js';
import { formatInterval } from '../../format/text.js';
import {
  baseScreen,
  mappingListRows,
  maxHelpScroll,
  helpRows,
  pageGeometry,
  processListRows,
  refreshAll,
  keyContext,
  simpleListRows,
  type AppAction,
  type AppState,
  listSource,
} from './app-state.js';
import { INITIAL_LIBRARIES, openLibrary } from './library-list.js';
import type { Move } from './list-cursor.js';
import {
  moveMappingSelection,
  resetMappingList,
  selectedMappingRow,
  toggleGroup,
} from './mapping-list.js';
import { EMPTY_PAGE_MAP, movePageCursor, zoomPageMap } from './page-map.js';
import { moveProcessSelection, reshapeProcessList, selectedProcessRow } from './process-list.js';
import { INITIAL_SHARES } from './shares-list.js';
import { moveSortedList, selectedRow } from './sorted-list.js';
import { currentSort, pickSort, resort, stepSort } from './sorting.js';

/** The libraries view opens afresh (filter and drill-in cleared) but keeps how it was sorted. */
function keepSort(state: AppState) {
  const { files, users } = state.libs;
  return {
    files: { ...INITIAL_LIBRARIES.files, sortKey: files.sortKey, reverse: files.reverse },
    users: { ...INITIAL_LIBRARIES.users, sortKey: users.sortKey, reverse: users.reverse },
  };
}

/** Intervals + and - step through, like top's common choices (ms). */
export const INTERVAL_STEPS_MS = [250, 500, 1000, 2000, 3000, 5000, 10_000, 15_000, 30_000, 60_000];

/** The next longer (+1) or shorter (−1) step from any interval. */
export function stepInterval(intervalMs: number, direction: 1 | -1): number {
  if (direction > 0) return INTERVAL_STEPS_MS.find((s) => s > intervalMs) ?? intervalMs;
  return [...INTERVAL_STEPS_MS].reverse().find((s) => s < intervalMs) ?? intervalMs;
}

const MOVES: ReadonlySet<Command> = new Set(['up', 'down', 'page-up', 'page-down', 'home', 'end']);

function setFilter(state: AppState, filter: ProcessFilter, nowMs: number): AppState {
  const source = listSource(state);
  return {
    ...state,
    processes: reshapeProcessList(
      state.processes,
      { filter },
      source,
      nowMs,
      processListRows(state),
    ),
  };
}

/** What a prompt's text does while it is typed: the filters apply live. */
function applyPromptText(state: AppState, text: string, nowMs: number): AppState {
  const prompt = state.prompt;
  if (!prompt || prompt.kind === 'sort') return state;
  const withText = { ...state, prompt: { ...prompt, text } };
  if (prompt.kind === 'path') {
    const libs = { ...state.libs, filter: text, files: { ...state.libs.files, holdUntilMs: 0 } };
    return refreshAll({ ...withText, libs }, nowMs);
  }
  const filter = state.processes.filter;
  return setFilter(
    withText,
    prompt.kind === 'filter' ? { ...filter, text } : { ...filter, user: text },
    nowMs,
  );
}

function promptCommand(state: AppState, command: Command, nowMs: number): AppState {
  const prompt = state.prompt!;
  switch (command) {
    case 'accept':
      return { ...state, prompt: undefined };
    case 'cancel':
      return { ...applyPromptText(state, prompt.before, nowMs), prompt: undefined };
    case 'erase':
      return applyPromptText(state, prompt.text.slice(0, -1), nowMs);
    case 'quit':
      return { ...state, quit: true };
    default:
      return state;
  }
}

function moveOn(state: AppState, move: Command, nowMs: number): AppState {
  switch (state.screen) {
    case 'processes':
      return {
        ...state,
        processes: moveProcessSelection(
          state.processes,
          move as Move,
          nowMs,
          processListRows(state),
        ),
      };
    case 'mappings':
      return {
        ...state,
        mappings: moveMappingSelection(state.mappings, move as Move, nowMs, mappingListRows(state)),
      };
    case 'pages': {
      const geo = pageGeometry(state);
      return geo ? { ...state, pages: movePageCursor(state.pages, move, geo) } : state;
    }
    case 'shares': {
      const list = moveSortedList(state.shares.list, move as Move, nowMs, simpleListRows(state));
      return { ...state, shares: { ...state.shares, list } };
    }
    case 'libraries': {
      const files = moveSortedList(state.libs.files, move as Move, nowMs, simpleListRows(state));
      return { ...state, libs: { ...state.libs, files } };
    }
    case 'library': {
      const users = moveSortedList(state.libs.users, move as Move, nowMs, simpleListRows(state));
      return { ...state, libs: { ...state.libs, users } };
    }
    case 'help': {
      const page = helpRows(state);
      const delta: Partial<Record<Command, number>> = {
        up: -1,
        down: 1,
        'page-up': -page,
        'page-down': page,
        home: -Infinity,
        end: Infinity,
      };
      const scroll = Math.min(
        Math.max(0, state.helpScroll + (delta[move] ?? 0)),
        maxHelpScroll(state),
      );
      return { ...state, helpScroll: scroll };
    }
  }
}

function open(state: AppState, nowMs: number): AppState {
  if (state.screen === 'processes') {
    const row = selectedProcessRow(state.processes);
    if (!row) return state;
    const focus = { pid: row.process.pid, startTime: row.process.startTime };
    return refreshAll(
      { ...state, screen: 'mappings', focus, mappings: resetMappingList(state.mappings) },
      nowMs,
    );
  }
  if (state.screen === 'mappings') {
    const row = selectedMappingRow(state.mappings);
    if (!row) return state;
    if (row.kind === 'group')
      return refreshAll({ ...state, mappings: toggleGroup(state.mappings, row.key) }, nowMs);
    return refreshAll(
      { ...state, screen: 'pages', pages: { ...EMPTY_PAGE_MAP, mappingStart: row.start } },
      nowMs,
    );
  }
  if (state.screen === 'libraries') {
    const row = selectedRow(state.libs.files);
    if (!row) return state;
    return refreshAll(
      { ...state, screen: 'library', libs: openLibrary(state.libs, row.key) },
      nowMs,
    );
  }
  return state;
}

/** "Shares the most with" of the selected process (list) or of the process on screen (mappings). */
function openShares(state: AppState, nowMs: number): AppState {
  let subject = state.focus;
  if (state.screen === 'processes') {
    const row = selectedProcessRow(state.processes);
    subject = row && { pid: row.process.pid, startTime: row.process.startTime };
  }
  if (!subject) return state;
  const returnTo = state.screen === 'mappings' ? 'mappings' : 'processes';
  const shares = { ...INITIAL_SHARES, subject, returnTo } as const;
  return refreshAll({ ...state, screen: 'shares', shares }, nowMs);
}

function back(state: AppState, nowMs: number): AppState {
  switch (state.screen) {
    case 'help':
      return { ...state, screen: state.helpReturn };
    case 'pages':
      return { ...state, screen: 'mappings', pages: EMPTY_PAGE_MAP };
    case 'mappings':
      return refreshAll({ ...state, screen: 'processes', focus: undefined }, nowMs);
    case 'processes':
      return isEmptyFilter(state.processes.filter) ? state : setFilter(state, NO_FILTER, nowMs);
    case 'shares':
      return refreshAll(
        { ...state, screen: state.shares.returnTo, shares: { ...INITIAL_SHARES } },
        nowMs,
      );
    case 'libraries':
      return refreshAll({ ...state, screen: 'processes' }, nowMs);
    case 'library':
      return refreshAll(
        { ...state, screen: 'libraries', libs: { ...state.libs, fileKey: undefined } },
        nowMs,
      );
  }
}

function command(state: AppState, cmd: Command, nowMs: number): AppState {
  // Everywhere, a prompt open or not: they act on the terminal, not on the screen's state.
  if (cmd === 'suspend') return { ...state, suspends: state.suspends + 1 };
  if (cmd === 'redraw') return { ...state, redraws: state.redraws + 1 };
  if (state.prompt) return promptCommand(state, cmd, nowMs);
  if (MOVES.has(cmd) || cmd === 'left' || cmd === 'right') return moveOn(state, cmd, nowMs);
  const source = listSource(state);
  switch (cmd) {
    case 'quit':
      return { ...state, quit: true };
    case 'open':
      return open(state, nowMs);
    case 'back':
      return back(state, nowMs);
    case 'help':
      if (state.screen === 'help') return { ...state, screen: state.helpReturn };
      return { ...state, screen: 'help', helpReturn: state.screen, helpScroll: 0 };
    case 'pause':
      return { ...state, paused: !state.paused };
    case 'slower':
    case 'faster': {
      const intervalMs = stepInterval(state.intervalMs, cmd === 'slower' ? 1 : -1);
      return { ...state, intervalMs, message: `interval ${formatInterval(intervalMs)}` };
    }
    case 'sort-next':
    case 'sort-prev':
      return stepSort(state, cmd === 'sort-next' ? 1 : -1, nowMs);
    case 'reverse':
      return resort(state, { reverse: !currentSort(state).reverse }, nowMs);
    case 'sort-pick':
      return { ...state, prompt: { kind: 'sort', text: '', before: '' } };
    case 'filter':
    case 'user': {
      const kind = state.screen === 'libraries' ? 'path' : cmd;
      const filter = state.processes.filter;
      const text = { path: state.libs.filter, filter: filter.text, user: filter.user }[kind];
      return { ...state, prompt: { kind, text, before: text } };
    }
    case 'tree':
      return {
        ...state,
        processes: reshapeProcessList(
          state.processes,
          { tree: !state.processes.tree },
          source,
          nowMs,
          processListRows(state),
        ),
      };
    case 'group':
      return refreshAll(
        {
          ...state,
          mappings: { ...state.mappings, grouped: !state.mappings.grouped, holdUntilMs: 0 },
        },
        nowMs,
      );
    case 'zoom-in':
    case 'zoom-out': {
      const geo = pageGeometry(state);
      if (!geo) return state;
      return { ...state, pages: zoomPageMap(state.pages, cmd === 'zoom-in' ? 'in' : 'out', geo) };
    }
    case 'shares':
      return openShares(state, nowMs);
    case 'libraries':
      return refreshAll(
        { ...state, screen: 'libraries', libs: { ...INITIAL_LIBRARIES, ...keepSort(state) } },
        nowMs,
      );
    default:
      return state;
  }
}

/** Text a key types at a prompt: none for control keys. */
function typedText(input: string, key: Key): string {
  if (key.ctrl || key.meta || key.escape || key.return || key.tab) return '';
  // eslint-disable-next-line no-control-regex
  return input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** One key: a command from the key table in the live context, else text for a prompt. */
function pressKey(state: AppState, input: string, key: Key, nowMs: number): AppState {
  const context = keyContext(state);
  const cmd = resolveKey(input, key, context);
  if (cmd) return appReducer(state, { type: 'command', command: cmd, nowMs });
  const text = typedText(input, key);
  if (text === '') return state;
  if (context === 'sort')
    return appReducer(state, { type: 'pick', letter: text.slice(0, 1), nowMs });
  if (context === 'prompt') return appReducer(state, { type: 'type', text, nowMs });
  return state;
}

/** The TUI's one reducer: pure, time passed in. */
export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'key':
      return splitKeys(action.input, action.key).reduce(
        (s, k) => pressKey(s, k.input, k.key, action.nowMs),
        state,
      );
    case 'session': {
      const { snapshot, progress, ...derived } = action.update;
      const next = {
        changes: derived.changes,
        focusChanges: derived.focusChanges,
        events: derived.events,
        sharers: derived.sharers,
        sharing: derived.sharing,
        libraries: derived.libraries,
        cost: derived.cost,
      };
      if (snapshot === state.snapshot) {
        const same = (Object.keys(next) as (keyof typeof next)[]).every(
          (k) => next[k] === state[k],
        );
        if (same) return progress === state.progress ? state : { ...state, progress };
        return refreshAll({ ...state, ...next, progress }, action.nowMs);
      }
      return refreshAll(
        { ...state, ...next, previous: state.snapshot, snapshot, progress },
        action.nowMs,
      );
    }
    case 'resize':
      return refreshAll({ ...state, viewport: action.viewport, helpScroll: 0 }, action.nowMs);
    case 'command':
      return command({ ...state, message: undefined }, action.command, action.nowMs);
    case 'type':
      return state.prompt
        ? applyPromptText(state, state.prompt.text + action.text, action.nowMs)
        : state;
    case 'pick':
      if (state.prompt?.kind !== 'sort') return state;
      return pickSort({ ...state, prompt: undefined }, action.letter, action.nowMs);
  }
}

/** The process the session should read mappings and pages of, if any. */
export function intentFocusPid(state: AppState): number | undefined {
  return state.focus?.pid;
}

/** The mapping whose pages are on screen, if any. */
export function intentFocusMapping(state: AppState): number | undefined {
  return baseScreen(state) === 'pages' ? state.pages.mappingStart : undefined;
}

/** The process whose sharing is on screen (mapping view, page map, shares view), if any. */
export function intentSharersPid(state: AppState): number | undefined {
  switch (baseScreen(state)) {
    case 'mappings':
    case 'pages':
      return state.focus?.pid;
    case 'shares':
      return state.shares.subject?.pid;
    default:
      return undefined;
  }
}

/**
 * The pids of the process rows on screen, in drawn order (the session reads them more often),
 * counted up to the terminal's height: no layout per frame.
 */
export function intentRowPids(state: AppState): number[] {
  const list = state.processes;
  const top = list.cursor.scrollTop;
  return list.rows.slice(top, top + state.viewport.rows).map((r) => r.process.pid);
}

/** Whether the libraries are on screen. */
export function intentLibraries(state: AppState): boolean {
  const on = baseScreen(state);
  return on === 'libraries' || on === 'library';
}
