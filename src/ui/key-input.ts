import type { Key } from 'ink';

/** A key with no flags set: a plain typed character. */
export const PLAIN_KEY: Key = {
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

function charKey(char: string): { input: string; key: Key } {
  const code = char.charCodeAt(0);
  if (char === '\r' || char === '\n') return { input: '', key: { ...PLAIN_KEY, return: true } };
  if (char === '\t') return { input: '', key: { ...PLAIN_KEY, tab: true } };
  if (char === '\x7f') return { input: '', key: { ...PLAIN_KEY, delete: true } };
  if (char === '\b') return { input: '', key: { ...PLAIN_KEY, backspace: true } };
  if (code >= 1 && code <= 26)
    return { input: String.fromCharCode(code + 96), key: { ...PLAIN_KEY, ctrl: true } };
  return { input: char, key: PLAIN_KEY };
}

/**
 * Keys typed faster than they are read (over SSH, or pasted) reach us as one string, "jjj" or
 * "/name\r": one key each, so that a key changing the context (/ opens a prompt) is seen before
 * the next one is read.
 */
export function splitKeys(input: string, key: Key): { input: string; key: Key }[] {
  const named =
    key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown;
  if (input.length <= 1 || named || key.home || key.end || key.escape || key.ctrl || key.meta) {
    return [{ input, key }];
  }
  return [...input].map(charKey);
}
