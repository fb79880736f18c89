import { addCounters, emptyCounters, sumCounters } from './counters.js';
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

/** A file with several mappings: the one kind of group that is more than its mapping. */
export interface FileGroup {
  /** The path (see MappingGroup.key). */
  key: string;
  path: string;
  /** Indexes of its mappings in the process's list, in address order. */
  members: Uint32Array;
  counters: Counters;
  start: number;
  end: number;
  sizeBytes: number;
}

/**
 * The file groups of a process's mappings without an object per mapping: the groups of
 * several mappings, and per mapping the index of its group, −1 for a mapping that stands alone
 * (anonymous memory, a file mapped once). Costs 4 bytes a mapping and one object a file.
 */
export interface FileGroupIndex {
  groupOf: Int32Array;
  groups: FileGroup[];
}

/** Indexes the file groups of mappings (in any order; members come out in address order). */
export function indexFileGroups(mappings: readonly Mapping[]): FileGroupIndex {
  const n = mappings.length;
  const byPath = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const path = mappings[i]!.path;
    if (path === '') continue;
    const list = byPath.get(path);
    if (list) list.push(i);
    else byPath.set(path, [i]);
  }
  const groupOf = new Int32Array(n).fill(-1);
  const groups: FileGroup[] = [];
  for (const [path, list] of byPath) {
    if (list.length < 2) continue;
    const members = Uint32Array.from(list).sort((a, b) => mappings[a]!.start - mappings[b]!.start);
    const counters = emptyCounters();
    let end = 0;
    let sizeBytes = 0;
    for (const i of members) {
      const m = mappings[i]!;
      addCounters(counters, m.counters);
      end = Math.max(end, m.end);
      sizeBytes += m.end - m.start;
      groupOf[i] = groups.length;
    }
    const start = mappings[members[0]!]!.start;
    groups.push({ key: path, path, members, counters, start, end, sizeBytes });
  }
  return { groupOf, groups };
}
