import { findProcess } from '../../model/delta.js';
import { formatBytes } from '../../format/size.js';
import { formatClock, sanitize } from '../../format/text.js';
import { cutToWidth } from '../../format/width.js';
import { verticalLayout } from '../layout.js';
import { SHARE_COLUMNS } from '../../columns/share-columns.js';
import type { AppState } from '../state/app-state.js';
import { STYLES, paint } from '../style.js';
import { formatTitle, layoutColumns } from '../../columns/table.js';
import { bottomLines } from './process-view.js';
import { rowLines } from './list-rows.js';

/** Why the list is empty: no PFNs, the index being built, or really no one. */
function emptyText(state: AppState): string {
  if (!state.snapshot?.privileged)
    return 'who shares what needs PFNs and map counts: run memtop as root';
  const s = state.shares.subject;
  const report = state.sharing;
  if (!s || !report || report.pid !== s.pid || report.startTime !== s.startTime)
    return 'finding out who shares its pages…';
  return 'no other listed process maps any of its pages';
}

/**
 * "Shares the most with": the processes mapping the most of the subject's pages. For a
 * pre-forking server this shows each worker against its parent.
 */
export function sharesScreenLines(state: AppState): string[] {
  const { columns: width } = state.viewport;
  const v = verticalLayout(state.viewport, 2, 1);
  const s = state.shares.subject;
  const p = s ? findProcess(state.snapshot, s) : undefined;
  const report = state.sharing;
  const asOf = report ? `  ·  as of the full sample at ${formatClock(report.timeMs)}` : '';
  const head = p
    ? `PID ${p.pid} ${sanitize(p.comm)} shares its pages with  (RSS ${formatBytes(p.totals.rssBytes)}, shared ${formatBytes(p.totals.sharedBytes)})${asOf}`
    : 'shares the most with';
  const lines = [
    cutToWidth(head, width),
    cutToWidth(
      'SHARED: its pages the other maps too (distinct pages) · MAPPINGS: page-table entries mapping them there (kpagecount)',
      width,
    ),
  ].slice(0, v.header);
  while (lines.length < v.header) lines.push('');
  const table = layoutColumns(SHARE_COLUMNS, width);
  const list = state.shares.list;
  lines.push(paint(formatTitle(table, 'shared', false), STYLES.title, state.color));
  lines.push(...rowLines(table, list, v.body, width, state.color, emptyText(state)));
  while (lines.length < v.header + 1 + v.body) lines.push('');
  const left = `${list.rows.length} processes share its pages`;
  return [...lines, ...bottomLines(state, left, v)];
}
