import { COUNTERS, type CounterDef } from '../model/counter-table.js';
import { keyHelpLines } from './keys.js';
import { mappingColumns } from '../columns/mapping-columns.js';
import { PROCESS_COLUMNS } from '../columns/process-columns.js';
import { CHANGED_LEGEND, LEGEND, lookOf } from './page-legend.js';
import { STYLES, paint } from './style.js';
import type { Screen } from './screens/screen.js';

const LABEL = 12;

/** The counters the process list and the mapping view show, in the process list's order. */
function shownCounters(): CounterDef[] {
  const titles = new Set([...PROCESS_COLUMNS, ...mappingColumns(12)].map((c) => c.title));
  const byTitle = new Map(COUNTERS.map((def) => [def.title, def]));
  return [...titles].flatMap((title) => byTitle.get(title) ?? []);
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
  for (const c of shownCounters()) lines.push(`  ${c.title.padEnd(LABEL)}${c.description}`);
  lines.push(`  ${'ΔUSS'.padEnd(LABEL)}change of USS since the last sample ("new": not in it)`);
  lines.push(
    `  ${'COW/s'.padEnd(LABEL)}copy-on-write breaks per second: shared pages this process now holds its own copy of (bytes/s; blank: none; -: not known)`,
    `  ${''.padEnd(LABEL)}without PFNs "≤": pages that became private, which also counts pages others stopped sharing`,
    `  ${'SHR+/s'.padEnd(LABEL)}pages that became shared per second (map count 1 → ≥ 2: fork, KSM, another process mapped them)`,
    `  ${'SHARED WITH'.padEnd(LABEL)}mappings: the processes sharing the most of its pages (root)`,
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
