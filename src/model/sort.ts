import { pssBytes } from './counters.js';
import type { Counters, ProcessSample } from './types.js';

/** The keys processes (and mappings) can be sorted by. */
export const SORT_KEYS = ['uss', 'pss', 'rss', 'shared', 'dirty', 'swap', 'pid', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The counter a size sort key reads; NaN (unknown) sorts after every known value. */
export function counterFor(key: SortKey, c: Counters): number {
  switch (key) {
    case 'uss':
      return c.ussBytes;
    case 'pss':
      return pssBytes(c);
    case 'rss':
      return c.rssBytes;
    case 'shared':
      return c.sharedBytes;
    case 'dirty':
      return c.privateDirtyBytes;
    case 'swap':
      return c.swapBytes;
    default:
      return Number.NaN;
  }
}

/**
 * Sorts a copy of the processes: sizes largest first, pid and name ascending; `reverse` flips
 * that. Unknown values (restricted processes) always go last; ties break by pid.
 */
export function sortProcesses(
  processes: readonly ProcessSample[],
  key: SortKey,
  reverse = false,
): ProcessSample[] {
  const sign = reverse ? -1 : 1;
  const byPid = (a: ProcessSample, b: ProcessSample) => a.pid - b.pid;
  return [...processes].sort((a, b) => {
    if (key === 'pid') return sign * byPid(a, b);
    if (key === 'name') return sign * a.comm.localeCompare(b.comm) || byPid(a, b);
    const va = counterFor(key, a.totals);
    const vb = counterFor(key, b.totals);
    const na = Number.isNaN(va);
    const nb = Number.isNaN(vb);
    if (na || nb) return na === nb ? byPid(a, b) : na ? 1 : -1;
    return sign * (vb - va) || byPid(a, b);
  });
}
