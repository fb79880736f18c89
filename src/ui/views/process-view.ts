import { isEmptyFilter } from '../../model/filter.js';
import { formatEvent } from '../../format/event-text.js';
import { processHeader } from '../header.js';
import { formatInterval, sanitize } from '../../format/text.js';
import { eventLineCount, keyContext, samplingInfo, type AppState } from '../state/app-state.js';
import { verticalLayout } from '../layout.js';
import {
  COLUMNS_WITHOUT_AGE,
  PROCESS_COLUMNS,
  type ProcessRow,
} from '../../columns/process-columns.js';
import { STYLES, paint } from '../style.js';
import { formatTitle, layoutColumns, sortableColumns } from '../../columns/table.js';
import { keyLine, promptLine, statusLine } from './bottom.js';
import { rowLines } from './list-rows.js';

function summary(state: AppState): string {
  const list = state.processes;
  const parts = [`${list.rows.length} of ${list.total} processes`];
  if (list.filter.text) parts.push(`filter "${list.filter.text}"`);
  if (list.filter.user) parts.push(`user ${list.filter.user}`);
  if (list.tree) parts.push('tree');
  parts.push(`interval ${formatInterval(state.intervalMs)}`);
  return parts.join(' · ');
}

function emptyText(state: AppState): string {
  if (!state.snapshot) return state.progress ? 'reading processes…' : 'sampling…';
  if (!isEmptyFilter(state.processes.filter))
    return 'no process matches the filter (Esc clears it)';
  return 'no processes to show';
}

/** The status line of the list screens: the prompt when one is open, else a summary and a note. */
export function bottomLines(
  state: AppState,
  left: string,
  layout: { status: boolean; keys: boolean },
  sortable: readonly { pick?: string; title: string }[] = [],
): string[] {
  const { columns: width } = state.viewport;
  const lines: string[] = [];
  if (layout.status) {
    lines.push(
      state.prompt
        ? promptLine(state.prompt, sortable, width, state.color)
        : statusLine(left, state.message ?? (state.paused ? 'PAUSED' : ''), width, state.color),
    );
  }
  if (layout.keys) lines.push(keyLine(keyContext(state), width, state.color));
  return lines;
}

/**
 * The page events under the list: a title, then the largest changes of the last interval
 * among the listed processes ("postgres 4211: 12.4 MiB became private-dirty … in [heap]").
 */
export function eventLines(state: AppState, count: number): string[] {
  if (count === 0) return [];
  const list = state.processes;
  const interval = list.eventsIntervalMs;
  const pageSize = state.snapshot?.pageSize ?? 4096;
  const title =
    interval === undefined
      ? 'Page changes: shown from the next sample on'
      : `Page changes in the last ${(interval / 1000).toFixed(1)} s (listed processes):`;
  const lines = [paint(title, { bold: true }, state.color)];
  if (interval !== undefined && list.events.length === 0) lines.push('  none');
  for (const e of list.events) lines.push(`  ${sanitize(formatEvent(e, pageSize))}`);
  while (lines.length < count) lines.push('');
  return lines.slice(0, count);
}

/** Every line of the process list screen, at most rows − 1 of them. */
export function processScreenLines(state: AppState): string[] {
  const { columns: width } = state.viewport;
  const header = processHeader(state.snapshot, samplingInfo(state), width, state.color);
  const events = eventLineCount(state);
  const v = verticalLayout(state.viewport, header.length, 1 + events);
  const list = state.processes;
  // AGE only within a budget, where rows may carry older per-page data.
  const columns = state.cost?.budgetPercent === undefined ? COLUMNS_WITHOUT_AGE : PROCESS_COLUMNS;
  const table = layoutColumns(columns, width);
  const lines = header.slice(0, v.header);
  lines.push(paint(formatTitle(table, list.sortKey, list.reverse), STYLES.title, state.color));
  lines.push(
    ...rowLines(table, list, v.body, width, state.color, emptyText(state), (row: ProcessRow) =>
      row.process.access === 'restricted' ? STYLES.restricted : undefined,
    ),
  );
  while (lines.length < v.header + 1 + v.body) lines.push('');
  lines.push(...eventLines(state, events));
  return [...lines, ...bottomLines(state, summary(state), v, sortableColumns(PROCESS_COLUMNS))];
}
