import { computeChangeRates } from '../../model/change-rates.js';
import { findProcess } from '../../model/delta.js';
import { mappingHeader } from '../header.js';
import { focusedProcess, processChangesOf, type AppState } from '../state/app-state.js';
import { verticalLayout } from '../layout.js';
import { mappingColumns, type MappingRow } from '../../columns/mapping-columns.js';
import { MappingSource, NO_EXTRAS } from '../state/mapping-rows.js';
import { STYLES, paint } from '../style.js';
import { formatRow, formatTitle, layoutColumns, sortableColumns } from '../../columns/table.js';
import type { ProcessSample } from '../../model/types.js';
import { bottomLines } from './process-view.js';
import { rowLines } from './list-rows.js';

/** The totals line: the process's own counters, as smaps_rollup would give them. */
function totalsRow(state: AppState, p: ProcessSample, source: MappingSource): MappingRow {
  const changes = processChangesOf(state, p);
  const sharing = state.sharing;
  const own = sharing?.pid === p.pid && sharing.startTime === p.startTime;
  return {
    key: 'total',
    kind: 'total',
    depth: 0,
    start: 0,
    end: 0,
    perms: '',
    offset: 0,
    path: '',
    counters: p.totals,
    sizeBytes: source.sizeBytes,
    deltaBytes: source.totalDeltaBytes,
    hasPrevious: source.hasPrevious,
    mappingCount: source.mappings.length,
    expanded: false,
    rates:
      changes &&
      computeChangeRates(
        changes.changes.totals,
        changes.intervalMs,
        state.snapshot?.pageSize ?? 4096,
      ),
    sharedWith: own ? sharing.sharesWith.slice(0, 3) : undefined,
  };
}

function emptyText(p: ProcessSample | undefined, privileged: boolean): string {
  if (!p) return 'process not in this sample';
  if (p.access === 'restricted') {
    return privileged
      ? `process ${p.pid} is restricted: the kernel refuses to show its mappings even to root`
      : `process ${p.pid} is restricted: this user may not read its mappings (run memtop as root)`;
  }
  return 'reading mappings…';
}

const previousOf = (state: AppState) =>
  state.focus ? findProcess(state.previous, state.focus) : undefined;

/** Every line of the mapping view, at most rows − 1 of them. */
export function mappingScreenLines(state: AppState): string[] {
  const { columns: width } = state.viewport;
  const p = focusedProcess(state);
  const list = state.mappings;
  const v = verticalLayout(state.viewport, 2, 2);
  const info = { intervalMs: state.intervalMs, paused: state.paused, progress: state.progress };
  const groups = list.rows.groupCount;
  const count = p?.mappings?.length ?? 0;
  const summary =
    `${count} mappings` + (list.grouped ? `, grouped by file (${groups} files with several)` : '');
  const lines: string[] =
    p && state.snapshot
      ? mappingHeader(p, state.snapshot, info, summary, width, state.color).slice(0, v.header)
      : [];
  while (lines.length < v.header) lines.push('');
  // Built with the rows once per sample; a state the rows were not refreshed for builds its own.
  const source =
    p && list.rows.source?.process === p
      ? list.rows.source
      : p && new MappingSource(p, previousOf(state), NO_EXTRAS);
  const columns = mappingColumns(source ? source.addressDigits : 8);
  const table = layoutColumns(columns, width);
  lines.push(paint(formatTitle(table, list.sortKey, list.reverse), STYLES.title, state.color));
  lines.push(
    ...rowLines(
      table,
      list,
      v.body,
      width,
      state.color,
      emptyText(p, state.snapshot?.privileged ?? false),
    ),
  );
  while (lines.length < v.header + 1 + v.body) lines.push('');
  lines.push(
    p?.mappings && source
      ? paint(formatRow(table, totalsRow(state, p, source)).trimEnd(), { bold: true }, state.color)
      : '',
  );
  const left = p
    ? `PID ${p.pid} · Enter: page map of a mapping${list.grouped ? ' (or unfold a file)' : ''}`
    : '';
  return [...lines, ...bottomLines(state, left, v, sortableColumns(columns))];
}
