import type { Mapping, ProcessInfo, ProcessSample, Snapshot } from './types.js';

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
 * Δ USS of each mapping of `next` (by its index there), matched with `previous` by start
 * address (a growing heap keeps its start); NaN for a mapping new since `previous`, and for
 * every mapping when `previous` has no mappings or is another process.
 */
export function diffMappingUss(
  previous: ProcessSample | undefined,
  next: ProcessSample,
): Float64Array {
  const after = mappingColumns(next.mappings ?? []);
  if (!previous?.mappings || processKey(previous) !== processKey(next))
    return new Float64Array(after.starts.length).fill(Number.NaN);
  return diffByStart(mappingColumns(previous.mappings), after);
}

/** Start addresses and USS of mappings, by index: what diffByStart compares. */
export interface MappingColumns {
  starts: Float64Array;
  ussBytes: Float64Array;
}

/** The columns diffByStart compares, in one pass over the mappings. */
export function mappingColumns(mappings: readonly Mapping[]): MappingColumns {
  const starts = new Float64Array(mappings.length);
  const ussBytes = new Float64Array(mappings.length);
  for (let i = 0; i < mappings.length; i++) {
    const m = mappings[i]!;
    starts[i] = m.start;
    ussBytes[i] = m.counters.ussBytes;
  }
  return { starts, ussBytes };
}

/**
 * Δ USS of each mapping of `after`, matched with `before` by start address; NaN for a mapping
 * `before` does not have. Both in address order, as maps gives them: one merged walk over
 * typed arrays, no map of addresses (a map of 200,000 addresses costs 100 ms and more).
 */
export function diffByStart(before: MappingColumns, after: MappingColumns): Float64Array {
  const a = before.starts;
  const b = after.starts;
  const delta = new Float64Array(b.length).fill(Number.NaN);
  if (!isRising(a) || !isRising(b)) {
    const old = new Map<number, number>();
    a.forEach((start, j) => old.set(start, before.ussBytes[j]!));
    b.forEach((start, i) => (delta[i] = after.ussBytes[i]! - (old.get(start) ?? Number.NaN)));
    return delta;
  }
  for (let i = 0, j = 0; i < b.length; i++) {
    while (j < a.length && a[j]! < b[i]!) j++;
    if (j < a.length && a[j] === b[i]) delta[i] = after.ussBytes[i]! - before.ussBytes[j]!;
  }
  return delta;
}

/** Whether values rise strictly (start addresses as maps lists them). */
export function isRising(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (!(values[i]! > values[i - 1]!)) return false;
  return true;
}

/** The sample of one process in a snapshot, found by pid and start time. */
export function findProcess(
  snapshot: Snapshot | undefined,
  id: Pick<ProcessInfo, 'pid' | 'startTime'>,
): ProcessSample | undefined {
  return snapshot?.processes.find((p) => p.pid === id.pid && p.startTime === id.startTime);
}
