import type { AppState } from '../state/app-state.js';
import { helpScreen } from './help.js';
import { libraries } from './libraries.js';
import { library } from './library.js';
import { mappings } from './mappings.js';
import { pages } from './pages.js';
import { processes, refreshProcesses } from './processes.js';
import type { Screen, ScreenContext, ScreenIntents } from './screen.js';
import { shares } from './shares.js';

const OTHERS = [processes, mappings, pages, shares, libraries, library];

/** Every screen by its id: the one table the reducer, the drawing and the intents read. */
export const SCREENS = {
  processes,
  mappings,
  pages,
  shares,
  libraries,
  library,
  help: helpScreen(OTHERS),
} satisfies Record<string, Screen>;

export type ScreenId = keyof typeof SCREENS;

/** The screen the state is on. */
export function screenOf(state: AppState): Screen {
  return SCREENS[state.screen];
}

/** What actions are given at a time: the time, and refreshScreens at that time. */
export function screenContext(nowMs: number): ScreenContext {
  return { nowMs, refresh: (state) => refreshScreens(state, nowMs) };
}

/** Redraws the process list, then the screen on show, from the latest session data. */
export function refreshScreens(state: AppState, nowMs: number): AppState {
  return screenOf(state).refresh(refreshProcesses(state, nowMs), screenContext(nowMs));
}

/** What the screen on show (or under help) asks the session for. */
export function screenIntents(state: AppState): ScreenIntents {
  return screenOf(state).intents(state);
}
