import { computeSystemTotals } from './snapshot.js';
import type { ProcessSample, Snapshot, SystemTotals } from './types.js';

/** The meminfo fields system totals are built from, recovered from totals already built. */
function meminfoOf(t: SystemTotals): Record<string, number> {
  return {
    MemTotal: t.memTotalBytes,
    MemAvailable: t.memAvailableBytes,
    SwapTotal: t.swapTotalBytes,
    SwapFree: t.swapFreeBytes,
    AnonHugePages: t.anonHugePagesBytes,
  };
}

/**
 * One snapshot from samples of disjoint sets of processes taken one after the other (a first
 * sample read in parts, to show progress). Time is the first part's, cost the sum, memory
 * figures the last part's.
 */
export function mergeSnapshots(parts: readonly Snapshot[]): Snapshot {
  const first = parts[0];
  const last = parts.at(-1);
  if (!first || !last) throw new RangeError('mergeSnapshots needs at least one snapshot');
  const processes = parts.flatMap((s) => s.processes);
  return {
    ...last,
    timeMs: first.timeMs,
    costMs: parts.reduce((sum, s) => sum + s.costMs, 0),
    processes,
    totals: computeSystemTotals(processes, meminfoOf(last.totals)),
  };
}

/**
 * `base` with one process replaced by a fresh sample of it (or removed when it exited), as
 * when only the process on screen is sampled. Other processes and Σ totals stay as they were.
 */
export function replaceProcess(base: Snapshot, pid: number, fresh: Snapshot): Snapshot {
  const sample: ProcessSample | undefined = fresh.processes.find((p) => p.pid === pid);
  const processes: ProcessSample[] = [];
  for (const p of base.processes) {
    if (p.pid !== pid) processes.push(p);
    else if (sample) processes.push(sample);
  }
  if (sample && !base.processes.some((p) => p.pid === pid)) processes.push(sample);
  return {
    ...base,
    timeMs: fresh.timeMs,
    costMs: fresh.costMs,
    notices: fresh.notices,
    processes,
    totals: {
      ...base.totals,
      memTotalBytes: fresh.totals.memTotalBytes,
      memAvailableBytes: fresh.totals.memAvailableBytes,
      swapTotalBytes: fresh.totals.swapTotalBytes,
      swapFreeBytes: fresh.totals.swapFreeBytes,
      anonHugePagesBytes: fresh.totals.anonHugePagesBytes,
    },
  };
}
