import { writeSync } from 'node:fs';

/** Enter the alternate screen, clear it, cursor home. */
export const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[2J\x1b[H';
/** Leave the alternate screen and show the cursor again. */
export const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l\x1b[?25h';

interface Tty {
  fd?: number;
  write(text: string): unknown;
}

interface Keyboard {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/**
 * The terminal as memtop found it, put back on every way out: quit, a signal (an SSH link
 * dropping is SIGHUP) or a crash, and while memtop is suspended. restore() is idempotent and
 * synchronous, so it is safe to call from a signal or exception handler right before exiting.
 */
export class TerminalGuard {
  private entered = false;

  constructor(
    private readonly out: Tty,
    private readonly keyboard: Keyboard,
  ) {}

  enter(): void {
    this.writeNow(ENTER_ALTERNATE_SCREEN);
    this.entered = true;
  }

  restore(): void {
    if (!this.entered) return;
    this.entered = false;
    try {
      if (this.keyboard.isTTY) this.keyboard.setRawMode?.(false);
    } catch {
      // stdin may already be gone (hang-up): the screen still needs restoring
    }
    this.writeNow(LEAVE_ALTERNATE_SCREEN);
  }

  /**
   * Back on the terminal after memtop was stopped (Ctrl-Z, SIGTSTP, a SIGSTOP it never saw):
   * the shell has put its own modes back, so raw mode is set again from them, and the
   * alternate screen entered again, cleared, for the caller to draw the whole frame on.
   */
  reenter(): void {
    try {
      if (this.keyboard.isTTY) {
        // Off, then on: Node skips a change to the mode it believes the terminal is in.
        this.keyboard.setRawMode?.(false);
        this.keyboard.setRawMode?.(true);
      }
    } catch {
      // stdin gone (hang-up): the screen is all there is left to put back
    }
    this.enter();
  }

  private writeNow(text: string): void {
    try {
      if (this.out.fd !== undefined) writeSync(this.out.fd, text);
      else this.out.write(text);
    } catch {
      // a terminal that hung up cannot be restored, nor needs to be
    }
  }
}
