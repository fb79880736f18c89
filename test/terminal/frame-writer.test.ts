// Frames drawn straight to the terminal: only the lines that changed, a new size drawn whole.
import { describe, expect, it } from 'vitest';
import { FrameWriter } from '../../src/terminal/frame-writer.js';

const SYNC = ['\x1b[?2026h', '\x1b[?2026l'] as const;
const at = (row: number, line: string) => `\x1b[${row};1H\x1b[K${line}\x1b[0m`;

function writer() {
  const written: string[] = [];
  return { written, draw: new FrameWriter({ write: (data: string) => written.push(data) }).draw };
}

describe('FrameWriter', () => {
  it('draws the first frame whole on a cleared screen, with the cursor hidden', () => {
    const { written, draw } = writer();
    draw(['one', '\x1b[1mtwo\x1b[22m', ''], 80);
    expect(written).toEqual([
      SYNC[0] +
        '\x1b[?25l\x1b[2J' +
        at(1, 'one') +
        at(2, '\x1b[1mtwo\x1b[22m') +
        at(3, '') +
        SYNC[1],
    ]);
  });

  it('then writes only the lines that changed, and nothing for the same frame', () => {
    const { written, draw } = writer();
    draw(['header 1', 'row a', 'row b'], 80);
    draw(['header 2', 'row a', 'row c'], 80);
    draw(['header 2', 'row a', 'row c'], 80);
    expect(written.slice(1)).toEqual([SYNC[0] + at(1, 'header 2') + at(3, 'row c') + SYNC[1]]);
  });

  it('draws a frame of another width or height whole', () => {
    const { written, draw } = writer();
    draw(['a', 'b'], 80);
    draw(['a', 'b'], 60);
    draw(['a', 'b', 'c'], 60);
    expect(written.slice(1)).toEqual([
      SYNC[0] + '\x1b[?25l\x1b[2J' + at(1, 'a') + at(2, 'b') + SYNC[1],
      SYNC[0] + '\x1b[?25l\x1b[2J' + at(1, 'a') + at(2, 'b') + at(3, 'c') + SYNC[1],
    ]);
  });

  it('redraws the last frame whole (Ctrl-L, back from a suspend)', () => {
    const written: string[] = [];
    const frames = new FrameWriter({ write: (data: string) => written.push(data) });
    frames.draw(['a', 'b'], 80);
    frames.redraw();
    expect(written[1]).toBe(written[0]);
    frames.draw(['a', 'c'], 80); // then line by line again
    expect(written[2]).toBe(SYNC[0] + at(2, 'c') + SYNC[1]);
  });
});
