/**
 * Groups of a snapshot's processes by cgroup, program, user or process family, with their
 * summed counters, what each holds alone, and the kernel's view of each cgroup.
 */
import { emptyCounters, pssBytes } from './counters.js';
import { COUNTER_KEYS } from './counters.js';
import { parseCgroupName } from './cgroup-names.js';
import { computeExclusive } from './group-exclusive.js';
import type { CgroupCounters, Group, GroupKind, ProcessFacts } from './group-types.js';
import type { Counters, ProcessSample, Snapshot } from './types.js';

export interface GroupInput {
  snapshot: Snapshot;
  /** What the sampler read of each listed process for grouping (by pid). */
  facts: ReadonlyMap<number, ProcessFacts>;
  /** The kernel's counters of each cgroup read, by group key (cgroup grouping). */
  cgroups?: ReadonlyMap<string, CgroupCounters>;
  /** cgroup grouping: the memory cgroup inode each PFN is charged to (/proc/kpagecgroup). */
  pageCgroup?: ReadonlyMap<number, number>;
  /** cgroup grouping: the inode of each cgroup read, by group key. */
  cgroupInodes?: ReadonlyMap<string, number>;
}

/** The key of a process whose cgroup, user or program could not be read. */
export const UNKNOWN_KEY = '?';

/** Shells: a process a shell started heads a family of its own (tree grouping). */
const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'fish', 'ksh', 'mksh', 'tcsh', 'csh', 'ash']);

/** The cgroup key of a process: the v1 memory path where memory is on v1, the v2 path otherwise. */
export function cgroupKey(facts: ProcessFacts | undefined): string {
  return facts?.cgroup?.v1Memory ?? facts?.cgroup?.v2 ?? UNKNOWN_KEY;
}

/**
 * Each process's family root (tree grouping): walking up from the process, the first process
 * whose parent is pid 0, init (1), kthreadd (2), a shell, or not listed. So a daemon with its
 * workers is one family, each command a shell started is one, and a shell belongs to the
 * family that started it (sshd's, a terminal's).
 */
export function computeFamilyRoots(processes: readonly ProcessSample[]): Map<number, number> {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const roots = new Map<number, number>();
  const isRoot = (p: ProcessSample): boolean => {
    const parent = p.ppid === null ? undefined : byPid.get(p.ppid);
    return p.ppid === null || p.ppid <= 2 || !parent || SHELLS.has(parent.comm);
  };
  for (const p of processes) {
    const path: number[] = [];
    let at = p;
    // A loop of ppids (pids reused while read) stops at the first repeat.
    while (!roots.has(at.pid) && !isRoot(at) && !path.includes(at.pid)) {
      path.push(at.pid);
      at = byPid.get(at.ppid!)!;
    }
    const root = roots.get(at.pid) ?? at.pid;
    roots.set(at.pid, root);
    for (const pid of path) roots.set(pid, root);
  }
  return roots;
}

/** The base name of the executable, " (deleted)" dropped; comm where it could not be read. */
function programOf(p: ProcessSample, facts: ProcessFacts | undefined): string {
  return facts?.exe || p.comm;
}

/** Σ of the members' counters, each over the members where it is known. */
function sumKnown(members: readonly ProcessSample[]): { counters: Counters; unknown: number } {
  const sum = emptyCounters();
  let unknown = 0;
  for (const p of members) {
    if (Number.isNaN(p.totals.pssFixed)) unknown++;
    for (const key of COUNTER_KEYS) {
      const v = p.totals[key];
      if (!Number.isNaN(v)) sum[key] += v;
    }
  }
  return { counters: sum, unknown };
}

/** Groups the snapshot's processes; groups come largest Σ PSS first (then by key). */
export function computeGroups(kind: GroupKind, input: GroupInput): Group[] {
  const { snapshot, facts } = input;
  const processes = snapshot.processes;
  const roots = kind === 'tree' ? computeFamilyRoots(processes) : undefined;
  const keyOf = (p: ProcessSample): string => {
    const f = facts.get(p.pid);
    if (kind === 'cgroup') return cgroupKey(f);
    if (kind === 'program') return programOf(p, f);
    if (kind === 'user') return p.uid === null ? UNKNOWN_KEY : p.user;
    return String(roots!.get(p.pid) ?? p.pid);
  };
  const indexOf = new Map<string, number>();
  const members: ProcessSample[][] = [];
  const groupOf = new Int32Array(processes.length);
  processes.forEach((p, i) => {
    const key = keyOf(p);
    let g = indexOf.get(key);
    if (g === undefined) {
      g = members.length;
      indexOf.set(key, g);
      members.push([]);
    }
    members[g]!.push(p);
    groupOf[i] = g;
  });
  const keys = [...indexOf.keys()];
  const pages = computeExclusive({
    processes,
    groupOf,
    keys,
    pageSize: snapshot.pageSize,
    hasMapCounts: snapshot.privileged,
    ...(kind === 'cgroup' && input.pageCgroup
      ? {
          charges: {
            pageCgroup: input.pageCgroup,
            groupInode: keys.map((key) => input.cgroupInodes?.get(key)),
          },
        }
      : {}),
  });
  const groups = keys.map((key, g): Group => {
    const list = members[g]!;
    const { counters, unknown } = sumKnown(list);
    const group: Group = {
      kind,
      key,
      label: labelOf(kind, key, processes),
      pids: list.map((p) => p.pid).sort((a, b) => a - b),
      counters,
      unknownProcesses: unknown,
      exclusive: pages.exclusive[g]!,
      sharedOutBytes: pages.sharedOutBytes[g]!,
      sharesWith: pages.sharesWith[g]!,
    };
    if (pages.charges) group.charge = pages.charges[g]!;
    if (kind === 'cgroup' && key !== UNKNOWN_KEY) addCgroup(group, list, facts, input.cgroups);
    return group;
  });
  if (kind === 'cgroup') addParents(groups);
  return groups.sort(
    (a, b) => pssBytes(b.counters) - pssBytes(a.counters) || (a.key < b.key ? -1 : 1),
  );
}

function labelOf(kind: GroupKind, key: string, processes: readonly ProcessSample[]): string {
  if (kind !== 'tree') return key;
  const pid = Number(key);
  return processes.find((p) => p.pid === pid)?.comm ?? key;
}

function addCgroup(
  group: Group,
  list: readonly ProcessSample[],
  facts: ReadonlyMap<number, ProcessFacts>,
  cgroups: ReadonlyMap<string, CgroupCounters> | undefined,
): void {
  const name = parseCgroupName(group.key);
  if (Object.keys(name).length > 0) group.name = name;
  const v1 = facts.get(list[0]!.pid)?.cgroup;
  if (v1?.v1Memory !== undefined && v1.v2 !== undefined) group.v2Path = v1.v2;
  const counters = cgroups?.get(group.key);
  if (counters) group.cgroup = counters;
}

/** Each cgroup group's nearest ancestor among the groups, so that they can be shown as a tree. */
function addParents(groups: Group[]): void {
  const keys = new Set(groups.map((g) => g.key));
  for (const g of groups) {
    if (g.key === UNKNOWN_KEY) continue;
    for (let at = g.key.lastIndexOf('/'); at >= 0; at = g.key.lastIndexOf('/', at - 1)) {
      const parent = at === 0 ? '/' : g.key.slice(0, at);
      if (parent !== g.key && keys.has(parent)) {
        g.parentKey = parent;
        break;
      }
      if (at === 0) break;
    }
  }
}
