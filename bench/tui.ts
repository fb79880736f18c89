/**
 * The TUI's cost per frame: 500 synthetic processes on a 120×40 terminal, the real App, Ink
 * options, stdout wrapper and frame writer, a fake terminal counting bytes; then the same
 * frames drawn by Ink's renderer, for comparison. Each steady-state sample changes
 * 10 visible rows and the header (clock, Σ totals), as a real sample does.
 *
 * Run: npm run build && npx tsx bench/tui.ts [--frames N] [--processes N]
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Snapshot } from '../src/model/types.js';
import type { SessionFeed, SessionUpdate } from '../src/store/contract.js';
import { busySnapshot } from '../test/helpers/synthetic.js';

// Ink decides at import time whether it runs in CI (and then draws nothing interactive).
process.env['CI'] = 'false';
// React's production build, as in the interactive view.
await import('../src/commands/react-production.js');
const { render } = await import('ink');
const { createElement } = await import('react');
const { App } = await import('../src/ui/App.js');
const { INK_OPTIONS } = await import('../src/commands/interactive.js');
const { TerminalOutput } = await import('../src/terminal/terminal-output.js');
const { FrameWriter } = await import('../src/terminal/frame-writer.js');
const { sortProcesses } = await import('../src/model/sort.js');

const COLUMNS = 120;
const ROWS = 40;
const CHANGED_ROWS = 10;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} expects a whole number ≥ 1`);
  return value;
}

class FakeTerminal extends EventEmitter {
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  /** When the last write came, and how many lines writes have rewritten (each ends in ESC [ K). */
  lastWriteMs = 0;
  linesRewritten = 0;
  write(data: string, callback?: (error?: Error | null) => void): boolean {
    this.lastWriteMs = performance.now();
    this.linesRewritten += data.split('\x1b[K').length - 1;
    callback?.();
    return true;
  }
}

class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
  pause() {}
  resume() {}
  read() {
    return null;
  }
}

