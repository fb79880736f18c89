import { PageState, sharedCount } from '../model/page-grid.js';
import { STYLES, paint, type Color } from './style.js';

/** How one page state is drawn: its letter and colour. */
export interface StateLook {
  letter: string;
  fg: Color;
  bold?: boolean;
}

const LOOKS: Record<number, StateLook> = {
  [PageState.NotPresent]: { letter: '.', fg: 'gray' },
  [PageState.PrivateClean]: { letter: 'p', fg: 'green' },
  [PageState.PrivateDirty]: { letter: 'D', fg: 'red' },
  [PageState.Shared2]: { letter: '2', fg: 'cyan' },
  [PageState.Shared10Plus]: { letter: '#', fg: 'magenta' },
  [PageState.Swapped]: { letter: 'S', fg: 'yellow' },
  [PageState.ZeroPage]: { letter: '0', fg: 'gray' },
  [PageState.Thp]: { letter: 'T', fg: 'white', bold: true },
  [PageState.Ksm]: { letter: 'K', fg: 'magenta', bold: true },
  [PageState.Unknown]: { letter: '?', fg: 'white' },
  [PageState.NotMemory]: { letter: 'x', fg: 'gray' },
};

/** Shared by 3..9 is drawn as the digit of its map count. */
export function lookOf(state: PageState): StateLook {
  const look = LOOKS[state];
  if (look) return look;
  return { letter: String(sharedCount(state)), fg: 'blue' };
}

/** The legend, in the order the issue names the states. */
export const LEGEND: readonly { letter: string; state: PageState; name: string }[] = [
  { letter: '.', state: PageState.NotPresent, name: 'not present' },
  { letter: 'p', state: PageState.PrivateClean, name: 'private clean (map count 1)' },
  { letter: 'D', state: PageState.PrivateDirty, name: 'private dirty' },
  { letter: '2', state: PageState.Shared2, name: 'shared by 2' },
  { letter: '3-9', state: PageState.Shared2 + 1, name: 'shared by 3–9' },
  { letter: '#', state: PageState.Shared10Plus, name: 'shared by 10+' },
  { letter: 'S', state: PageState.Swapped, name: 'swapped' },
  { letter: '0', state: PageState.ZeroPage, name: 'zero page' },
  { letter: 'T', state: PageState.Thp, name: 'THP' },
  { letter: 'K', state: PageState.Ksm, name: 'KSM' },
  { letter: '?', state: PageState.Unknown, name: 'map count unknown' },
  { letter: 'x', state: PageState.NotMemory, name: 'not memory (device, hugetlb)' },
];

/** The legend's note on changed cells: the word itself drawn as they are. */
export const CHANGED_LEGEND = { word: 'underlined', name: 'changed in the last interval' };

/** The legend laid out in lines of at most `width` columns. */
export function legendLines(width: number, color: boolean): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  const items = LEGEND.map((item) => {
    const look = lookOf(item.state);
    return {
      plain: `${item.letter} ${item.name}`,
      text: paint(item.letter, { fg: look.fg, bold: look.bold }, color) + ` ${item.name}`,
    };
  });
  items.push({
    plain: `${CHANGED_LEGEND.word}: ${CHANGED_LEGEND.name}`,
    text: `${paint(CHANGED_LEGEND.word, STYLES.changed, color)}: ${CHANGED_LEGEND.name}`,
  });
  for (const { plain, text } of items) {
    const need = (used > 0 ? 2 : 0) + plain.length;
    if (used > 0 && used + need > width) {
      lines.push(line);
      line = '';
      used = 0;
    }
    if (plain.length > width) {
      lines.push(text.slice(0, width));
      continue;
    }
    line += (used > 0 ? '  ' : '') + text;
    used += (used > 0 ? 2 : 0) + plain.length;
  }
  if (used > 0) lines.push(line);
  return lines;
}

/** A state in words, for the status line: "shared by 5", "private dirty". */
export function stateName(state: PageState): string {
  const count = sharedCount(state);
  if (count >= 3 && count <= 9) return `shared by ${count}`;
  return LEGEND.find((l) => l.state === state)?.name ?? 'unknown';
}
