import type { Key } from 'ink';
import type { ScreenId } from './screens/index.js';

/**
 * Keyboard commands as data: one table both dispatches keys and writes the help screen and
 * the bottom key line, so that what the help says is what the keys do.
 */
export const COMMANDS = [
  'up',
  'down',
  'page-up',
  'page-down',
  'home',
  'end',
  'left',
  'right',
  'open',
  'back',
  'quit',
  'suspend',
  'redraw',
  'sort-prev',
  'sort-next',
  'sort-pick',
  'reverse',
  'filter',
  'user',
  'tree',
  'group',
  'zoom-in',
  'zoom-out',
  'shares',
  'libraries',
  'pause',
  'slower',
  'faster',
  'help',
  'accept',
  'cancel',
  'erase',
] as const;
export type Command = (typeof COMMANDS)[number];

/** Where a key is active: a screen, or a one-line prompt at the bottom. */
export type KeyContext = ScreenId | 'prompt' | 'sort';

/** Where a binding is live: contexts, or 'screens' for every screen (not the prompts). */
export type KeyScope = KeyContext | 'screens';

type KeyName =
  | 'upArrow'
  | 'downArrow'
  | 'leftArrow'
  | 'rightArrow'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'return'
  | 'escape'
  | 'backspace'
  | 'delete';

/** One physical key: a named key, or a typed character (with Ctrl when `ctrl`). */
export interface KeySpec {
  key?: KeyName;
  input?: string;
  ctrl?: boolean;
}

export interface FooterItem {
  keys: string;
  name: string;
  rank?: number;
}

export interface KeyBinding {
  command: Command;
  keys: readonly KeySpec[];
  /** How the keys are written on the help screen. */
  label: string;
  help: string;
  contexts: readonly KeyScope[];
  /** Shown on the bottom key line: the keys, a one-word name, and a rank (lower stays longer on a narrow line). */
  footer?: FooterItem;
}

/** Every screen, and the prompts too. */
const ANYWHERE: readonly KeyScope[] = ['screens', 'prompt', 'sort'];
/** The sortable lists: the screens with sort keys (a test checks the two agree). */
const LISTS: readonly KeyScope[] = ['processes', 'mappings', 'libraries', 'library'];

