/**
 * Whom one process shares the most with, as a whole and mapping by mapping: what the TUI's
 * "shares the most with" view and the mapping view's SHARED WITH column show.
 */
import { groupMappings } from './group.js';
import { sharesMostWith, type ShareTally, type SharerIndex } from './sharers.js';

export interface SharingReport {
  pid: number;
  startTime: number;
  /** Time of the snapshot the index was built over (ms since the epoch). */
  timeMs: number;
  /** Every process sharing pages with this one, largest first. */
  sharesWith: ShareTally[];
  /**
   * By mapping start address: the processes sharing the most of its pages, largest first (empty
   * when it shares nothing; a mapping not in the sample has no entry).
   */
  byMapping: Map<number, ShareTally[]>;
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
  const all = new Map<number, ShareTally[]>();
  for (const m of p.mappings) {
    const shares = m.counters.sharedBytes > 0;
    all.set(
      m.start,
      shares ? sharesMostWith(index, subject, pageSize, m.pageBegin, m.pageEnd) : [],
    );
  }
  const byMapping = new Map<number, ShareTally[]>();
  for (const [start, list] of all) byMapping.set(start, list.slice(0, perMapping));
  const byGroup = new Map<string, ShareTally[]>();
  for (const g of groupMappings(p.mappings)) {
    if (g.mappings.length < 2) continue;
    const merged = mergeShareTallies(g.mappings.map((m) => all.get(m.start) ?? []));
    byGroup.set(g.key, merged.slice(0, perMapping));
  }
  return {
    pid,
    startTime: p.startTime,
    timeMs,
    // The mappings' rows are disjoint, so their tallies add up to the whole process's.
    sharesWith: mergeShareTallies([...all.values()]),
    byMapping,
    byGroup,
  };
}

/** Several tallies of the same processes (a file's mappings) as one, largest first. */
export function mergeShareTallies(lists: readonly (readonly ShareTally[])[]): ShareTally[] {
  const byProcess = new Map<string, ShareTally>();
  for (const list of lists) {
    for (const t of list) {
      const key = `${t.pid}:${t.startTime}`;
      const seen = byProcess.get(key);
      if (seen) {
        seen.sharedBytes += t.sharedBytes;
        seen.mappings += t.mappings;
      } else byProcess.set(key, { ...t });
    }
  }
  return [...byProcess.values()].sort((a, b) => b.sharedBytes - a.sharedBytes || a.pid - b.pid);
}
