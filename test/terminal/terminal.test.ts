// The terminal around the TUI: frames anchored and counted, the screen restored on every way out.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LEAVE_ALTERNATE_SCREEN, TerminalGuard } from '../../src/terminal/terminal.js';
import { TerminalOutput } from '../../src/terminal/terminal-output.js';

class FakeTerminal extends EventEmitter {
  columns = 120;
  rows = 40;
  written: string[] = [];
  write(data: string, callback?: () => void): boolean {
    this.written.push(data);
    callback?.();
    return true;
  }
}

describe('TerminalOutput', () => {
  it('anchors an incremental frame at the top of the screen and counts its bytes', () => {
    const term = new FakeTerminal();
    const out = new TerminalOutput(term);
    out.write('\x1b[38A\x1b[E\x1b[1Grow\x1b[K\n');
    out.write('\x1b[?2026h');
    out.write('\x1b[2K\x1b[1Afull frame\n');
    expect(term.written).toEqual([
      '\x1b[H\x1b[E\x1b[1Grow\x1b[K\n',
      '\x1b[?2026h',
      '\x1b[2K\x1b[1Afull frame\n',
    ]);
    expect(out.bytesWritten).toBe(term.written.join('').length);
    expect(out.writes).toBe(3);
  });

  it('reports the terminal size and passes resizes on until detached', () => {
    const term = new FakeTerminal();
    const out = new TerminalOutput(term);
    let resized = 0;
    out.on('resize', () => resized++);
    term.rows = 10;
    term.emit('resize');
    expect([out.columns, out.rows, resized]).toEqual([120, 10, 1]);
    out.detach();
    term.emit('resize');
    expect(resized).toBe(1);
  });
});

describe('TerminalGuard', () => {
  it('enters the alternate screen, and leaves it once, with the cursor shown and raw mode off', () => {
    const term = new FakeTerminal();
    const modes: boolean[] = [];
    const guard = new TerminalGuard(term, {
      isTTY: true,
      setRawMode: (m: boolean) => modes.push(m),
    });
    guard.restore(); // nothing entered: nothing to undo
    expect(term.written).toEqual([]);
    guard.enter();
    expect(term.written[0]).toContain('\x1b[?1049h');
    guard.restore();
    guard.restore();
    expect(term.written.slice(1)).toEqual([LEAVE_ALTERNATE_SCREEN]);
    expect(LEAVE_ALTERNATE_SCREEN).toBe('\x1b[?1049l\x1b[?25h');
    expect(modes).toEqual([false]);
  });

  it('still restores the screen when stdin is already gone', () => {
    const term = new FakeTerminal();
    const guard = new TerminalGuard(term, {
      isTTY: true,
      setRawMode: () => {
        throw new Error('EIO');
      },
    });
    guard.enter();
    guard.restore();
    expect(term.written.at(-1)).toBe(LEAVE_ALTERNATE_SCREEN);
  });

  it('re-enters the alternate screen and raw mode after a stop, from the modes the shell put back', () => {
    const term = new FakeTerminal();
    const modes: boolean[] = [];
    const guard = new TerminalGuard(term, { isTTY: true, setRawMode: (m) => modes.push(m) });
    guard.enter();
    guard.restore();
    guard.reenter();
    expect(term.written.at(-1)).toContain('\x1b[?1049h');
    // Off, then on: Node would skip setting the mode it believes is already set.
    expect(modes).toEqual([false, false, true]);
    guard.restore();
    expect(term.written.at(-1)).toBe(LEAVE_ALTERNATE_SCREEN);
  });
});

describe('TerminalOutput while memtop is suspended', () => {
  it('writes nothing between hold() and release(), and calls back all the same', () => {
    const term = new FakeTerminal();
    const out = new TerminalOutput(term);
    out.hold();
    let called = 0;
    out.write('frame', () => called++);
    out.release();
    out.write('next');
    expect([term.written, called]).toEqual([['next'], 1]);
  });
});
