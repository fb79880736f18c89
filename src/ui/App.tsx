import { useEffect, useReducer } from 'react';
import type { ViewSortKey } from '../model/view-sort.js';
import { FrameSink, type DrawFrame } from './components/Frame.js';
import { CurrentScreen } from './components/Screens.js';
import type { SessionFeed, SessionIntent } from '../store/contract.js';
import { appReducer } from './state/app-reducer.js';
import { initialAppState } from './state/app-state.js';
import { useKeys } from './use-keys.js';
import { useIntents, useSessionFeed } from './use-session.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface AppProps {
  feed: SessionFeed;
  onIntent: (intent: SessionIntent) => void;
  onQuit: () => void;
  /** Ctrl-Z: suspend memtop as a shell's job (the terminal restored until it resumes). */
  onSuspend?: () => void;
  /** Ctrl-L: draw the whole screen again. */
  onRedraw?: () => void;
  sortKey: ViewSortKey;
  intervalMs: number;
  color: boolean;
  /** Draws frames straight to the terminal; without it Ink draws them. */
  drawFrame?: DrawFrame;
}

/** The interactive TUI: snapshots in through the feed, intents out; it only draws. */
export function App({
  feed,
  onIntent,
  onQuit,
  onSuspend,
  onRedraw,
  sortKey,
  intervalMs,
  color,
  drawFrame,
}: AppProps) {
  const viewport = useTerminalSize();
  const [state, dispatch] = useReducer(
    appReducer,
    { sortKey, intervalMs, color, viewport },
    initialAppState,
  );
  useEffect(() => dispatch({ type: 'resize', viewport, nowMs: Date.now() }), [viewport]);
  useSessionFeed(feed, dispatch);
  useIntents(state, onIntent);
  useKeys(dispatch);
  useEffect(() => {
    if (state.quit) onQuit();
  }, [state.quit, onQuit]);
  useEffect(() => {
    if (state.suspends > 0) onSuspend?.();
  }, [state.suspends, onSuspend]);
  useEffect(() => {
    if (state.redraws > 0) onRedraw?.();
  }, [state.redraws, onRedraw]);
  return (
    <FrameSink.Provider value={drawFrame}>
      <CurrentScreen state={state} />
    </FrameSink.Provider>
  );
}
