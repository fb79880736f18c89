import { EventEmitter } from 'node:events';

/** Where frames finally go: the real stdout, or a fake terminal in the benchmark. */
export interface TerminalTarget {
  write(data: string, callback?: (error?: Error | null) => void): boolean;
  columns?: number;
  rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/** A cursor-up (`ESC [ n A`) opening a write: how Ink 6.8 starts an incremental frame. */
// eslint-disable-next-line no-control-regex
const FRAME_START = /^\x1b\[\d*A/;

/**
 * The stdout Ink draws to. It counts the bytes of every frame, and it anchors each
 * incremental frame at the top of the alternate screen: Ink 6.8's line diff moves the cursor
 * up one line too few when the frame ends with a newline (as it does below full height), so
 * each frame would land a line lower than the last. memtop's frame always starts at the
 * screen's first line, so "cursor home" is exactly where every frame begins.
 */
export class TerminalOutput extends EventEmitter {
  readonly isTTY = true;
  /** Makes Ink wait for writes to be flushed through write(data, callback) on exit. */
  readonly writableLength = 0;
  bytesWritten = 0;
  writes = 0;
  /** While memtop is suspended nothing reaches the terminal: it is the shell's. */
  private held = false;

  constructor(private readonly target: TerminalTarget) {
    super();
    target.on('resize', this.onResize);
  }

  get columns(): number {
    return this.target.columns || 80;
  }

  get rows(): number {
    return this.target.rows || 24;
  }

  private readonly onResize = () => this.emit('resize');

  write(
    data: string | Uint8Array,
    encodingOrCallback?: BufferEncoding | ((error?: Error | null) => void),
    callback?: (error?: Error | null) => void,
  ): boolean {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (this.held) {
      done?.(null);
      return true;
    }
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    const anchored = text.replace(FRAME_START, '\x1b[H');
    this.bytesWritten += Buffer.byteLength(anchored);
    if (anchored !== '') this.writes++;
    return this.target.write(anchored, done);
  }

  /** Drops every write until release() (memtop suspended: the terminal is the shell's). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
  }

  /** Stops following the target's resizes. */
  detach(): void {
    this.target.off('resize', this.onResize);
  }
}
