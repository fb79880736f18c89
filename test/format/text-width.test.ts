// Columns on a terminal: East Asian wide characters take 2, combining marks 0, as string-width
// (Ink's measure) counts them; cuts never split a character, a surrogate pair or an escape.
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/format/size.js';
import { cutStyled, fitEnd, sanitize } from '../../src/format/text.js';
import { cutEndToWidth, cutToWidth, textWidth } from '../../src/format/width.js';

const SAMPLES = [
  'bash',
  'café',
  'cafe\u0301',
  '進程',
  '/srv/進程/café.so',
  'ｱｲｳ',
  '１２３',
  '한국어',
  '\u1100\u1161\u11a8',
  '👍',
  '👨‍👩‍👧 family',
  '❤️ ok',
  '🇫🇷🇩🇪',
  '1️⃣',
  'a\u200bb',
  'Ωmega ≈',
  'x\u0301\u0302y',
];

describe('textWidth', () => {
  it('counts as string-width does', () => {
    for (const s of SAMPLES) expect(textWidth(s), JSON.stringify(s)).toBe(stringWidth(s));
  });

  it('counts an escaped byte as the four columns it shows', () => {
    const shown = sanitize('bad\udcff\udcfe');
    expect(shown).toBe('bad\\xff\\xfe');
    expect(textWidth(shown)).toBe(11);
  });
});

/** The cut pieces of a sample: none splits a unit, so each is a prefix that measures whole. */
const UNITS: [string, string[]][] = [
  ['進程x', ['', '', '進', '進', '進程', '進程x']],
  ['cafe\u0301!', ['', 'c', 'ca', 'caf', 'cafe\u0301', 'cafe\u0301!']],
  ['👍a', ['', '', '👍', '👍a']],
  ['a\\xffb', ['', 'a', 'a', 'a', 'a', 'a\\xff', 'a\\xffb']],
  ['👨‍👩‍👧!', ['', '', '👨‍👩‍👧', '👨‍👩‍👧!']],
];

describe('cutting', () => {
  it('keeps characters, marks, surrogate pairs, emoji sequences and escapes whole', () => {
    for (const [text, cuts] of UNITS) {
      cuts.forEach((cut, width) => expect(cutToWidth(text, width), `${text} @${width}`).toBe(cut));
    }
    expect(cutEndToWidth('x進程', 3)).toBe('程');
    expect(cutEndToWidth('a\\xffb', 4)).toBe('b');
    expect(cutEndToWidth('a\\xffb', 5)).toBe('\\xffb');
  });

  it('fit and fitEnd give exactly the width asked for, in string-width columns', () => {
    for (const s of [...SAMPLES, sanitize('bad\udcff\udcfe進程')]) {
      for (let width = 0; width <= textWidth(s) + 2; width++) {
        const left = fit(s, width);
        const right = fit(s, width, 'right');
        const end = fitEnd(s, width);
        for (const cell of [left, right, end])
          expect(stringWidth(cell), `${s} @${width}`).toBe(width);
        expect(s.startsWith(left.trimEnd()) || left.trim() === '').toBe(true);
      }
    }
  });

  it('cuts a styled line to the terminal width by columns', () => {
    const line = '\x1b[1m進程\x1b[0m café 進程';
    expect(cutStyled(line, 3)).toBe('\x1b[1m進\x1b[0m');
    expect(cutStyled(line, 8)).toBe('\x1b[1m進程\x1b[0m caf');
    expect(cutStyled(line, 13)).toBe('\x1b[1m進程\x1b[0m café 進');
    expect(cutStyled(line, 14)).toBe(line);
    expect(cutStyled(line, 40)).toBe(line);
  });
});
