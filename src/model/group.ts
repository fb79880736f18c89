import { sumCounters } from './counters.js';
import type { Counters, Mapping } from './types.js';

/** All mappings of one file (or one named region) as one row; an anonymous mapping stands alone. */
export interface MappingGroup {
  /** The path for a file or named region, `@<start>` for an anonymous mapping. */
  key: string;
  path: string;
  /** In address order. */
  mappings: Mapping[];
  counters: Counters;
  start: number;
  end: number;
  /** Σ of the mappings' sizes (the address span may have holes). */
  sizeBytes: number;
}

/** Groups mappings by path, in the order of each group's lowest address. */
export function groupMappings(mappings: readonly Mapping[]): MappingGroup[] {
  const byKey = new Map<string, Mapping[]>();
  const ordered = [...mappings].sort((a, b) => a.start - b.start);
  for (const m of ordered) {
    const key = m.path === '' ? `@${m.start}` : m.path;
    const list = byKey.get(key);
    if (list) list.push(m);
    else byKey.set(key, [m]);
  }
  return [...byKey].map(([key, list]) => ({
    key,
    path: list[0]!.path,
    mappings: list,
    counters: sumCounters(list.map((m) => m.counters)),
    start: list[0]!.start,
    end: Math.max(...list.map((m) => m.end)),
    sizeBytes: list.reduce((sum, m) => sum + (m.end - m.start), 0),
  }));
}
