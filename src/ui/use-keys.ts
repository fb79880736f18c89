import { useInput, type Key } from 'ink';
import { useCallback, type Dispatch } from 'react';
import type { AppAction } from './state/app-state.js';

/** Hands every key press to the reducer, which reads it through the key table. */
export function useKeys(dispatch: Dispatch<AppAction>): void {
  const onInput = useCallback(
    (input: string, key: Key) => dispatch({ type: 'key', input, key, nowMs: Date.now() }),
    [dispatch],
  );
  useInput(onInput);
}
