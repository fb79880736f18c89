// The key table: it dispatches every command, and the help and key line come from it.
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { PLAIN_KEY, splitKeys } from '../../src/ui/key-input.js';
import { COMMANDS, KEY_BINDINGS, footerItems, resolveKey } from '../../src/ui/keys.js';

const none = PLAIN_KEY;
const k = (over: Partial<Key>): Key => ({ ...none, ...over });

describe('key table', () => {
  it('binds every command', () => {
    const bound = new Set(KEY_BINDINGS.map((b) => b.command));
    for (const c of COMMANDS) expect(bound.has(c), c).toBe(true);
  });

  it('has the keys the issue lists', () => {
    expect(resolveKey('', k({ upArrow: true }), 'processes')).toBe('up');
    expect(resolveKey('k', none, 'processes')).toBe('up');
    expect(resolveKey('j', none, 'mappings')).toBe('down');
    expect(resolveKey('', k({ pageUp: true }), 'processes')).toBe('page-up');
    expect(resolveKey('', k({ pageDown: true }), 'processes')).toBe('page-down');
    expect(resolveKey('', k({ home: true }), 'processes')).toBe('home');
    expect(resolveKey('', k({ end: true }), 'processes')).toBe('end');
    expect(resolveKey('', k({ return: true }), 'processes')).toBe('open');
    for (const key of [
      { escape: true },
      { backspace: true },
      { delete: true },
      { leftArrow: true },
    ]) {
      expect(resolveKey('', k(key), 'mappings')).toBe('back');
    }
    expect(resolveKey('q', none, 'pages')).toBe('quit');
    expect(resolveKey('c', k({ ctrl: true }), 'prompt')).toBe('quit');
    for (const context of ['processes', 'pages', 'help', 'prompt', 'sort'] as const) {
      expect(resolveKey('z', k({ ctrl: true }), context)).toBe('suspend');
      expect(resolveKey('l', k({ ctrl: true }), context)).toBe('redraw');
    }
    expect(resolveKey('<', none, 'processes')).toBe('sort-prev');
    expect(resolveKey('>', none, 'processes')).toBe('sort-next');
    expect(resolveKey('s', none, 'processes')).toBe('sort-pick');
    expect(resolveKey('r', none, 'processes')).toBe('reverse');
    expect(resolveKey('/', none, 'processes')).toBe('filter');
    expect(resolveKey('u', none, 'processes')).toBe('user');
    expect(resolveKey('t', none, 'processes')).toBe('tree');
    expect(resolveKey('p', none, 'processes')).toBe('pause');
    expect(resolveKey(' ', none, 'help')).toBe('pause');
    expect(resolveKey('+', none, 'processes')).toBe('slower');
    expect(resolveKey('-', none, 'processes')).toBe('faster');
    expect(resolveKey('?', none, 'processes')).toBe('help');
    expect(resolveKey('h', none, 'pages')).toBe('help');
  });

  it('moves the page map cursor with ← and leaves with Esc', () => {
    expect(resolveKey('', k({ leftArrow: true }), 'pages')).toBe('left');
    expect(resolveKey('', k({ rightArrow: true }), 'pages')).toBe('right');
    expect(resolveKey('', k({ escape: true }), 'pages')).toBe('back');
  });

  it('lets prompts take text: letters are not commands there', () => {
    expect(resolveKey('q', none, 'prompt')).toBeUndefined();
    expect(resolveKey('?', none, 'prompt')).toBeUndefined();
    expect(resolveKey('', k({ return: true }), 'prompt')).toBe('accept');
    expect(resolveKey('', k({ escape: true }), 'sort')).toBe('cancel');
  });

  it('puts the active keys on the bottom line, each once', () => {
    expect(footerItems('processes').map((f) => f.name)).toEqual([
      'Open',
      'Help',
      'Sort',
      'Filter',
      'User',
      'Tree',
      'Shares',
      'Libs',
      'Pause',
      'Interval',
      'Quit',
    ]);
    expect(footerItems('pages').map((f) => f.name)).toContain('Zoom');
    expect(footerItems('libraries').map((f) => f.name)).toEqual([
      'Open',
      'Back',
      'Help',
      'Sort',
      'Filter',
      'Pause',
      'Interval',
      'Quit',
    ]);
    expect(footerItems('prompt').map((f) => f.name)).toEqual(['Apply', 'Cancel']);
  });

  it('splits keys that arrive together into one key each', () => {
    expect(splitKeys('jjk', none).map((x) => x.input)).toEqual(['j', 'j', 'k']);
    const pasted = splitKeys('/ab\r\x7f', none);
    expect(pasted.map((x) => x.input)).toEqual(['/', 'a', 'b', '', '']);
    expect(pasted[3]!.key.return).toBe(true);
    expect(pasted[4]!.key.delete).toBe(true);
    expect(splitKeys('\x03x', none)[0]).toEqual({ input: 'c', key: { ...none, ctrl: true } });
    expect(splitKeys('', k({ upArrow: true }))).toHaveLength(1);
  });
});
