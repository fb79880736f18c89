import { formatBytes } from '../../format/size.js';
import { formatClock, sanitize } from '../../format/text.js';
import { cutToWidth } from '../../format/width.js';
import { verticalLayout } from '../layout.js';
import { LIBRARY_COLUMNS, LIBRARY_USER_COLUMNS, ratioText } from '../../columns/library-columns.js';
import type { AppState } from '../state/app-state.js';
import { drilledLibrary } from '../state/library-list.js';
import type { SortedList } from '../state/sorted-list.js';
import { STYLES, paint } from '../style.js';
import { formatTitle, layoutColumns, sortableColumns, type Column } from '../../columns/table.js';
import { bottomLines } from './process-view.js';
import { rowLines } from './list-rows.js';

/** Header, title, the visible rows with the selection, padding: the body of a list screen. */
function listLines<R extends { key: string }>(
  state: AppState,
  header: string[],
  columns: readonly Column<R>[],
  list: SortedList<R>,
  empty: string,
): { lines: string[]; layout: ReturnType<typeof verticalLayout> } {
  const { columns: width } = state.viewport;
  const v = verticalLayout(state.viewport, header.length, 1);
  const lines = header.slice(0, v.header).map((l) => cutToWidth(l, width));
  const table = layoutColumns(columns, width);
  lines.push(paint(formatTitle(table, list.sortKey, list.reverse), STYLES.title, state.color));
  lines.push(...rowLines(table, list, v.body, width, state.color, empty));
  while (lines.length < v.header + 1 + v.body) lines.push('');
  return { lines, layout: v };
}

function asOf(state: AppState): string {
  const report = state.libraries;
  return report ? `as of the full sample at ${formatClock(report.timeMs)}` : 'reading mappings…';
}

/** The libraries view: one row per mapped file across all processes. */
export function librariesScreenLines(state: AppState): string[] {
  const libs = state.libs;
  const count = state.libraries?.libraries.length ?? 0;
  const header = [
    `Libraries and mapped files: ${count} files  ·  ${asOf(state)}`,
    'PRIVATE: pages one process holds alone (copy-on-write’d .data, relocations) · RATIO = Σ RSS / Σ PSS',
  ];
  const empty = state.libraries
    ? libs.filter
      ? 'no file path holds the filter text (Esc at the prompt puts it back)'
      : 'no mapped files'
    : 'reading every process’s mappings…';
  const { lines, layout } = listLines(state, header, LIBRARY_COLUMNS, libs.files, empty);
  const parts = [`${libs.files.rows.length} of ${count} files`];
  if (libs.filter) parts.push(`filter "${libs.filter}"`);
  parts.push('Enter: the processes mapping a file');
  return [
    ...lines,
    ...bottomLines(state, parts.join(' · '), layout, sortableColumns(LIBRARY_COLUMNS)),
  ];
}

/** One file drilled into: which processes map it and what each holds privately. */
export function libraryScreenLines(state: AppState): string[] {
  const lib = drilledLibrary(state.libs, state.libraries);
  const header = ['', ''];
  if (lib) {
    const c = lib.counters;
    header[0] = sanitize(lib.path);
    header[1] =
      `${lib.users.length} processes  Σ RSS ${formatBytes(c.rssBytes)}  PRIVATE ${formatBytes(c.ussBytes)}  ` +
      `SHARED ${formatBytes(c.sharedBytes)}  RATIO ${ratioText(c)}  ·  ${asOf(state)}`;
  }
  const users = state.libs.users;
  const { lines, layout } = listLines(
    state,
    header,
    LIBRARY_USER_COLUMNS,
    users,
    'reading every process’s mappings…',
  );
  const left = `${users.rows.length} processes map this file · PRIVATE: pages of it this process holds alone`;
  return [...lines, ...bottomLines(state, left, layout, sortableColumns(LIBRARY_USER_COLUMNS))];
}
