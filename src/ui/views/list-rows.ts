import type { ListCursor } from '../state/list-cursor.js';
import { STYLES, paint, type Style } from '../style.js';
import { formatRow, type TableLayout } from '../../columns/table.js';
import { padToWidth } from '../../format/width.js';

/**
 * The rows of a list that fit in `body` lines from its scroll position, one line each (only
 * those are built and formatted, however long the list): the
 * selected row highlighted across the width, others trimmed, in `styleOf`'s style when it gives
 * one. `empty` stands alone when there are no rows.
 */
export function rowLines<R>(
  table: TableLayout<R>,
  list: { rows: { slice(begin: number, end: number): readonly R[] }; cursor: ListCursor },
  body: number,
  width: number,
  color: boolean,
  empty: string,
  styleOf?: (row: R) => Style | undefined,
): string[] {
  const top = list.cursor.scrollTop;
  const shown = list.rows.slice(top, top + body);
  if (shown.length === 0) return body > 0 ? [empty] : [];
  return shown.map((row, i) => {
    const text = formatRow(table, row);
    if (top + i === list.cursor.selectedIndex) {
      return paint(padToWidth(text, width), STYLES.selected, color);
    }
    const style = styleOf?.(row);
    return style ? paint(text.trimEnd(), style, color) : text.trimEnd();
  });
}
