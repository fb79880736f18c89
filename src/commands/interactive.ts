// First: it decides which build of React loads.
import './react-production.js';
import { constants } from 'node:os';
import { render, type Instance } from 'ink';
import { createElement } from 'react';
import type { SortKey } from '../model/sort.js';
import type { SamplerHost } from '../sampler/sampler-host.js';
import { App } from '../ui/App.js';
import { hardExit } from './hard-exit.js';
import {
  STOP_SIGNALS,
  TERMINATING_SIGNALS,
  isForeground,
  stopUntilForeground,
  stopWith,
  type StopSignal,
} from './job-control.js';
import type { SessionIntent } from '../store/contract.js';
import { SampleStore } from '../store/store.js';
import { TerminalGuard } from '../terminal/terminal.js';
import { FrameWriter } from '../terminal/frame-writer.js';
import { TerminalOutput } from '../terminal/terminal-output.js';

export interface InteractiveArgs {
  intervalMs: number;
  sort: SortKey;
  pids?: number[];
  color: boolean;
  /** See StoreOptions.trackPagesLimit. */
  trackPages?: number;
  /** See StoreOptions.budgetPercent. */
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

/**
 * How long memtop waits for the sampler's thread to end on its way out. A thread stuck in a
 * read (a hung mount) never ends: memtop then exits without it (hardExit), the terminal
 * already restored.
 */
const HOST_EXIT_MS = 200;

/**
 * The full-screen TUI: the store, sampling from the sampler in a thread of its own (the host),
 * feeding an Ink app on the alternate screen. The terminal is restored however memtop ends
 * (q, Ctrl-C, a terminating signal, a failed sample, a crash) and while it is suspended
 * (Ctrl-Z, SIGTSTP, SIGTTIN, SIGTTOU); `fg` brings the view back whole. Nothing here waits for
 * a read of /proc: q, Ctrl-C and SIGTERM end memtop at once whatever the sampler is stuck in.
 * Ends the host before it returns.
 */
export async function runInteractive(host: SamplerHost, args: InteractiveArgs): Promise<void> {
  // Started in the background (`memtop &`): the terminal is not ours until `fg`.
  stopUntilForeground();
  const store = new SampleStore(host, {
    intervalMs: args.intervalMs,
    pids: args.pids,
    trackPagesLimit: args.trackPages,
    budgetPercent: args.budgetPercent,
  });
  const terminal = new TerminalGuard(process.stdout, process.stdin);
  const output = new TerminalOutput(process.stdout);
  const frames = new FrameWriter(output);
  let instance: Instance | undefined;
  let exiting = false;
  const cleanup = () => {
    store.stop();
    output.hold();
    try {
      instance?.unmount();
    } catch {
      // a terminal that hung up may refuse the last frame; the screen is restored all the same
    }
    instance = undefined;
    output.detach();
    terminal.restore();
  };
  /** The terminal first, then the process, with or without the sampler's thread. */
  const exit = async (code: number, message?: string): Promise<void> => {
    exiting = true;
    try {
      cleanup();
    } catch {
      // whatever restoring the terminal meets (a hung-up tty refuses writes), memtop exits
    }
    if (message !== undefined) process.stderr.write(`memtop: ${message}\n`);
    if (!(await host.end(HOST_EXIT_MS))) hardExit(code);
    process.exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (!exiting) void exit(128 + (constants.signals[signal] ?? 1));
  };
  const onCrash = (error: unknown) => {
    if (exiting) return;
    const message = error instanceof Error ? error.message : String(error);
    void exit(1, `internal error: ${message}`);
  };
  /** Set once memtop has stopped itself and come back: the SIGCONT that follows is its own. */
  let continuedSelf = false;
  const back = () => {
    terminal.reenter();
    output.release();
    frames.redraw();
  };
  // Synchronous from the terminal's restoring to its re-entering: no frame, no read of the
  // keyboard, can happen in between, nor in the background after a `bg`.
  const onStop = (signal: NodeJS.Signals) => {
    if (exiting) return;
    if (isForeground()) {
      output.hold();
      terminal.restore();
    }
    stopWith(signal as StopSignal, onStop);
    stopUntilForeground();
    continuedSelf = true;
    back();
  };
  // Continued after a stop memtop did not see (SIGSTOP): the shell has the terminal in its own
  // modes again.
  const onContinue = () => {
    if (exiting) return;
    if (continuedSelf) {
      continuedSelf = false;
      return;
    }
    stopUntilForeground();
    back();
  };
  for (const signal of TERMINATING_SIGNALS) process.on(signal, onSignal);
  for (const signal of STOP_SIGNALS) process.on(signal, onStop);
  process.on('SIGCONT', onContinue);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  let running: Promise<void> | undefined;
  try {
    terminal.enter();
    let quit = () => {};
    const quitting = new Promise<void>((resolve) => (quit = resolve));
    const onIntent = (intent: SessionIntent) => store.send(intent);
    const app = createElement(App, {
      feed: store,
      onIntent,
      onQuit: () => quit(),
      onSuspend: () => onStop('SIGTSTP'),
      onRedraw: frames.redraw,
      sortKey: args.sort,
      intervalMs: args.intervalMs,
      color: args.color,
      drawFrame: frames.draw,
    });
    instance = render(app, {
      ...INK_OPTIONS,
      stdout: output as unknown as NodeJS.WriteStream,
      stdin: process.stdin,
      stderr: process.stderr,
    });
    running = store.run();
    await Promise.race([quitting, running, instance.waitUntilExit()]);
  } catch (error) {
    if (exiting) await new Promise<never>(() => {}); // the sampler ended with memtop: no failure
    cleanup();
    // A sampler that failed has ended its work: its thread ends at once.
    if (!(await host.end(HOST_EXIT_MS))) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`memtop: ${message}\n`);
      hardExit(1);
    }
    throw error;
  } finally {
    cleanup();
    running?.catch(() => undefined); // a failure after quitting has nothing left to report to
    for (const signal of TERMINATING_SIGNALS) process.off(signal, onSignal);
    for (const signal of STOP_SIGNALS) process.off(signal, onStop);
    process.off('SIGCONT', onContinue);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  // A signal or a crash is ending memtop with its own status: that exit has the last word.
  if (exiting) await new Promise<never>(() => {});
  if (!(await host.end(HOST_EXIT_MS))) hardExit(0);
}
