import type { Key } from 'ink';
import { formatInterval } from '../../format/text.js';
import { splitKeys } from '../key-input.js';
import { resolveKey, type Command } from '../keys.js';
import { refreshScreens, screenContext, screenOf } from '../screens/index.js';
import type { ScreenContext } from '../screens/screen.js';
import { keyContext, type AppAction, type AppState } from './app-state.js';
import type { Move } from './list-cursor.js';
import { pickSort, stepSort } from './sorting.js';

/** Intervals + and - step through, like top's common choices (ms). */
export const INTERVAL_STEPS_MS = [250, 500, 1000, 2000, 3000, 5000, 10_000, 15_000, 30_000, 60_000];

/** The next longer (+1) or shorter (−1) step from any interval. */
export function stepInterval(intervalMs: number, direction: 1 | -1): number {
  if (direction > 0) return INTERVAL_STEPS_MS.find((s) => s > intervalMs) ?? intervalMs;
  return [...INTERVAL_STEPS_MS].reverse().find((s) => s < intervalMs) ?? intervalMs;
}

const MOVES: ReadonlySet<Command> = new Set(['up', 'down', 'page-up', 'page-down', 'home', 'end']);

/** What a prompt's text does while it is typed (the screen's prompt says: filters apply live). */
function applyPromptText(state: AppState, text: string, ctx: ScreenContext): AppState {
  const prompt = state.prompt;
  if (!prompt || prompt.kind === 'sort') return state;
  const withText = { ...state, prompt: { ...prompt, text } };
  const own = Object.values(screenOf(state).prompts ?? {}).find((p) => p.kind === prompt.kind);
  return own ? own.apply(withText, text, ctx) : withText;
}

function promptCommand(state: AppState, command: Command, ctx: ScreenContext): AppState {
  const prompt = state.prompt!;
  switch (command) {
    case 'accept':
      return { ...state, prompt: undefined };
    case 'cancel':
      return { ...applyPromptText(state, prompt.before, ctx), prompt: undefined };
    case 'erase':
      return applyPromptText(state, prompt.text.slice(0, -1), ctx);
    case 'quit':
      return { ...state, quit: true };
    default:
      return state;
  }
}

/** The common keymap's commands; the rest are the screen's own. */
function command(state: AppState, cmd: Command, ctx: ScreenContext): AppState {
  // Everywhere, a prompt open or not: they act on the terminal, not on the screen's state.
  if (cmd === 'suspend') return { ...state, suspends: state.suspends + 1 };
  if (cmd === 'redraw') return { ...state, redraws: state.redraws + 1 };
  if (state.prompt) return promptCommand(state, cmd, ctx);
  const screen = screenOf(state);
  if (MOVES.has(cmd)) return screen.move(state, cmd as Move, ctx);
  const sort = screen.sort;
  switch (cmd) {
    case 'quit':
      return { ...state, quit: true };
    case 'open':
      return screen.open?.(state, ctx) ?? state;
    case 'back':
      return screen.back(state, ctx);
    case 'help':
      if (state.screen === 'help') return screen.back(state, ctx);
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
      return sort ? stepSort(sort, state, cmd === 'sort-next' ? 1 : -1, ctx) : state;
    case 'reverse':
      return sort ? sort.apply(state, { reverse: !sort.current(state).reverse }, ctx) : state;
    case 'sort-pick':
      return sort ? { ...state, prompt: { kind: 'sort', text: '', before: '' } } : state;
    case 'filter':
    case 'user': {
      const prompt = screen.prompts?.[cmd];
      if (!prompt) return state;
      const text = prompt.text(state);
      return { ...state, prompt: { kind: prompt.kind, text, before: text } };
    }
    default:
      return screen.commands?.[cmd]?.(state, ctx) ?? state;
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

/** A session update: the lists redrawn only when something they show changed. */
function sessionUpdate(state: AppState, action: AppAction & { type: 'session' }): AppState {
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
    const same = (Object.keys(next) as (keyof typeof next)[]).every((k) => next[k] === state[k]);
    if (same) return progress === state.progress ? state : { ...state, progress };
    return refreshScreens({ ...state, ...next, progress }, action.nowMs);
  }
  return refreshScreens(
    { ...state, ...next, previous: state.snapshot, snapshot, progress },
    action.nowMs,
  );
}

/** The TUI's one reducer: pure, time passed in. */
export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'key':
      return splitKeys(action.input, action.key).reduce(
        (s, k) => pressKey(s, k.input, k.key, action.nowMs),
        state,
      );
    case 'session':
      return sessionUpdate(state, action);
    case 'resize':
      return refreshScreens({ ...state, viewport: action.viewport, helpScroll: 0 }, action.nowMs);
    case 'command': {
      const ctx = screenContext(action.nowMs);
      return command({ ...state, message: undefined }, action.command, ctx);
    }
    case 'type':
      return state.prompt
        ? applyPromptText(state, state.prompt.text + action.text, screenContext(action.nowMs))
        : state;
    case 'pick': {
      const sort = screenOf(state).sort;
      if (state.prompt?.kind !== 'sort' || !sort) return state;
      return pickSort(
        sort,
        { ...state, prompt: undefined },
        action.letter,
        screenContext(action.nowMs),
      );
    }
  }
}
