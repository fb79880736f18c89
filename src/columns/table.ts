import { isAscending, type ViewSortKey } from '../model/view-sort.js';
import { fit } from '../format/size.js';
import { fitEnd } from '../format/text.js';
import { cutToWidth, padToWidth, textWidth } from '../format/width.js';

/**
 * A table column as data: title, width, alignment, how early it is dropped on a narrow
 * terminal, the sort key it stands for, the letter that picks it and what it means. The
 * interactive lists and the text tables of the commands are built from these.
 */
export interface Column<R> {
  id: string;
  title: string;
  /** Fixed width; for the flexible column, the width it keeps unless a priority 0–1 column needs room. */
  width: number;
  /** The flexible column's least width. */
  minWidth?: number;
  align: 'left' | 'right';
  /** Takes what is left of the line. */
  flex?: boolean;
  /** 0: always shown; higher numbers are dropped first when the terminal is narrow. */
  priority: number;
  sortKey?: ViewSortKey;
  /** The letter that picks this column at the sort prompt. */
  pick?: string;
  /** Cut long text keeping its end (paths), not its start. */
  keepEnd?: boolean;
  /** What it means, for the help screen (further lines after a newline); absent: not listed. */
  description?: string;
  text: (row: R) => string;
}

/** The columns that fit a width, in display order, with their widths. */
export interface TableLayout<R> {
  columns: readonly Column<R>[];
  widths: readonly number[];
  /** undefined: no limit (text for a file or a pipe), where the flexible column takes its text. */
  width: number | undefined;
}

/**
 * Every column at its width, for text with no width limit: the flexible column (the last of
 * every table) holds its text whole, unpadded.
 */
export function unboundedLayout<R>(all: readonly Column<R>[]): TableLayout<R> {
  return { columns: all, widths: all.map((c) => c.width), width: undefined };
}

/**
 * Chooses columns for a terminal `width`: by priority, each one kept if it still fits, so a
 * narrow terminal loses columns instead of wrapping. Only the most important columns
 * (priority 0 and 1) may squeeze the flexible column below its width, down to its minWidth;
 * it then gets whatever is left.
 */
export function layoutColumns<R>(all: readonly Column<R>[], width: number): TableLayout<R> {
  const byPriority = all
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.priority - b.c.priority || a.i - b.i);
  const flex = all.find((c) => c.flex);
  const squeeze = flex ? flex.width - (flex.minWidth ?? flex.width) : 0;
  const chosen = new Set<number>();
  let used = -squeeze; // the flexible column is counted at its least width
  for (const { c, i } of byPriority) {
    const need = c.width + (chosen.size > 0 ? 1 : 0);
    const room = c.priority <= 1 ? width : width - squeeze;
    if (c.priority > 0 && used + need > room) continue;
    chosen.add(i);
    used += need;
  }
  const columns = all.filter((_, i) => chosen.has(i));
  const spare = width - used;
  const widths = columns.map((c) =>
    c.flex ? Math.max(c.minWidth ?? c.width, c.width - squeeze + spare) : c.width,
  );
  return { columns, widths, width };
}

/**
 * One cell: the text fitted to the column's width (a path cut keeping its end); the flexible
 * column's whole in a layout without a limit.
 */
function cell<R>(layout: TableLayout<R>, i: number, text: string, isTitle: boolean): string {
  const c = layout.columns[i]!;
  const w = layout.widths[i]!;
  if (c.flex && layout.width === undefined) return text;
  return c.keepEnd && !isTitle && textWidth(text) > w ? fitEnd(text, w) : fit(text, w, c.align);
}

/** One row as one string: cells padded to their widths, joined by a space, cut to the width. */
export function formatRow<R>(layout: TableLayout<R>, row: R): string {
  let line = '';
  layout.columns.forEach((c, i) => {
    line += (i > 0 ? ' ' : '') + cell(layout, i, c.text(row), false);
  });
  return layout.width === undefined ? line : cutToWidth(line, layout.width);
}

/**
 * The title row; the sort column's title carries ▼ (largest first) or ▲ (smallest first).
 * Padded to the width (a layout without a limit: not).
 */
export function formatTitle<R>(
  layout: TableLayout<R>,
  sortKey: ViewSortKey | undefined,
  reverse: boolean,
): string {
  let line = '';
  layout.columns.forEach((c, i) => {
    const mark =
      sortKey !== undefined && c.sortKey === sortKey
        ? isAscending(sortKey, reverse)
          ? '▲'
          : '▼'
        : '';
    line += (i > 0 ? ' ' : '') + cell(layout, i, mark + c.title, true);
  });
  return layout.width === undefined
    ? line
    : padToWidth(cutToWidth(line, layout.width), layout.width);
}

/** The sortable columns of a table, in display order (for < and > and the sort prompt). */
export function sortableColumns<R>(all: readonly Column<R>[]): Column<R>[] {
  return all.filter((c) => c.sortKey !== undefined);
}