/** The key table. Order matters: the first binding active in a context that matches wins. */
export const KEY_BINDINGS: readonly KeyBinding[] = [
  {
    command: 'quit',
    keys: [{ input: 'c', ctrl: true }],
    label: 'Ctrl-C',
    help: 'quit, from anywhere (also from a prompt)',
    contexts: ANYWHERE,
  },
  {
    command: 'suspend',
    keys: [{ input: 'z', ctrl: true }],
    label: 'Ctrl-Z',
    help: 'suspend: the terminal as it was, back to the shell; fg resumes',
    contexts: ANYWHERE,
  },
  {
    command: 'redraw',
    keys: [{ input: 'l', ctrl: true }],
    label: 'Ctrl-L',
    help: 'redraw the whole screen',
    contexts: ANYWHERE,
  },
  {
    command: 'accept',
    keys: [{ key: 'return' }],
    label: 'Enter',
    help: 'apply what was typed',
    contexts: ['prompt'],
    footer: { keys: 'Enter', name: 'Apply', rank: 0 },
  },
  {
    command: 'cancel',
    keys: [{ key: 'escape' }],
    label: 'Esc',
    help: 'cancel the prompt, keeping what was there before',
    contexts: ['prompt', 'sort'],
    footer: { keys: 'Esc', name: 'Cancel', rank: 0 },
  },
  {
    command: 'erase',
    keys: [{ key: 'backspace' }, { key: 'delete' }],
    label: 'Backspace',
    help: 'erase the last character typed',
    contexts: ['prompt'],
  },
  {
    command: 'up',
    keys: [{ key: 'upArrow' }, { input: 'k' }],
    label: '↑ k',
    help: 'move up',
    contexts: ['screens'],
  },
  {
    command: 'down',
    keys: [{ key: 'downArrow' }, { input: 'j' }],
    label: '↓ j',
    help: 'move down',
    contexts: ['screens'],
  },
  {
    command: 'page-up',
    keys: [{ key: 'pageUp' }],
    label: 'PgUp',
    help: 'one screen up',
    contexts: ['screens'],
  },
  {
    command: 'page-down',
    keys: [{ key: 'pageDown' }],
    label: 'PgDn',
    help: 'one screen down',
    contexts: ['screens'],
  },
  {
    command: 'home',
    keys: [{ key: 'home' }],
    label: 'Home',
    help: 'to the first row (first page)',
    contexts: ['screens'],
  },
  {
    command: 'end',
    keys: [{ key: 'end' }],
    label: 'End',
    help: 'to the last row (last page)',
    contexts: ['screens'],
  },
  {
    command: 'left',
    keys: [{ key: 'leftArrow' }],
    label: '←',
    help: 'page map: cursor to the previous page (Esc goes back)',
    contexts: ['pages'],
    footer: { keys: '←↑↓→', name: 'Move', rank: 1 },
  },
  {
    command: 'right',
    keys: [{ key: 'rightArrow' }],
    label: '→',
    help: 'page map: cursor to the next page',
    contexts: ['pages'],
  },
  {
    command: 'open',
    keys: [{ key: 'return' }],
    label: 'Enter',
    help: 'open: a process’s mappings, a mapping’s page map, a file’s processes; expand or fold a file group',
    contexts: ['processes', 'mappings', 'libraries'],
    footer: { keys: 'Enter', name: 'Open', rank: 1 },
  },
  {
    command: 'back',
    keys: [{ key: 'escape' }, { key: 'backspace' }, { key: 'delete' }, { key: 'leftArrow' }],
    label: 'Esc ⌫ ←',
    help: 'back to the previous screen',
    contexts: ['mappings', 'shares', 'libraries', 'library', 'help'],
    footer: { keys: 'Esc', name: 'Back', rank: 1 },
  },
  {
    command: 'back',
    keys: [{ key: 'escape' }, { key: 'backspace' }, { key: 'delete' }],
    label: 'Esc ⌫',
    help: 'page map: back to the mappings',
    contexts: ['pages'],
    footer: { keys: 'Esc', name: 'Back', rank: 1 },
  },
  {
    command: 'back',
    keys: [{ key: 'escape' }],
    label: 'Esc',
    help: 'process list: clear the name and user filters',
    contexts: ['processes'],
  },
  {
    command: 'help',
    keys: [{ input: '?' }, { input: 'h' }],
    label: '? h',
    help: 'this help (again to leave it)',
    contexts: ['screens'],
    footer: { keys: '?', name: 'Help', rank: 0 },
  },
  {
    command: 'sort-pick',
    keys: [{ input: 's' }],
    label: 's',
    help: 'choose the sort column by its letter',
    contexts: LISTS,
    footer: { keys: 's', name: 'Sort' },
  },
  {
    command: 'sort-prev',
    keys: [{ input: '<' }],
    label: '<',
    help: 'sort by the column to the left',
    contexts: LISTS,
  },
  {
    command: 'sort-next',
    keys: [{ input: '>' }],
    label: '>',
    help: 'sort by the column to the right',
    contexts: LISTS,
  },
  {
    command: 'reverse',
    keys: [{ input: 'r' }],
    label: 'r',
    help: 'reverse the sort order',
    contexts: LISTS,
  },
  {
    command: 'filter',
    keys: [{ input: '/' }],
    label: '/',
    help: 'filter by name or command line; libraries: by path (empty: all)',
    contexts: ['processes', 'libraries'],
    footer: { keys: '/', name: 'Filter' },
  },
  {
    command: 'user',
    keys: [{ input: 'u' }],
    label: 'u',
    help: 'show one user’s processes (name or uid; empty: all)',
    contexts: ['processes'],
    footer: { keys: 'u', name: 'User' },
  },
  {
    command: 'tree',
    keys: [{ input: 't' }],
    label: 't',
    help: 'tree view by parent: fork families are where sharing lives',
    contexts: ['processes'],
    footer: { keys: 't', name: 'Tree' },
  },
  {
    command: 'group',
    keys: [{ input: 'g' }],
    label: 'g',
    help: 'group mappings by file (Enter on a group expands it)',
    contexts: ['mappings'],
    footer: { keys: 'g', name: 'Group' },
  },
  {
    command: 'zoom-in',
    keys: [{ input: 'z' }],
    label: 'z',
    help: 'page map: zoom in (fewer pages per cell)',
    contexts: ['pages'],
    footer: { keys: 'z/Z', name: 'Zoom' },
  },
  {
    command: 'zoom-out',
    keys: [{ input: 'Z' }],
    label: 'Z',
    help: 'page map: zoom out (more pages per cell)',
    contexts: ['pages'],
  },
  {
    command: 'shares',
    keys: [{ input: 'w' }],
    label: 'w',
    help: 'whom this process shares the most with: bytes (distinct pages) and page-table mappings (root)',
    contexts: ['processes', 'mappings'],
    footer: { keys: 'w', name: 'Shares' },
  },
  {
    command: 'libraries',
    keys: [{ input: 'l' }],
    label: 'l',
    help: 'libraries and mapped files: processes, Σ RSS, Σ PSS, private vs shared, sharing ratio',
    contexts: ['processes'],
    footer: { keys: 'l', name: 'Libs' },
  },
  {
    command: 'pause',
    keys: [{ input: 'p' }, { input: ' ' }],
    label: 'p Space',
    help: 'pause or resume sampling (freeze the numbers)',
    contexts: ['screens'],
    footer: { keys: 'p', name: 'Pause' },
  },
  {
    command: 'slower',
    keys: [{ input: '+' }],
    label: '+',
    help: 'longer interval between samples',
    contexts: ['screens'],
    footer: { keys: '+/-', name: 'Interval' },
  },
  {
    command: 'faster',
    keys: [{ input: '-' }],
    label: '-',
    help: 'shorter interval between samples',
    contexts: ['screens'],
  },
  {
    command: 'quit',
    keys: [{ input: 'q' }],
    label: 'q',
    help: 'quit',
    contexts: ['screens'],
    footer: { keys: 'q', name: 'Quit', rank: 0 },
  },
];

