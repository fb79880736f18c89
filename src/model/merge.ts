import { scanTimeOf } from './changes.js';
import { STATUS_COUNTER_KEYS } from './counter-table.js';
import { processKey } from './delta.js';
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
    ...(parts.every((s) => s.cpuMs !== undefined)
      ? { cpuMs: parts.reduce((sum, s) => sum + s.cpuMs!, 0) }
      : {}),
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
    cpuMs: fresh.cpuMs,
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

/**
 * A sample within a CPU budget, with each process whose pages it did not read (scannedAtMs
 * NaN) completed from its last read in `previous` (the sample before, itself completed so):
 * per-page counters, mappings and pages from then, with `scannedAtMs` saying when; identity
 * and the counters status gives (scan 'status' in the counter table) from now. A process never
 * read keeps its unknown counters. Σ totals are computed again. Inputs are not mutated.
 */
export function carryScans(current: Snapshot, previous: Snapshot | undefined): Snapshot {
  const before = new Map(previous?.processes.map((p) => [processKey(p), p]));
  let carried = false;
  const processes = current.processes.map((p) => {
    if (p.scannedAtMs === undefined || !Number.isNaN(p.scannedAtMs)) return p;
    const old = before.get(processKey(p));
    if (!old || Number.isNaN(old.scannedAtMs ?? 0)) return p;
    carried = true;
    const totals = { ...old.totals };
    for (const key of STATUS_COUNTER_KEYS) totals[key] = p.totals[key];
    return {
      ...old,
      ppid: p.ppid,
      state: p.state,
      comm: p.comm,
      cmdline: p.cmdline,
      uid: p.uid,
      user: p.user,
      totals,
      scannedAtMs: scanTimeOf(old, previous!.timeMs),
    };
  });
  if (!carried) return current;
  return {
    ...current,
    processes,
    totals: computeSystemTotals(processes, meminfoOf(current.totals)),
  };
}
