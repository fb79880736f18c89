import { useEffect, type Dispatch } from 'react';
import type { SessionFeed, SessionIntent } from '../store/contract.js';
import {
  intentFocusMapping,
  intentFocusPid,
  intentLibraries,
  intentRowPids,
  intentSharersPid,
} from './screens/intent-selection.js';
import type { AppAction, AppState } from './state/app-state.js';

/** Feeds the session's snapshots into the state. */
export function useSessionFeed(feed: SessionFeed, dispatch: Dispatch<AppAction>): void {
  useEffect(() => {
    dispatch({ type: 'session', update: feed.current(), nowMs: Date.now() });
    return feed.subscribe((update) => dispatch({ type: 'session', update, nowMs: Date.now() }));
  }, [feed, dispatch]);
}

/** Tells the session what is on screen, whenever that changes: the UI's only way up. */
export function useIntents(state: AppState, onIntent: (intent: SessionIntent) => void): void {
  const pid = intentFocusPid(state);
  const start = intentFocusMapping(state);
  const sharersPid = intentSharersPid(state);
  const libraries = intentLibraries(state);
  const { paused, intervalMs } = state;
  useEffect(() => onIntent({ type: 'focus-process', pid }), [pid, onIntent]);
  useEffect(() => onIntent({ type: 'focus-mapping', start }), [start, onIntent]);
  useEffect(() => onIntent({ type: 'pause', paused }), [paused, onIntent]);
  useEffect(() => onIntent({ type: 'interval', intervalMs }), [intervalMs, onIntent]);
  useEffect(() => onIntent({ type: 'sharers', pid: sharersPid }), [sharersPid, onIntent]);
  useEffect(() => onIntent({ type: 'libraries', wanted: libraries }), [libraries, onIntent]);
  // Sent when the rows on screen change, not on every frame: compared as text.
  const rows = intentRowPids(state).join(',');
  useEffect(
    () => onIntent({ type: 'rows', pids: rows === '' ? [] : rows.split(',').map(Number) }),
    [rows, onIntent],
  );
}
