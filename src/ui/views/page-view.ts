import {
  PAGE_STATE_COUNT,
  computePageGrid,
  countPageStates,
  describePage,
} from '../../model/page-grid.js';
import type { Mapping, ProcessSample } from '../../model/types.js';
import { pageMapHeader } from '../format/header.js';
import { formatAddress } from '../format/size.js';
import {
  focusedMapping,
  focusedProcess,
  pageGeometry,
  pageLegend,
  type AppState,
} from '../state/app-state.js';
import { cursorCell, type PageMapGeometry } from '../state/page-map.js';
import { verticalLayout } from '../layout.js';
import { lookOf, stateName } from '../page-legend.js';
import { paint } from '../style.js';
import { bottomLines } from './process-view.js';

const hex = (n: number) => `0x${n.toString(16)}`;

/** One grid row: its first address, then one letter per cell, runs of a state painted once. */
function gridRow(
  cells: Uint8Array,
  from: number,
  to: number,
  cursor: number,
  color: boolean,
): string {
  let out = '';
  let i = from;
  while (i < to) {
    const state = cells[i]!;
    if (i === cursor) {
      const look = lookOf(state);
      out += paint(look.letter, { fg: look.fg, inverse: true, bold: true }, color);
      i++;
      continue;
    }
    let j = i;
    let run = '';
    const look = lookOf(state);
    while (j < to && cells[j] === state && j !== cursor) {
      run += look.letter;
      j++;
    }
    out += paint(run, { fg: look.fg, bold: look.bold }, color);
    i = j;
  }
  return out;
}

/** The status line: the page under the cursor, or a summary of the pages of its cell. */
export function cursorDetail(
  p: ProcessSample,
  m: Mapping,
  pageSize: number,
  geo: PageMapGeometry,
  pageIndex: number,
  showPfn: boolean,
): string {
  if (geo.pagesPerCell > 1) {
    const counts = countPageStates(p, m, pageSize, pageIndex, geo.pagesPerCell);
    const last = Math.min(geo.pageCount, pageIndex + geo.pagesPerCell) - 1;
    const parts: string[] = [];
    for (let s = 0; s < PAGE_STATE_COUNT; s++)
      if (counts[s]! > 0) parts.push(`${counts[s]} ${stateName(s)}`);
    return `${formatAddress(m.start + pageIndex * pageSize)}  pages ${pageIndex}-${last}: ${parts.join(', ')}`;
  }
  const d = describePage(p, m, pageSize, pageIndex);
  const parts = [
    `${formatAddress(d.address)}  page ${pageIndex + 1}/${geo.pageCount}`,
    stateName(d.state),
  ];
  if (!Number.isNaN(d.mapCount)) parts.push(`map count ${d.mapCount}`);
  if (showPfn && !Number.isNaN(d.pfn)) parts.push(`PFN ${hex(d.pfn)}`);
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
  const v = verticalLayout(state.viewport, 2, legend.length);
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
      lines.push(`${label} ${gridRow(cells, from, to, cursor, state.color)}`);
    }
  }
  while (lines.length < v.header + v.body) lines.push('');
  lines.push(...legend);
  const detail = cursorDetail(
    p,
    m,
    snapshot.pageSize,
    geo,
    state.pages.cursorPage,
    snapshot.privileged,
  );
  return [...lines, ...bottomLines(state, detail, v)];
}
