/**
 * Whom one process shares the most with, as a whole and mapping by mapping: what the TUI's
 * "shares the most with" view and the mapping view's SHARED WITH column show.
 */
import { indexFileGroups } from './group.js';
import { sharesMostWith, type ShareTally, type SharerIndex } from './sharers.js';
import { processKey } from './delta.js';
import { indexOfSorted } from './search.js';

export interface SharingReport {
  pid: number;
  startTime: number;
  /** Time of the snapshot the index was built over (ms since the epoch). */
  timeMs: number;
  /** Every process sharing pages with this one, largest first. */
  sharesWith: ShareTally[];
  /**
   * By mapping start address, for the mappings that share pages: the processes sharing the most
   * of its pages, largest first (see mappingSharedWith for the others).
   */
  byMapping: Map<number, ShareTally[]>;
  /** The start addresses of all the process's mappings in the sample, ascending. */
  mappingStarts: Float64Array;
  /** By file group key (see groupMappings): the same over all mappings of one file. */
  byGroup: Map<string, ShareTally[]>;
}

/**
 * The report for process `pid` over an index built from a snapshot taken at `timeMs`;
 * undefined when that process has no pages in the index. `perMapping` caps each mapping's list.
 */
export function computeSharingReport(
  index: SharerIndex,
  timeMs: number,
  pid: number,
  pageSize: number,
  perMapping = 3,
): SharingReport | undefined {
  const subject = index.processes.findIndex((p) => p.pid === pid);
  const p = index.processes[subject];
  if (!p?.pages || !p.mappings || p.access !== 'pages') return undefined;
  // Only mappings that share pages get a list (a process may have 200,000 that do not).
  const all = new Map<number, ShareTally[]>();
  for (const m of p.mappings) {
    if (!(m.counters.sharedBytes > 0)) continue;
    const list = sharesMostWith(index, subject, pageSize, m.pageBegin, m.pageEnd);
    if (list.length > 0) all.set(m.start, list);
  }
  const byMapping = new Map<number, ShareTally[]>();
  for (const [start, list] of all) byMapping.set(start, list.slice(0, perMapping));
  const byGroup = new Map<string, ShareTally[]>();
  for (const g of indexFileGroups(p.mappings).groups) {
    const lists: ShareTally[][] = [];
    for (const i of g.members) {
      const list = all.get(p.mappings[i]!.start);
      if (list) lists.push(list);
    }
    byGroup.set(g.key, mergeShareTallies(lists).slice(0, perMapping));
  }
  return {
    pid,
    startTime: p.startTime,
    timeMs,
    // The mappings' rows are disjoint, so their tallies add up to the whole process's.
    sharesWith: mergeShareTallies([...all.values()]),
    byMapping,
    mappingStarts: Float64Array.from(p.mappings, (m) => m.start).sort(),
    byGroup,
  };
}

const NO_SHARERS: readonly ShareTally[] = Object.freeze([]);

/**
 * Whom one mapping (by start address) shares the most with: empty when it shares nothing,
 * undefined when the report's sample has no mapping there.
 */
export function mappingSharedWith(
  report: SharingReport,
  start: number,
): readonly ShareTally[] | undefined {
  const list = report.byMapping.get(start);
  if (list) return list;
  return indexOfSorted(report.mappingStarts, start) >= 0 ? NO_SHARERS : undefined;
}

/** Several tallies of the same processes (a file's mappings) as one, largest first. */
export function mergeShareTallies(lists: readonly (readonly ShareTally[])[]): ShareTally[] {
  const byProcess = new Map<string, ShareTally>();
  for (const list of lists) {
    for (const t of list) {
      const key = processKey(t);
      const seen = byProcess.get(key);
      if (seen) {
        seen.sharedBytes += t.sharedBytes;
        seen.mappings += t.mappings;
      } else byProcess.set(key, { ...t });
    }
  }
  return [...byProcess.values()].sort((a, b) => b.sharedBytes - a.sharedBytes || a.pid - b.pid);
}
