import type { AppState } from '../state/app-state.js';
import { helpScreenLines } from '../views/help-view.js';
import { librariesScreenLines, libraryScreenLines } from '../views/library-view.js';
import { mappingScreenLines } from '../views/mapping-view.js';
import { pageScreenLines } from '../views/page-view.js';
import { processScreenLines } from '../views/process-view.js';
import { sharesScreenLines } from '../views/shares-view.js';
import { Frame } from './Frame.js';

/** The process list: header, sortable table, status and key lines. */
export function ProcessScreen({ state }: { state: AppState }) {
  return <Frame lines={processScreenLines(state)} viewport={state.viewport} />;
}

/** One process's mappings, like pmap -X, with a totals line. */
export function MappingScreen({ state }: { state: AppState }) {
  return <Frame lines={mappingScreenLines(state)} viewport={state.viewport} />;
}

/** One mapping's pages as a grid of lettered, coloured cells. */
export function PageMapScreen({ state }: { state: AppState }) {
  return <Frame lines={pageScreenLines(state)} viewport={state.viewport} />;
}

/** Whom one process shares the most with: bytes (distinct pages) and page-table mappings. */
export function SharesScreen({ state }: { state: AppState }) {
  return <Frame lines={sharesScreenLines(state)} viewport={state.viewport} />;
}

/** Every mapped file across all processes: who maps it, Σ RSS, Σ PSS, private vs shared. */
export function LibrariesScreen({ state }: { state: AppState }) {
  return <Frame lines={librariesScreenLines(state)} viewport={state.viewport} />;
}

/** One file: the processes mapping it and what each holds privately. */
export function LibraryScreen({ state }: { state: AppState }) {
  return <Frame lines={libraryScreenLines(state)} viewport={state.viewport} />;
}

/** The keys, generated from the key table, and what the columns and cells mean. */
export function HelpScreen({ state }: { state: AppState }) {
  return <Frame lines={helpScreenLines(state)} viewport={state.viewport} />;
}

/** Whichever screen the state is on. */
export function CurrentScreen({ state }: { state: AppState }) {
  switch (state.screen) {
    case 'processes':
      return <ProcessScreen state={state} />;
    case 'mappings':
      return <MappingScreen state={state} />;
    case 'pages':
      return <PageMapScreen state={state} />;
    case 'shares':
      return <SharesScreen state={state} />;
    case 'libraries':
      return <LibrariesScreen state={state} />;
    case 'library':
      return <LibraryScreen state={state} />;
    case 'help':
      return <HelpScreen state={state} />;
  }
}
