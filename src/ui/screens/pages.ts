import type { Command } from '../keys.js';
import {
  baseScreen,
  focusedProcess,
  leave,
  pageGeometry,
  type AppState,
} from '../state/app-state.js';
import { EMPTY_PAGE_MAP, clampPageMap, movePageCursor, zoomPageMap } from '../state/page-map.js';
import { pageScreenLines } from '../views/page-view.js';
import { mappings } from './mappings.js';
import type { Screen } from './screen.js';

/** The cursor moved by a cell (← →), a row (↑ ↓), a screen of cells or to either end. */
function moveCursor(state: AppState, move: Command): AppState {
  const geo = pageGeometry(state);
  return geo ? { ...state, pages: movePageCursor(state.pages, move, geo) } : state;
}

function zoom(state: AppState, direction: 'in' | 'out'): AppState {
  const geo = pageGeometry(state);
  return geo ? { ...state, pages: zoomPageMap(state.pages, direction, geo) } : state;
}

/** One mapping's pages as a grid of lettered, coloured cells; it sits on the mapping view. */
export const pages: Screen = {
  id: 'pages',
  name: 'page map',
  refresh(state, ctx) {
    const next = mappings.refresh(state, ctx);
    if (baseScreen(next) !== 'pages') return next;
    const geo = pageGeometry(next);
    if (geo) return { ...next, pages: clampPageMap(next.pages, geo) };
    // The mappings not read yet: wait for the focused sample.
    if (!focusedProcess(next)?.mappings) return next;
    return leave(next, 'mappings', 'that mapping is gone');
  },
  move: moveCursor,
  back: (state) => ({ ...state, screen: 'mappings', pages: EMPTY_PAGE_MAP }),
  commands: {
    left: (state) => moveCursor(state, 'left'),
    right: (state) => moveCursor(state, 'right'),
    'zoom-in': (state) => zoom(state, 'in'),
    'zoom-out': (state) => zoom(state, 'out'),
  },
  lines: pageScreenLines,
  intents: (state) => ({
    focusPid: state.focus?.pid,
    focusMapping: state.pages.mappingStart,
    sharersPid: state.focus?.pid,
  }),
};
