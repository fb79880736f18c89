import {
  CHANGE_CLASS_COUNT,
  changeName,
  computeChangeGrid,
  countPageChanges,
} from '../../model/change-rates.js';
import { Change } from '../../model/changes.js';
import {
  PAGE_STATE_COUNT,
  computePageGrid,
  countPageStates,
  describePage,
} from '../../model/page-grid.js';
import { sharersOfPage, type SharerIndex } from '../../model/sharers.js';
import type { Mapping, ProcessSample } from '../../model/types.js';
import { pageMapHeader } from '../header.js';
import { formatAddress, formatHex } from '../../format/size.js';
import { sanitize } from '../../format/text.js';
import {
  focusedMapping,
  focusedProcess,
  pageGeometry,
  pageLegend,
  pageSharersLines,
  processChangesOf,
  type AppState,
} from '../state/app-state.js';
import { cursorCell, type PageMapGeometry } from '../state/page-map.js';
import { verticalLayout } from '../layout.js';
import { lookOf, stateName } from '../page-legend.js';
import { STYLES, paint, type Style } from '../style.js';
import { bottomLines } from './process-view.js';

/**
 * One grid row: its first address, then one letter per cell, runs of a state painted once;
 * cells whose pages changed in the last interval are underlined.
 */
function gridRow(
  cells: Uint8Array,
  changed: Uint8Array | undefined,
  from: number,
  to: number,
  cursor: number,
  color: boolean,
): string {
  const isChanged = (i: number) => changed !== undefined && changed[i] !== Change.None;
  let out = '';
  let i = from;
  while (i < to) {
    const state = cells[i]!;
    const look = lookOf(state);
    const mark: Style = isChanged(i) ? STYLES.changed : {};
    if (i === cursor) {
      out += paint(look.letter, { fg: look.fg, inverse: true, bold: true, ...mark }, color);
      i++;
      continue;
    }
    let j = i;
    let run = '';
    while (j < to && cells[j] === state && isChanged(j) === isChanged(i) && j !== cursor) {
      run += look.letter;
      j++;
    }
    out += paint(run, { fg: look.fg, bold: look.bold, ...mark }, color);
    i = j;
  }
  return out;
}

/** "changed: copy-on-write break", or with several pages "changed: 12 copy-on-write break, …". */
function changeDetail(counts: Uint32Array | undefined, pagesPerCell: number): string {
  if (!counts) return '';
  const parts: string[] = [];
  for (let c = 1; c < CHANGE_CLASS_COUNT; c++) {
    if (counts[c]! === 0) continue;
    parts.push(
      pagesPerCell > 1 ? `${counts[c]} ${changeName(c as Change)}` : changeName(c as Change),
    );
  }
  return parts.length > 0 ? `changed: ${parts.join(', ')}` : '';
}

/**
 * Who else maps the page under the cursor (root): "Shared with: bash 1080, bash 2102 ×2", from
 * the who-shares index over the last full sample, and how many mappings it does not name.
 */
export function sharersLine(
  p: ProcessSample,
  m: Mapping,
  pageSize: number,
  pageIndex: number,
  pagesPerCell: number,
  index: SharerIndex | undefined,
): string {
  const label = 'Shared with: ';
  if (pagesPerCell > 1) return `${label}zoom in (z) to one page per cell to see who maps a page`;
  const d = describePage(p, m, pageSize, pageIndex);
  if (Number.isNaN(d.mapCount) || d.mapCount === 0) return `${label}-`;
  if (d.mapCount === 1) return `${label}no one (map count 1)`;
  if (!index) return `${label}finding out…`;
  const all = sharersOfPage(index, d.pfn, pageSize);
  const byPid = new Map<number, { comm: string; count: number }>();
  let ownEntries = 0;
  for (const s of all) {
    if (s.pid === p.pid) {
      ownEntries++;
      continue;
    }
    const seen = byPid.get(s.pid);
    if (seen) seen.count++;
    else byPid.set(s.pid, { comm: s.comm, count: 1 });
  }
  const names = [...byPid].map(
    ([pid, s]) => `${sanitize(s.comm)} ${pid}${s.count > 1 ? ` ×${s.count}` : ''}`,
  );
  // Map count counts page-table entries: this process's own (at least this one) and the others'.
  const unnamed = d.mapCount - Math.max(1, ownEntries) - (all.length - ownEntries);
  if (unnamed > 0) names.push(`+${unnamed} not in the last full sample`);
  return label + (names.length > 0 ? names.join(', ') : 'no other listed process');
}