class Feed implements SessionFeed {
  private update: SessionUpdate = {};
  private readonly listeners = new Set<(u: SessionUpdate) => void>();
  current() {
    return this.update;
  }
  subscribe(listener: (u: SessionUpdate) => void) {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
  publish(snapshot: Snapshot) {
    this.update = { snapshot };
    for (const l of this.listeners) l(this.update);
  }
}

/** The next sample: one second later, the 10 top rows' RSS, SHARED and SWAP changed, order kept. */
function nextSample(previous: Snapshot, step: number): Snapshot {
  const top = new Set(
    sortProcesses(previous.processes, 'uss')
      .slice(0, CHANGED_ROWS)
      .map((p) => p.pid),
  );
  const processes = previous.processes.map((p) => {
    if (!top.has(p.pid)) return p;
    const totals = { ...p.totals };
    totals.rssBytes += 2 ** 20 * step;
    totals.sharedBytes += 2 ** 20 * step;
    totals.swapBytes = 4096 * step;
    return { ...p, totals };
  });
  const totals = {
    ...previous.totals,
    rssBytes: previous.totals.rssBytes + 2 ** 20 * step * CHANGED_ROWS,
  };
  return {
    ...previous,
    timeMs: previous.timeMs + 1000,
    costMs: 40 + (step % 7),
    processes,
    totals,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

interface Result {
  linesPerFrame: number[];
  firstFrameBytes: number;
  frameMs: number[];
  inkMs: number[];
  bytes: number[];
  idleBytes: number;
  /** CPU time (all threads, garbage collection included) per steady-state frame. */
  cpuMsPerFrame: number;
}

/** How frames reach the terminal: as the interactive view draws them, or through Ink's renderer. */
type Drawing = 'direct' | 'ink-incremental' | 'ink-full';

async function measure(drawing: Drawing, processes: number, frames: number): Promise<Result> {
  const terminal = new FakeTerminal();
  const output = new TerminalOutput(terminal);
  const feed = new Feed();
  const inkMs: number[] = [];
  const app = createElement(App, {
    feed,
    onIntent: () => {},
    onQuit: () => {},
    sortKey: 'uss',
    intervalMs: 1000,
    color: true,
    drawFrame: drawing === 'direct' ? new FrameWriter(output).draw : undefined,
  });
  const instance = render(app, {
    ...INK_OPTIONS,
    incrementalRendering: drawing !== 'ink-full',
    stdout: output as unknown as NodeJS.WriteStream,
    stdin: new FakeKeyboard() as unknown as NodeJS.ReadStream,
    stderr: new FakeTerminal() as unknown as NodeJS.WriteStream,
    onRender: ({ renderTime }) => inkMs.push(renderTime),
  });
  const throttleMs = 1000 / INK_OPTIONS.maxFps + 10; // each frame leads its own throttle window
  let snapshot = busySnapshot(processes);
  await sleep(throttleMs);
  let before = output.bytesWritten;
  feed.publish(snapshot);
  await sleep(throttleMs);
  const firstFrameBytes = output.bytesWritten - before;
  inkMs.length = 0;
  const frameMs: number[] = [];
  const bytes: number[] = [];
  const linesPerFrame: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 1; i <= frames; i++) {
    snapshot = nextSample(snapshot, i);
    before = output.bytesWritten;
    const lines = terminal.linesRewritten;
    const t0 = performance.now();
    feed.publish(snapshot); // reducer → React render → Ink layout, line diff, write
    await sleep(throttleMs);
    frameMs.push(terminal.lastWriteMs - t0);
    bytes.push(output.bytesWritten - before);
    linesPerFrame.push(terminal.linesRewritten - lines);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerFrame = (cpu.user + cpu.system) / 1000 / frames;
  before = output.bytesWritten;
  feed.publish({ ...snapshot }); // same numbers, same clock: nothing should be written
  await sleep(throttleMs);
  const idleBytes = output.bytesWritten - before;
  instance.unmount();
  output.detach();
  return { linesPerFrame, firstFrameBytes, frameMs, inkMs, bytes, idleBytes, cpuMsPerFrame };
}

const processes = option('processes', 500);
const frames = option('frames', 40);
const direct = await measure('direct', processes, frames);
const incremental = await measure('ink-incremental', processes, frames);
const full = await measure('ink-full', processes, Math.min(frames, 10));
const ms = (x: number) => `${x.toFixed(2)} ms`;
const line = (label: string, value: string) => console.log(`  ${label.padEnd(52)}${value}`);
console.log(
  `memtop TUI, ${processes} processes, ${COLUMNS}×${ROWS}, ${frames} steady-state frames`,
);
console.log(
  `(each frame: ${CHANGED_ROWS} rows and the header change; Ink ${INK_OPTIONS.maxFps} fps max)`,
);
const frameTime = (r: Result) => `${ms(median(r.frameMs))} / ${ms(p95(r.frameMs))}`;
line('frame time, sample in → bytes out (median / p95)', frameTime(direct));
line('CPU per steady-state frame, all threads (mean)', ms(direct.cpuMsPerFrame));
line('lines rewritten per steady-state frame (median)', String(median(direct.linesPerFrame)));
line('bytes per steady-state frame (median)', `${median(direct.bytes)} B`);
line('bytes of the first (whole) frame', `${direct.firstFrameBytes} B`);
line('bytes when a sample changes nothing', `${direct.idleBytes} B`);
console.log("The same frames drawn by Ink's renderer instead:");
line('frame time, line diff (median / p95)', frameTime(incremental));
line("  of which Ink's layout and output (median)", ms(median(incremental.inkMs)));
line('CPU per steady-state frame, line diff (mean)', ms(incremental.cpuMsPerFrame));
line('bytes per steady-state frame, line diff (median)', `${median(incremental.bytes)} B`);
line('bytes per steady-state frame, full redraw (median)', `${median(full.bytes)} B`);