function matches(spec: KeySpec, input: string, key: Key): boolean {
  if (spec.key !== undefined) return key[spec.key] && (spec.ctrl ?? false) === key.ctrl;
  return spec.input === input && (spec.ctrl ?? false) === key.ctrl;
}

const isPrompt = (scope: KeyScope) => scope === 'prompt' || scope === 'sort';

/** Whether a binding is live in a context. */
function isLive(binding: KeyBinding, context: KeyContext): boolean {
  const scopes = binding.contexts;
  return scopes.includes(context) || (!isPrompt(context) && scopes.includes('screens'));
}

/** The command a key press means in a context, if any. */
export function resolveKey(input: string, key: Key, context: KeyContext): Command | undefined {
  for (const b of KEY_BINDINGS) {
    if (!isLive(b, context)) continue;
    if (b.keys.some((spec) => matches(spec, input, key))) return b.command;
  }
  return undefined;
}

/** The bottom key line's items for a context, in table order, each once. */
export function footerItems(context: KeyContext): FooterItem[] {
  const seen = new Set<string>();
  const items: FooterItem[] = [];
  for (const b of KEY_BINDINGS) {
    if (!b.footer || !isLive(b, context) || seen.has(b.footer.name)) continue;
    seen.add(b.footer.name);
    items.push(b.footer);
  }
  return items;
}

const PROMPT_NAMES = { prompt: 'prompt', sort: 'sort prompt' } as const;

/**
 * The help screen's key section: one line per binding, where it applies when not everywhere
 * (screens by the name `nameOf` gives them).
 */
export function keyHelpLines(
  nameOf: (screen: ScreenId) => string,
): { keys: string; help: string; where: string }[] {
  const onScreens = (b: KeyBinding) => b.contexts.some((c) => !isPrompt(c));
  const ordered = [...KEY_BINDINGS.filter(onScreens), ...KEY_BINDINGS.filter((b) => !onScreens(b))];
  const name = (c: KeyScope) =>
    c === 'prompt' || c === 'sort' ? PROMPT_NAMES[c] : nameOf(c as ScreenId);
  return ordered.map((b) => {
    const where = b.contexts.includes('screens') ? '' : b.contexts.map(name).join(', ');
    return { keys: b.label, help: b.help, where };
  });
}
