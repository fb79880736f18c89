/**
 * Shared libraries, and every other mapped file, across all processes: "how well pages are
 * being shared, or not, in shared libraries". A file is identified by device and inode; its
 * mappings include the copy-on-write'd pages of private mappings (.data, relocations), which
 * are anonymous memory held privately by one process.
 */
import { addCounters, emptyCounters, pssBytes } from './counters.js';
import type { Counters, ProcessSample } from './types.js';

export interface LibraryUser {
  pid: number;
  startTime: number;
  comm: string;
  counters: Counters;
}

export interface Library {
  /** dev:inode */
  key: string;
  path: string;
  counters: Counters;
  users: LibraryUser[];
}

/** Is this mapping backed by a file (not anonymous, not a special [name] mapping)? */
function fileKey(m: { path: string; inode: number; dev: string }): string | undefined {
  return m.inode !== 0 && m.path.startsWith('/') ? `${m.dev}:${m.inode}` : undefined;
}

/** One row per mapped file, from processes sampled with mappings; largest Σ RSS first. */
export function computeLibraries(processes: readonly ProcessSample[]): Library[] {
  const libs = new Map<string, Library>();
  for (const p of processes) {
    if (!p.mappings || p.access === 'restricted') continue;
    const mine = new Map<string, Counters>();
    for (const m of p.mappings) {
      const key = fileKey(m);
      if (!key) continue;
      let lib = libs.get(key);
      if (!lib) {
        lib = { key, path: m.path, counters: emptyCounters(), users: [] };
        libs.set(key, lib);
      }
      addCounters(lib.counters, m.counters);
      addCounters(mine.get(key) ?? mine.set(key, emptyCounters()).get(key)!, m.counters);
    }
    for (const [key, counters] of mine) {
      libs.get(key)!.users.push({ pid: p.pid, startTime: p.startTime, comm: p.comm, counters });
    }
  }
  const out = [...libs.values()];
  for (const lib of out)
    lib.users.sort((a, b) => b.counters.ussBytes - a.counters.ussBytes || a.pid - b.pid);
  return out.sort(
    (a, b) => b.counters.rssBytes - a.counters.rssBytes || a.path.localeCompare(b.path),
  );
}

/** Σ RSS / Σ PSS: how many processes each resident page serves on average (1 = no sharing). */
export function sharingRatio(c: Counters): number {
  const pss = pssBytes(c);
  return pss > 0 ? c.rssBytes / pss : Number.NaN;
}
