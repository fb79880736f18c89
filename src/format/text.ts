import { cutEndToWidth, cutToWidth, padToWidth, textWidth } from './width.js';

/**
 * What sanitize() replaces: C0 and C1 controls and DEL, and lone surrogates (the bytes of
 * invalid UTF-8, see decodeProcText).
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function replaceUnsafe(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0xa0) return '?';
  if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16)}`;
  return '\ufffd';
}

/**
 * Text from /proc is hostile: command lines and paths may hold control characters and escape
 * sequences, and bytes that are not UTF-8. Each C0/C1 control and DEL becomes '?', each invalid
 * byte `\xNN`, so nothing reaches the terminal but text, and invalid bytes show as such.
 */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, replaceUnsafe);
}

/** Cuts sanitized text to `width` columns keeping its end ("…/libc.so.6"), for paths. */
export function fitEnd(text: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return padToWidth(text, width);
  if (width === 1) return '…';
  return padToWidth('…' + cutEndToWidth(text, width - 1), width);
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
 * Cuts a line of sanitized text holding SGR escapes to `width` terminal columns (see
 * textWidth), so that no line is ever wider than the terminal; styles left open are closed.
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
    let next = line.indexOf('\x1b', i);
    if (next < 0) next = line.length;
    const text = line.slice(i, next);
    const w = textWidth(text);
    if (visible + w > width) {
      return line.slice(0, i) + cutToWidth(text, width - visible) + (styled ? '\x1b[0m' : '');
    }
    visible += w;
    i = next;
  }
  return line;
}
