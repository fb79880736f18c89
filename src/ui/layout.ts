/** The terminal size the frame is laid out for. */
export interface Viewport {
  columns: number;
  rows: number;
}

/**
 * Lines of a frame: at most rows − 1, because at full height Ink 6.8 clears the whole screen on
 * every frame instead of rewriting the lines that changed.
 */
export function frameLines(v: Viewport): number {
  return Math.max(1, v.rows - 1);
}

/** How the lines of a screen are shared out: fixed parts first, the header only while the body keeps a few rows. */
export interface VerticalLayout {
  header: number;
  body: number;
  status: boolean;
  keys: boolean;
}

/**
 * `fixed` lines are always drawn (a title row, a totals row, a legend); the key line and the
 * status line go when fewer than 4 lines would be left, the header when fewer than `minBody`.
 */
export function verticalLayout(
  v: Viewport,
  wantHeader: number,
  fixed: number,
  minBody = 3,
): VerticalLayout {
  let left = frameLines(v) - fixed;
  const keys = left >= 4;
  if (keys) left--;
  const status = left >= 4;
  if (status) left--;
  const header = Math.max(0, Math.min(wantHeader, left - minBody));
  left -= header;
  return { header, body: Math.max(0, left), status, keys };
}
