// First: it decides which build of React loads.
import './react-production.js';
import { constants } from 'node:os';
import { render, type Instance } from 'ink';
import { createElement } from 'react';
import type { SortKey } from '../model/sort.js';
import type { Sampler } from '../sampler/sampler.js';
import { App } from '../ui/App.js';
import type { SessionIntent } from '../ui/intents.js';
import { Session } from './session.js';
import { TerminalGuard } from './terminal.js';
import { FrameWriter } from './frame-writer.js';
import { TerminalOutput } from './terminal-output.js';

export interface InteractiveArgs {
  intervalMs: number;
  sort: SortKey;
  pids?: number[];
  color: boolean;
  /** See SessionOptions.trackPagesLimit. */
  trackPages?: number;
  /** See SessionOptions.budgetPercent. */
  budgetPercent?: number;
}

/**
 * Ink's options for memtop: memtop handles Ctrl-C. The interactive view's frames are drawn by
 * FrameWriter, so Ink's own output stays empty; where Ink draws (the benchmark's comparison) it
 * diffs lines, at most 10 frames a second.
 */
export const INK_OPTIONS = {
  incrementalRendering: true,
  maxFps: 10,
  exitOnCtrlC: false,
  patchConsole: false,
} as const;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The full-screen TUI: a sampling session feeding an Ink app on the alternate screen. The
 * terminal is restored however memtop ends: q, Ctrl-C, a signal, a failed sample or a crash.
 */
export async function runInteractive(sampler: Sampler, args: InteractiveArgs): Promise<void> {
  const session = new Session(sampler, {
    intervalMs: args.intervalMs,
    // A thread's id stands for its process.
    pids: args.pids && sampler.resolvePids(args.pids),
    trackPagesLimit: args.trackPages,
    budgetPercent: args.budgetPercent,
  });
  const terminal = new TerminalGuard(process.stdout, process.stdin);
  const output = new TerminalOutput(process.stdout);
  let instance: Instance | undefined;
  const cleanup = () => {
    session.stop();
    try {
      instance?.unmount();
    } catch {
      // a terminal that hung up may refuse the last frame; the screen is restored all the same
    }
    instance = undefined;
    output.detach();
    terminal.restore();
  };
  // Whatever restoring the terminal meets (a hung-up tty refuses writes), memtop then exits.
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      cleanup();
    } finally {
      process.exit(128 + (constants.signals[signal] ?? 1));
    }
  };
  const onCrash = (error: unknown) => {
    try {
      cleanup();
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`memtop: internal error: ${message}\n`);
    } finally {
      process.exit(1);
    }
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  let running: Promise<void> | undefined;
  try {
    terminal.enter();
    let quit = () => {};
    const quitting = new Promise<void>((resolve) => (quit = resolve));
    const onIntent = (intent: SessionIntent) => session.send(intent);
    const app = createElement(App, {
      feed: session,
      onIntent,
      onQuit: () => quit(),
      sortKey: args.sort,
      intervalMs: args.intervalMs,
      color: args.color,
      drawFrame: new FrameWriter(output).draw,
    });
    instance = render(app, {
      ...INK_OPTIONS,
      stdout: output as unknown as NodeJS.WriteStream,
      stdin: process.stdin,
      stderr: process.stderr,
    });
    // Let the first frame ("sampling…") reach the screen before the first, blocking, sample.
    await new Promise((resolve) => setImmediate(resolve));
    running = session.run();
    await Promise.race([quitting, running, instance.waitUntilExit()]);
  } finally {
    cleanup();
    running?.catch(() => undefined); // a failure after quitting has nothing left to report to
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
}
