import { helpLines } from '../help.js';
import { helpRows, type AppState } from '../state/app-state.js';
import type { Move } from '../state/list-cursor.js';
import { helpScreenLines } from '../views/help-view.js';
import type { Screen } from './screen.js';

const SCROLL: Record<Move, (page: number) => number> = {
  up: () => -1,
  down: () => 1,
  'page-up': (page) => -page,
  'page-down': (page) => page,
  home: () => -Infinity,
  end: () => Infinity,
};

/**
 * The help, over whichever screen it was opened on: the keys (from the key table, with where
 * each works, by the screens' names), every list's sort letters, the columns, the page map's
 * cells. It is built over the other screens, which it names and which go on under it.
 */
export function helpScreen(others: readonly Screen[]): Screen {
  const under = (state: AppState) => others.find((s) => s.id === state.helpReturn)!;
  const text = (color: boolean) => helpLines(color, [...others, help]);
  const help: Screen = {
    id: 'help',
    name: 'help',
    refresh: (state, ctx) => under(state).refresh(state, ctx),
    move(state, move) {
      const most = Math.max(0, text(false).length - helpRows(state));
      const scroll = state.helpScroll + SCROLL[move](helpRows(state));
      return { ...state, helpScroll: Math.min(Math.max(0, scroll), most) };
    },
    back: (state) => ({ ...state, screen: state.helpReturn }),
    lines: (state) => helpScreenLines(state, text(state.color)),
    intents: (state) => under(state).intents(state),
  };
  return help;
}
