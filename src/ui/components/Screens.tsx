import type { AppState } from '../state/app-state.js';
import { SCREENS, screenOf } from '../screens/index.js';
import type { Screen } from '../screens/screen.js';
import { Frame } from './Frame.js';

/** A screen's lines as one frame, whichever screen the state is on. */
function screenFrame(screen: Screen) {
  return function ScreenFrame({ state }: { state: AppState }) {
    return <Frame lines={screen.lines(state)} viewport={state.viewport} />;
  };
}

/** The process list: header, sortable table, status and key lines. */
export const ProcessScreen = screenFrame(SCREENS.processes);

/** One process's mappings, like pmap -X, with a totals line. */
export const MappingScreen = screenFrame(SCREENS.mappings);

/** One mapping's pages as a grid of lettered, coloured cells. */
export const PageMapScreen = screenFrame(SCREENS.pages);

/** The keys, generated from the key table, and what the columns and cells mean. */
export const HelpScreen = screenFrame(SCREENS.help);

/** Whichever screen the state is on. */
export function CurrentScreen({ state }: { state: AppState }) {
  return <Frame lines={screenOf(state).lines(state)} viewport={state.viewport} />;
}
