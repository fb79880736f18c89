import type { AppState } from '../state/app-state.js';
import { helpScreenLines } from '../views/help-view.js';
import { mappingScreenLines } from '../views/mapping-view.js';
import { pageScreenLines } from '../views/page-view.js';
import { processScreenLines } from '../views/process-view.js';
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
    case 'help':
      return <HelpScreen state={state} />;
  }
}
