/** Where frames go: the stdout Ink was given (a TerminalOutput), or a fake terminal. */
export interface FrameTarget {
  write(data: string): unknown;
}

const BEGIN_SYNCHRONIZED_UPDATE = '\x1b[?2026h';
const END_SYNCHRONIZED_UPDATE = '\x1b[?2026l';
const HIDE_CURSOR = '\x1b[?25l';
const CLEAR_SCREEN = '\x1b[2J';
const CLEAR_LINE = '\x1b[K';
const RESET_STYLE = '\x1b[0m';

/**
 * Draws the interactive view's frames straight onto the alternate screen: each line that is not
 * already on screen is written at its row (cursor address, line cleared, the line), all in one
 * write inside synchronized-update escapes; a frame of another size is drawn whole on a cleared
 * screen. Ink still runs React and reads the keys but draws nothing itself: for each frame its
 * renderer makes an object of every cell of the screen and re-encodes each line's styles cell
 * by cell (most of a frame's CPU time and garbage), which lines built whole do not need.
 */
export class FrameWriter {
  private shown: readonly string[] = [];
  private columns = 0;

  constructor(private readonly target: FrameTarget) {}

  /** Draws `lines` (each at most `columns` wide), the first on the screen's first row. */
  readonly draw = (lines: readonly string[], columns: number): void => {
    const whole = columns !== this.columns || lines.length !== this.shown.length;
    let text = whole ? HIDE_CURSOR + CLEAR_SCREEN : '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!whole && line === this.shown[i]) continue;
      text += `\x1b[${i + 1};1H${CLEAR_LINE}${line}${RESET_STYLE}`;
    }
    this.shown = lines;
    this.columns = columns;
    if (text !== '') this.target.write(BEGIN_SYNCHRONIZED_UPDATE + text + END_SYNCHRONIZED_UPDATE);
  };

  /** Draws the last frame again, whole (Ctrl-L; back from a suspend, the screen is blank). */
  readonly redraw = (): void => {
    const { shown, columns } = this;
    this.columns = 0;
    this.draw(shown, columns);
  };
}
