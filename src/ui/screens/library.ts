import { LIBRARY_USER_COLUMNS } from '../../columns/library-columns.js';
import { leave } from '../state/app-state.js';
import { drilledLibrary } from '../state/library-list.js';
import { libraryScreenLines } from '../views/library-view.js';
import { moveLibraryList, refreshLibraryLists, sortLibraryList } from './libraries.js';
import type { Screen } from './screen.js';

/** One file drilled into from the libraries view: the processes mapping it. */
export const library: Screen = {
  id: 'library',
  name: 'a library',
  refresh(state, { nowMs }) {
    if (state.libraries && !drilledLibrary(state.libs, state.libraries))
      return leave(state, 'libraries', 'no process maps that file any more');
    return refreshLibraryLists(state, nowMs);
  },
  move: moveLibraryList('users'),
  back: (state, ctx) =>
    ctx.refresh({ ...state, screen: 'libraries', libs: { ...state.libs, fileKey: undefined } }),
  sort: sortLibraryList('users', LIBRARY_USER_COLUMNS),
  lines: libraryScreenLines,
  intents: () => ({ libraries: true }),
};
