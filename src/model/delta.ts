import type { ProcessInfo, ProcessSample, Snapshot } from './types.js';

/**
 * Delta: two snapshots compared. A pid alone is reused by the kernel; a pid with its start
 * time names one process for its whole life, so that is the key samples are matched by.
 */
export function processKey(p: Pick<ProcessInfo, 'pid' | 'startTime'>): string {
  return `${p.pid}:${p.startTime}`;
}

/**
 * Δ USS per process, next − previous, keyed by processKey. A process absent from `previous`
 * (new since the last sample) has no entry; NaN where either side is unknown (restricted).
 */
export function diffUss(previous: Snapshot | undefined, next: Snapshot): Map<string, number> {
  const before = new Map<string, number>();
  for (const p of previous?.processes ?? []) before.set(processKey(p), p.totals.ussBytes);
  const delta = new Map<string, number>();
  for (const p of next.processes) {
    const key = processKey(p);
    const old = before.get(key);
    if (old !== undefined) delta.set(key, p.totals.ussBytes - old);
  }
  return delta;
}

/**
 * Δ USS per mapping of one process, keyed by the mapping's start address (a growing heap keeps
 * its start). Mappings new since `previous`, or a `previous` without mappings, give no entry.
 */
export function diffMappingUss(
  previous: ProcessSample | undefined,
  next: ProcessSample,
): Map<number, number> {
  const delta = new Map<number, number>();
  if (!previous?.mappings || !next.mappings) return delta;
  if (processKey(previous) !== processKey(next)) return delta;
  const before = new Map<number, number>();
  for (const m of previous.mappings) before.set(m.start, m.counters.ussBytes);
  for (const m of next.mappings) {
    const old = before.get(m.start);
    if (old !== undefined) delta.set(m.start, m.counters.ussBytes - old);
  }
  return delta;
}

/** The sample of one process in a snapshot, found by pid and start time. */
export function findProcess(
  snapshot: Snapshot | undefined,
  id: Pick<ProcessInfo, 'pid' | 'startTime'>,
): ProcessSample | undefined {
  return snapshot?.processes.find((p) => p.pid === id.pid && p.startTime === id.startTime);
}
