/**
 * Text from /proc is hostile: command lines and paths may hold control characters and escape
 * sequences. Each C0/C1 control and DEL becomes '?', so nothing reaches the terminal but text.
 */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Cuts text to `width` columns keeping its end ("…/libc.so.6"), for paths. */
export function fitEnd(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width);
  if (width === 1) return '…';
  return '…' + text.slice(text.length - width + 1);
}

/**
 * Joins items with `gap` in their order, keeping those that fit in `width`: lower rank first,
 * then earlier items.
 */
export function joinFitting(
  items: readonly { text: string; width: number; rank?: number }[],
  gap: number,
  width: number,
): string {
  const byRank = items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => (a.item.rank ?? 9) - (b.item.rank ?? 9) || a.i - b.i);
  const kept = new Set<number>();
  let used = 0;
  for (const { item, i } of byRank) {
    const need = (kept.size > 0 ? gap : 0) + item.width;
    if (used + need > width) continue;
    kept.add(i);
    used += need;
  }
  return items
    .filter((_, i) => kept.has(i))
    .map((item) => item.text)
    .join(' '.repeat(gap));
}

/** A clock reading of a sample's time, HH:MM:SS local, as top shows it. */
export function formatClock(timeMs: number): string {
  const d = new Date(timeMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** An interval in seconds as top prints it: "2s", "0.5s". */
export function formatInterval(intervalMs: number): string {
  return `${Number((intervalMs / 1000).toFixed(2))}s`;
}

/**
 * How old a process's per-page data is, in at most 4 characters: "" when read in this sample,
 * "-" when never read, else "12s", "5m", "3h", "2d".
 */
export function formatAge(p: { scannedAtMs?: number }, snapshotTimeMs: number): string {
  if (p.scannedAtMs === undefined) return '';
  if (Number.isNaN(p.scannedAtMs)) return '-';
  const s = Math.max(0, Math.round((snapshotTimeMs - p.scannedAtMs) / 1000));
  if (s < 100) return `${s}s`;
  if (s < 100 * 60) return `${Math.round(s / 60)}m`;
  if (s < 100 * 3600) return `${Math.round(s / 3600)}h`;
  return `${Math.min(999, Math.round(s / 86400))}d`;
}

/**
 * Cuts a line holding SGR escapes to `width` visible columns (each character one column), so
 * that no line is ever wider than the terminal; styles left open are closed.
 */
export function cutStyled(line: string, width: number): string {
  let visible = 0;
  let i = 0;
  let styled = false;
  while (i < line.length) {
    if (line.charCodeAt(i) === 0x1b) {
      const end = line.indexOf('m', i);
      if (end < 0) break;
      styled = line.slice(i, end + 1) !== '\x1b[0m';
      i = end + 1;
      continue;
    }
    if (visible === width) return line.slice(0, i) + (styled ? '\x1b[0m' : '');
    visible++;
    i++;
  }
  return line;
}
