import { keyHelpLines } from './keys.js';
import { mappingColumns } from '../columns/mapping-columns.js';
import { PROCESS_COLUMNS } from '../columns/process-columns.js';
import { CHANGED_LEGEND, LEGEND, lookOf } from './page-legend.js';
import { STYLES, paint } from './style.js';
import type { Screen } from './screens/screen.js';

const LABEL = 12;

/**
 * The columns the help explains, from their own definitions: the process list's, then those
 * only the mapping view has.
 */
function describedColumns(): { title: string; description?: string }[] {
  const listed = PROCESS_COLUMNS.filter((c) => c.description);
  const ids = new Set(listed.map((c) => c.id));
  const more = mappingColumns(12).filter((c) => c.description && !ids.has(c.id));
  return [...listed, ...more];
}

function picks(columns: readonly { title: string; pick?: string }[]): string {
  return columns.map((c) => `${c.pick} ${c.title}`).join('  ');
}

/**
 * The help screen's text, generated from the key table (so it lists exactly the keys that
 * work), the screens' sort keys, the counter table's descriptions and the page map legend.
 */
export function helpLines(
  color: boolean,
  screens: readonly Pick<Screen, 'id' | 'name' | 'sort'>[],
): string[] {
  const lines: string[] = ['Keys (the same table dispatches them)'];
  const nameOf = (id: Screen['id']) => screens.find((s) => s.id === id)?.name ?? id;
  for (const k of keyHelpLines(nameOf)) {
    lines.push(`  ${k.keys.padEnd(LABEL)}${k.help}${k.where ? `  [${k.where}]` : ''}`);
  }
  lines.push('', 'Sort prompt (s): type the letter of a column');
  for (const s of screens)
    if (s.sort) lines.push(`  ${s.name.padEnd(LABEL)}${picks(s.sort.columns)}`);
  lines.push('', 'Columns');
  for (const c of describedColumns()) {
    const [first, ...more] = c.description!.split('\n');
    lines.push(
      `  ${c.title.padEnd(LABEL)}${first}`,
      ...more.map((m) => `  ${''.padEnd(LABEL)}${m}`),
    );
  }
  lines.push(
    `  ${'Page changes'.padEnd(LABEL)}under the list: the largest changes of the last interval among the listed processes`,
  );
  lines.push(
    `  ${'restricted'.padEnd(LABEL)}this user may not read the process's pages: only RSS is known`,
  );
  lines.push('', 'Page map cells');
  for (const item of LEGEND) {
    const look = lookOf(item.state);
    const letter = paint(item.letter, { fg: look.fg, bold: look.bold }, color);
    lines.push(`  ${letter}${' '.repeat(Math.max(1, LABEL - item.letter.length))}${item.name}`);
  }
  const word = paint(CHANGED_LEGEND.word, STYLES.changed, color);
  lines.push(
    `  ${word}${' '.repeat(Math.max(1, LABEL - CHANGED_LEGEND.word.length))}${CHANGED_LEGEND.name}`,
  );
  return lines;
}
