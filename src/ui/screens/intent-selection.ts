import type { AppState } from '../state/app-state.js';
import { screenIntents } from './index.js';

/** The process the session should read mappings and pages of, if any. */
export function intentFocusPid(state: AppState): number | undefined {
  return screenIntents(state).focusPid;
}

/** The mapping whose pages are on screen, if any. */
export function intentFocusMapping(state: AppState): number | undefined {
  return screenIntents(state).focusMapping;
}

/** The process whose sharing is on screen (mapping view, page map, shares view), if any. */
export function intentSharersPid(state: AppState): number | undefined {
  return screenIntents(state).sharersPid;
}

/** Whether the libraries are on screen. */
export function intentLibraries(state: AppState): boolean {
  return screenIntents(state).libraries ?? false;
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
