import { readFileSync } from 'node:fs';

/**
 * The signals whose default action ends memtop and that it can catch: the interactive view
 * restores the terminal on each, then exits with 128 + the signal's number. Left to their
 * defaults: SIGPIPE (Node ignores it: a write fails with EPIPE instead), SIGSEGV, SIGBUS,
 * SIGFPE and SIGILL (faults, which V8 and WebAssembly, Ink's layout engine, handle
 * themselves), SIGABRT, SIGTRAP and SIGSYS (an abort, a debugger, seccomp: a core dump is what
 * they are for), SIGUSR1 (taken by no-inspector.ts), SIGKILL and SIGSTOP (uncatchable), and
 * the real-time signals, which Node cannot name.
 */
export const TERMINATING_SIGNALS = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGTERM',
  'SIGUSR2',
  'SIGALRM',
  'SIGVTALRM',
  'SIGPROF',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGIO',
  'SIGPWR',
  'SIGSTKFLT',
] as const satisfies readonly NodeJS.Signals[];

/** Job-control stops: the view leaves the terminal to the shell, then stops. */
export const STOP_SIGNALS = ['SIGTSTP', 'SIGTTIN', 'SIGTTOU'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * True when memtop's process group is its terminal's foreground group (or that cannot be
 * told): only then may it touch the terminal. From the background, a change of terminal
 * modes (or a read) raises SIGTTOU (SIGTTIN), which memtop's own listener would take, and the
 * kernel would restart the call, raise it again, and so on for ever.
 */
export function isForeground(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    // After the command's closing parenthesis: state ppid pgrp session tty_nr tpgid ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    const tpgid = Number(fields[5]);
    return !(tpgid > 0) || tpgid === pgrp;
  } catch {
    return true;
  }
}

/**
 * Stops the process with `signal` as its default action would (the shell reports the job
 * stopped as it would for any program), `listener` set aside meanwhile; returns once the
 * process is continued. A signal sent to oneself is taken before kill() returns.
 */
export function stopWith(signal: StopSignal, listener: (signal: NodeJS.Signals) => void): void {
  process.off(signal, listener);
  try {
    process.kill(process.pid, signal);
  } finally {
    process.on(signal, listener);
  }
}

/** Stays stopped (SIGSTOP) until continued in the foreground (`fg`, not `bg`). */
export function stopUntilForeground(): void {
  while (!isForeground()) process.kill(process.pid, 'SIGSTOP');
}
