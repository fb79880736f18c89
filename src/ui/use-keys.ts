import { useInput, type Key } from 'ink';
import { useCallback, type Dispatch } from 'react';
import { resolveKey, type KeyContext } from './keys.js';
import type { AppAction } from './state/app-state.js';

const PLAIN_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** Typed text for a prompt: no control keys, no escapes. */
function typedText(input: string, key: Key): string {
  if (key.ctrl || key.meta || key.escape || key.return || key.tab) return '';
  // eslint-disable-next-line no-control-regex
  return input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** Turns key presses into actions through the key table; at prompts, typed text. */
export function useKeys(context: KeyContext, dispatch: Dispatch<AppAction>): void {
  const onInput = useCallback(
    (input: string, key: Key) => {
      const nowMs = Date.now();
      const command = resolveKey(input, key, context);
      if (command) {
        dispatch({ type: 'command', command, nowMs });
        return;
      }
      const text = typedText(input, key);
      if (text === '') return;
      if (context === 'prompt') {
        dispatch({ type: 'type', text, nowMs });
        return;
      }
      // Keys typed faster than they are read arrive as one string ("jjj"): one command each.
      for (const char of text) {
        if (context === 'sort') {
          dispatch({ type: 'pick', letter: char, nowMs });
          return;
        }
        const each = resolveKey(char, PLAIN_KEY, context);
        if (each) dispatch({ type: 'command', command: each, nowMs });
      }
    },
    [context, dispatch],
  );
  useInput(onInput);
}