/** The status line: the page under the cursor, or a summary of the pages of its cell. */
export function cursorDetail(
  p: ProcessSample,
  m: Mapping,
  pageSize: number,
  geo: PageMapGeometry,
  pageIndex: number,
  showPfn: boolean,
  pageChanges?: Uint8Array,
): string {
  const changeCounts =
    pageChanges && p.pages
      ? countPageChanges(p.pages, pageChanges, m, pageIndex, geo.pagesPerCell)
      : undefined;
  const changed = changeDetail(changeCounts, geo.pagesPerCell);
  if (geo.pagesPerCell > 1) {
    const counts = countPageStates(p, m, pageSize, pageIndex, geo.pagesPerCell);
    const last = Math.min(geo.pageCount, pageIndex + geo.pagesPerCell) - 1;
    const parts: string[] = [];
    for (let s = 0; s < PAGE_STATE_COUNT; s++)
      if (counts[s]! > 0) parts.push(`${counts[s]} ${stateName(s)}`);
    const text = `${formatAddress(m.start + pageIndex * pageSize)}  pages ${pageIndex}-${last}: ${parts.join(', ')}`;
    return changed ? `${text}; ${changed}` : text;
  }
  const d = describePage(p, m, pageSize, pageIndex);
  const parts = [
    `${formatAddress(d.address)}  page ${pageIndex + 1}/${geo.pageCount}`,
    stateName(d.state),
  ];
  if (changed) parts.push(changed);
  if (!Number.isNaN(d.mapCount)) parts.push(`map count ${d.mapCount}`);
  if (showPfn && !Number.isNaN(d.pfn)) parts.push(`PFN ${formatHex(d.pfn)}`);
  if (d.kpageFlags.length > 0) parts.push(`flags ${d.kpageFlags.join(',')}`);
  if (d.pagemapFlags.length > 0) parts.push(`pagemap ${d.pagemapFlags.join(',')}`);
  return parts.join('  ');
}

/** Every line of the page map screen, at most rows − 1 of them. */
export function pageScreenLines(state: AppState): string[] {
  const { columns: width } = state.viewport;
  const p = focusedProcess(state);
  const m = focusedMapping(state);
  const geo = pageGeometry(state);
  const legend = pageLegend(state);
  const sharerLines = pageSharersLines(state);
  const v = verticalLayout(state.viewport, 2, legend.length + sharerLines);
  const snapshot = state.snapshot;
  const info = { intervalMs: state.intervalMs, paused: state.paused, progress: state.progress };
  if (!p || !m || !geo || !snapshot) {
    return [`reading the mapping's pages…`, ...bottomLines(state, '', v)];
  }
  const zoom = { pagesPerCell: geo.pagesPerCell, fits: geo.pagesPerCell === geo.fitPagesPerCell };
  const lines = pageMapHeader(p, m, geo.pageCount, zoom, info, width, state.color).slice(
    0,
    v.header,
  );
  const firstCell = state.pages.scrollRow * geo.cellsPerRow;
  const cellCount = Math.max(0, Math.min(v.body * geo.cellsPerRow, geo.cellCount - firstCell));
  const window = { pagesPerCell: geo.pagesPerCell, firstCell, cellCount };
  const cells = computePageGrid(p, m, snapshot.pageSize, window);
  const pageChanges = processChangesOf(state, p)?.changes.pages;
  const changed =
    pageChanges && p.pages ? computeChangeGrid(p.pages, pageChanges, m, window) : undefined;
  const cursor = cursorCell(state.pages, geo) - firstCell;
  if (!cells) {
    lines.push(
      p.access === 'restricted' ? 'restricted: no page data for this process' : 'reading pages…',
    );
  } else {
    for (let from = 0; from < cellCount; from += geo.cellsPerRow) {
      const page = (firstCell + from) * geo.pagesPerCell;
      const label = formatAddress(m.start + page * snapshot.pageSize).padStart(
        geo.labelDigits,
        '0',
      );
      const to = Math.min(cellCount, from + geo.cellsPerRow);
      lines.push(`${label} ${gridRow(cells, changed, from, to, cursor, state.color)}`);
    }
  }
  while (lines.length < v.header + v.body) lines.push('');
  if (sharerLines > 0) {
    const { cursorPage } = state.pages;
    const ppc = geo.pagesPerCell;
    lines.push(sharersLine(p, m, snapshot.pageSize, cursorPage, ppc, state.sharers));
  }
  lines.push(...legend);
  const detail = cursorDetail(
    p,
    m,
    snapshot.pageSize,
    geo,
    state.pages.cursorPage,
    snapshot.privileged,
    pageChanges,
  );
  return [...lines, ...bottomLines(state, detail, v)];
}
