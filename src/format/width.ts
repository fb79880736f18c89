/**
 * Terminal columns of sanitized text (see sanitize): East Asian wide characters take 2,
 * combining marks and other zero-width characters 0, an escape `\xNN` 4. Cutting keeps whole
 * units: a character with its combining marks, a surrogate pair, an emoji sequence, an escape.
 * The rules are string-width's (the measure Ink uses), per character rather than per grapheme
 * cluster, which costs no segmenter: string-width takes ~50 ms to load and ~50 µs a call on
 * non-ASCII text, and most /proc text is ASCII, measured here by its length alone.
 */
import { eastAsianWidth } from 'get-east-asian-width';

/** Printable ASCII: one column per character. */
const ASCII = /^[\x20-\x7e]*$/;
/** Printable ASCII without a backslash: no escape to keep whole, so cut anywhere. */
const PLAIN = /^[\x20-\x5b\x5d-\x7e]*$/;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const ESCAPE = /^\\x[0-9a-f]{2}/;
const ZWJ = 0x200d;
const VS16 = 0xfe0f;
const KEYCAP = 0x20e3;
const isKeycapBase = (cp: number) => (cp >= 0x30 && cp <= 0x39) || cp === 0x23 || cp === 0x2a;

/** Columns of one code point standing alone (not joined to the one before). */
function codePointWidth(cp: number, char: string): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  // Hangul medial vowels and final consonants join the leading consonant's block.
  if ((cp >= 0x1160 && cp <= 0x11ff) || (cp >= 0xd7b0 && cp <= 0xd7ff)) return 0;
  if (ZERO_WIDTH.test(char)) return 0;
  return eastAsianWidth(cp);
}

/**
 * Calls `unit(start, end, width)` for each unit of `text` in order: a character and every
 * zero-width character after it (marks, variation selectors, a zero-width joiner and the
 * character it joins), or an escape.
 */
function forEachUnit(text: string, unit: (start: number, end: number, width: number) => void) {
  let i = 0;
  while (i < text.length) {
    const start = i;
    if (text.charCodeAt(i) === 0x5c && ESCAPE.test(text.slice(i, i + 4))) {
      unit(start, i + 4, 4);
      i += 4;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const char = String.fromCodePoint(cp);
    let width = codePointWidth(cp, char);
    const isPictographic = cp >= 0x80 && PICTOGRAPHIC.test(char);
    i += char.length;
    while (i < text.length) {
      const next = text.codePointAt(i)!;
      if (next === ZWJ) {
        i += 1;
        if (i < text.length) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
        continue;
      }
      if (next < 0x300 || next === 0x5c) break;
      const nextChar = String.fromCodePoint(next);
      if (codePointWidth(next, nextChar) !== 0) break;
      // VS16 asks for the emoji presentation, a keycap makes an emoji of 0-9, # or *: 2 columns.
      if ((next === VS16 && isPictographic) || (next === KEYCAP && isKeycapBase(cp))) width = 2;
      i += nextChar.length;
    }
    unit(start, i, width);
  }
}

/** The columns `text` takes on a terminal. */
export function textWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  let width = 0;
  forEachUnit(text, (_s, _e, w) => (width += w));
  return width;
}

/** The longest start of `text` that takes at most `width` columns, whole units only. */
export function cutToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (PLAIN.test(text)) return text.length > width ? text.slice(0, width) : text;
  let used = 0;
  let end = 0;
  let isFull = false;
  forEachUnit(text, (_s, e, w) => {
    if (isFull || used + w > width) {
      isFull = true;
      return;
    }
    used += w;
    end = e;
  });
  return text.slice(0, end);
}

/** The longest end of `text` that takes at most `width` columns, whole units only. */
export function cutEndToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (PLAIN.test(text)) return text.length > width ? text.slice(text.length - width) : text;
  const units: { start: number; width: number }[] = [];
  forEachUnit(text, (s, _e, w) => units.push({ start: s, width: w }));
  let used = 0;
  let start = text.length;
  for (let k = units.length - 1; k >= 0; k--) {
    const u = units[k]!;
    if (used + u.width > width) break;
    used += u.width;
    start = u.start;
  }
  return text.slice(start);
}

/** `text` padded with spaces (on the right, or on the left for 'right') to `width` columns. */
export function padToWidth(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const room = width - textWidth(text);
  if (room <= 0) return text;
  return align === 'right' ? ' '.repeat(room) + text : text + ' '.repeat(room);
}
