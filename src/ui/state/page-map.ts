import type { Command } from '../keys.js';

/** The page map of one mapping: the cursor (a page index) and the zoom. */
export interface PageMapState {
  /** The mapping shown, by its start address. */
  mappingStart: number | undefined;
  /** Page index within the mapping under the cursor (the first page of its cell). */
  cursorPage: number;
  /** Pages per cell; undefined: as few as still fit the whole mapping on screen. */
  pagesPerCell: number | undefined;
  /** First grid row drawn. */
  scrollRow: number;
}

export const EMPTY_PAGE_MAP: PageMapState = {
  mappingStart: undefined,
  cursorPage: 0,
  pagesPerCell: undefined,
  scrollRow: 0,
};

/** How the grid is laid out for a mapping on a terminal. */
export interface PageMapGeometry {
  pageCount: number;
  /** Hex digits of the row labels (the row's first address). */
  labelDigits: number;
  cellsPerRow: number;
  gridRows: number;
  pagesPerCell: number;
  /** The zoom at which the whole mapping fits. */
  fitPagesPerCell: number;
  cellCount: number;
  rowCount: number;
}

function floorPowerOfTwo(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, n)));
}

/** Cells per row are a power of two so that row addresses are round; zoom is a power of two. */
export function pageMapGeometry(
  columns: number,
  gridRows: number,
  pageCount: number,
  labelDigits: number,
  pagesPerCell: number | undefined,
): PageMapGeometry {
  const cellsPerRow = floorPowerOfTwo(columns - labelDigits - 1);
  const capacity = cellsPerRow * Math.max(1, gridRows);
  let fit = 1;
  while (Math.ceil(pageCount / fit) > capacity) fit *= 2;
  const zoom = Math.min(Math.max(1, pagesPerCell ?? fit), fit);
  const cellCount = Math.max(1, Math.ceil(pageCount / zoom));
  return {
    pageCount,
    labelDigits,
    cellsPerRow,
    gridRows: Math.max(1, gridRows),
    pagesPerCell: zoom,
    fitPagesPerCell: fit,
    cellCount,
    rowCount: Math.ceil(cellCount / cellsPerRow),
  };
}

/** The cell under the cursor. */
export function cursorCell(state: PageMapState, geo: PageMapGeometry): number {
  return Math.min(Math.floor(state.cursorPage / geo.pagesPerCell), geo.cellCount - 1);
}

function scrolledTo(state: PageMapState, cell: number, geo: PageMapGeometry): number {
  const row = Math.floor(cell / geo.cellsPerRow);
  let top = Math.min(state.scrollRow, Math.max(0, geo.rowCount - geo.gridRows));
  if (row < top) top = row;
  if (row >= top + geo.gridRows) top = row - geo.gridRows + 1;
  return Math.max(0, top);
}

/** Moves the cursor by a cell, a row or a screen of cells. */
export function movePageCursor(
  state: PageMapState,
  command: Command,
  geo: PageMapGeometry,
): PageMapState {
  const at = cursorCell(state, geo);
  const screen = geo.cellsPerRow * geo.gridRows;
  const steps: Partial<Record<Command, number>> = {
    left: at - 1,
    right: at + 1,
    up: at - geo.cellsPerRow,
    down: at + geo.cellsPerRow,
    'page-up': at - screen,
    'page-down': at + screen,
    home: 0,
    end: geo.cellCount - 1,
  };
  const target = steps[command];
  if (target === undefined) return state;
  const cell = Math.min(Math.max(0, target), geo.cellCount - 1);
  return { ...state, cursorPage: cell * geo.pagesPerCell, scrollRow: scrolledTo(state, cell, geo) };
}

/** Halves (in) or doubles (out) the pages per cell; out stops where the mapping fits. */
export function zoomPageMap(
  state: PageMapState,
  direction: 'in' | 'out',
  geo: PageMapGeometry,
): PageMapState {
  const next = direction === 'in' ? Math.max(1, geo.pagesPerCell / 2) : geo.pagesPerCell * 2;
  const pagesPerCell = next >= geo.fitPagesPerCell ? undefined : next;
  const zoomed = { ...state, pagesPerCell };
  const ppc = pagesPerCell ?? geo.fitPagesPerCell;
  const cellCount = Math.max(1, Math.ceil(geo.pageCount / ppc));
  const newGeo = {
    ...geo,
    pagesPerCell: ppc,
    cellCount,
    rowCount: Math.ceil(cellCount / geo.cellsPerRow),
  };
  const cell = Math.floor(state.cursorPage / ppc);
  return {
    ...zoomed,
    cursorPage: cell * ppc,
    scrollRow: scrolledTo({ ...zoomed, scrollRow: 0 }, cell, newGeo),
  };
}

/** Keeps the cursor and scroll valid after the mapping or the terminal changed. */
export function clampPageMap(state: PageMapState, geo: PageMapGeometry): PageMapState {
  const cell = cursorCell(state, geo);
  const cursorPage = Math.min(state.cursorPage, geo.pageCount - 1);
  return { ...state, cursorPage: Math.max(0, cursorPage), scrollRow: scrolledTo(state, cell, geo) };
}
