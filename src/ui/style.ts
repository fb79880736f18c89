/**
 * Styling as SGR escapes built into each row's text, so that a row is one pre-built string and
 * styles do not depend on colour detection: inverse and bold stay on under NO_COLOR.
 */
export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray';

const FG: Record<Color, number> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
};

export interface Style {
  fg?: Color;
  bg?: Color;
  inverse?: boolean;
  bold?: boolean;
  dim?: boolean;
  underline?: boolean;
}

/** Wraps text in the style's escapes; colours only when `color` is on. */
export function paint(text: string, style: Style, color: boolean): string {
  if (text === '') return text;
  const codes: number[] = [];
  if (style.bold) codes.push(1);
  if (style.dim) codes.push(2);
  if (style.underline) codes.push(4);
  if (style.inverse) codes.push(7);
  if (color && style.fg) codes.push(FG[style.fg]);
  if (color && style.bg) codes.push(FG[style.bg] + 10);
  if (codes.length === 0) return text;
  return `\x1b[${codes.join(';')}m${text}\x1b[0m`;
}

/** The styles of the screens' fixed parts. */
export const STYLES = {
  title: { inverse: true, bold: true } satisfies Style,
  selected: { inverse: true } satisfies Style,
  keyLabel: { inverse: true } satisfies Style,
  restricted: { dim: true } satisfies Style,
  notice: { fg: 'yellow' } satisfies Style,
  paused: { bold: true, fg: 'yellow' } satisfies Style,
  /** A page map cell whose pages changed in the last interval. */
  changed: { underline: true, bold: true } satisfies Style,
} as const;
