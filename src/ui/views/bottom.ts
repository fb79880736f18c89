import { footerItems, type KeyContext } from '../keys.js';
import { STYLES, paint } from '../style.js';
import { joinFitting } from '../../format/text.js';
import { cutEndToWidth, cutToWidth, padToWidth } from '../../format/width.js';
import type { Prompt } from '../state/app-state.js';

/** The bottom key line: the active keys from the key table, as many as fit. */
export function keyLine(context: KeyContext, width: number, color: boolean): string {
  const items = footerItems(context).map((f) => ({
    text: paint(f.keys, STYLES.keyLabel, color) + ' ' + f.name,
    width: f.keys.length + 1 + f.name.length,
    rank: f.rank,
  }));
  return joinFitting(items, 2, width);
}

/** The prompt line: what is being typed, or the letters of the sort columns. */
export function promptLine(
  prompt: Prompt,
  sortable: readonly { pick?: string; title: string }[],
  width: number,
  color: boolean,
): string {
  if (prompt.kind === 'sort') {
    const items = sortable.map((c) => ({
      text: paint(c.pick ?? '', STYLES.keyLabel, color) + ' ' + c.title,
      width: (c.pick ?? '').length + 1 + c.title.length,
    }));
    return 'Sort by: ' + joinFitting(items, 2, Math.max(0, width - 9));
  }
  const label = {
    filter: 'Filter (name or command line): ',
    user: 'User (name or uid): ',
    path: 'Filter (path): ',
  }[prompt.kind];
  const room = Math.max(0, width - label.length - 1);
  const text = cutEndToWidth(prompt.text, room);
  return label + text + paint(' ', STYLES.selected, true);
}

/** A status line: a summary on the left, a message (or PAUSED) on the right. */
export function statusLine(left: string, right: string, width: number, color: boolean): string {
  if (right === '') return cutToWidth(left, width);
  const room = Math.max(0, width - right.length - 2);
  const l = padToWidth(cutToWidth(left, room), room);
  return `${l}  ${paint(right, STYLES.paused, color)}`;
}
