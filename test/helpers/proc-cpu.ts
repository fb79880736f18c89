// A process's CPU time as the kernel counts it (utime + stime of /proc/PID/stat, every thread),
// and the interactive view's header followed frame by frame beside it.
import { readFileSync } from 'node:fs';
import type { Tmux } from './tmux.js';

/** Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on every Linux architecture). */
const TICKS_PER_S = 100;

/** utime + stime of the process, all its threads (ms, in 10 ms steps). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command, which is in parentheses and may hold anything.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15; field 3 (state) is the first after the command.
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return (ticks * 1000) / TICKS_PER_S;
}

/** One look at memtop: when (performance.now()), its CPU time so far, and its header then. */
export interface Look {
  atMs: number;
  cpuMs: number;
  header: string;
}

const HEADER = /^memtop \d\d:\d\d:\d\d /m;
const AVERAGE = /avg ([\d.]+)% of a core, (?:budget ([\d.]+)%|no budget)/;

/**
 * Follows memtop's header in a tmux pane for `runMs` after its first frame: a look each time
 * the header changes (a frame just drawn: a sample was published), within `pollMs` of it.
 */
export async function followHeader(
  tmux: Tmux,
  name: string,
  pid: number,
  runMs: number,
  pollMs = 50,
): Promise<Look[]> {
  const looks: Look[] = [];
  let last = '';
  for (;;) {
    const atMs = performance.now();
    const cpuMs = processCpuMs(pid);
    const header = tmux.screen(name).split('\n').slice(0, 2).join('\n');
    if (HEADER.test(header) && header !== last) {
      last = header;
      looks.push({ atMs, cpuMs, header });
    }
    if (looks.length > 0 && atMs - looks[0]!.atMs >= runMs) return looks;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The header's average share of a core and its budget (undefined: none), percent. */
export function claimedShare(
  header: string,
): { averagePercent: number; budgetPercent: number | undefined } | undefined {
  const m = AVERAGE.exec(header);
  if (!m) return undefined;
  return { averagePercent: Number(m[1]), budgetPercent: m[2] ? Number(m[2]) : undefined };
}

/** The CPU share between two looks, percent of one core. */
export function measuredPercent(first: Look, last: Look): number {
  return (100 * (last.cpuMs - first.cpuMs)) / (last.atMs - first.atMs);
}

/** memtop's average is taken over the last 30 s: from the last reading at or before then. */
const AVERAGE_WINDOW_MS = 30_000;

/** Of readings in time order, the first of the window memtop's average ends with at the last. */
export function windowStart<T extends { atMs: number }>(readings: readonly T[]): T {
  const start = readings.at(-1)!.atMs - AVERAGE_WINDOW_MS;
  let first = 0;
  while (first + 2 < readings.length && readings[first + 1]!.atMs <= start) first++;
  return readings[first]!;
}
