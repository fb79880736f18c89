// A process's CPU time as the kernel counts it: utime + stime of /proc/PID/stat, every thread.
import { readFileSync } from 'node:fs';

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
