/**
 * Groups of processes: per container, service, program, user or process family, what the
 * members hold together and what they hold alone.
 *
 * - group-exclusive memory ("held alone"): the resident pages whose every page-table mapping is
 *   inside the group: a page is the group's alone when the group's own page-table entries of
 *   it (its rows across every member's PageTable) add up to its map count (kpagecount).
 *   Stopping the group frees the anonymous part; clean page cache and shmem files may stay.
 * - shared with other groups: the group's resident pages that are not its alone, and, for each
 *   other group mapping some of them, how many distinct pages.
 */
import type { Counters } from './types.js';

/** How processes are grouped (`--group`). */
export const GROUP_KINDS = ['cgroup', 'program', 'user', 'tree'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

/** A process's cgroup, as /proc/PID/cgroup names it (paths from the hierarchy's root). */
export interface ProcessCgroup {
  /** The v1 memory controller's path, where the memory controller is mounted on v1. */
  v1Memory?: string;
  /** The cgroup2 path (the `0::` line). */
  v2?: string;
}

/** What grouping needs of a process beyond the snapshot, read right after its pages. */
export interface ProcessFacts {
  /** The executable's base name (readlink /proc/PID/exe, " (deleted)" dropped). */
  exe?: string;
  cgroup?: ProcessCgroup;
}

/** A cgroup's memory pressure (PSI), /sys/fs/cgroup/…/memory.pressure. */
export interface CgroupPressure {
  someAvg10: number;
  someAvg60: number;
  someAvg300: number;
  someTotalUs: number;
  fullAvg10?: number;
  fullAvg60?: number;
  fullAvg300?: number;
  fullTotalUs?: number;
}

/**
 * The kernel's own view of a cgroup's memory (what it charges), in bytes. Charges include the
 * cgroup's descendants (v2 always; v1 with use_hierarchy, the only mode of current kernels;
 * the v1 memory.stat figures are its hierarchical total_* lines). Absent fields were not read:
 * the file is not there (no swap accounting, no PSI) on this kernel.
 */
export interface CgroupCounters {
  /** Which hierarchy the figures come from. */
  version: 1 | 2;
  /** The path they were read at, in that hierarchy. */
  path: string;
  /** v2 memory.current, v1 memory.usage_in_bytes. */
  usageBytes: number;
  /** v2 memory.max, v1 memory.limit_in_bytes; null when unlimited ("max"). */
  limitBytes: number | null;
  /** v2 memory.swap.current; v1 memory.memsw.usage_in_bytes − memory.usage_in_bytes. */
  swapBytes?: number;
  /** v1 memory.memsw.usage_in_bytes (memory + swap). */
  memswBytes?: number;
  /** v2 memory.events `oom`; v1 memory.oom_control has no such count. */
  oomEvents?: number;
  /** v2 memory.events `oom_kill`, v1 memory.oom_control `oom_kill`. */
  oomKills?: number;
  /** v1 memory.oom_control `under_oom`. */
  isUnderOom?: boolean;
  /** memory.pressure (of the v2 cgroup, also on hybrid hosts). */
  pressure?: CgroupPressure;
  /** From memory.stat (v1: total_rss, total_cache, total_mapped_file, total_shmem). */
  anonBytes?: number;
  fileBytes?: number;
  fileMappedBytes?: number;
  shmemBytes?: number;
  /** v2 `kernel`; v1 memory.kmem.usage_in_bytes. */
  kernelBytes?: number;
  slabBytes?: number;
  kernelStackBytes?: number;
  pageTablesBytes?: number;
}

/** The group-exclusive memory of a group, in bytes (see the top of this file). */
export interface ExclusiveCounters {
  /** Every resident page the group alone maps: anon + file + shmem = clean + dirty. */
  rssBytes: number;
  anonBytes: number;
  fileBytes: number;
  shmemBytes: number;
  cleanBytes: number;
  dirtyBytes: number;
}

/** Another group (or processes not listed) sharing pages with a group. */
export interface GroupShare {
  /** The other group's key; null: mappings outside every process read with its pages. */
  key: string | null;
  /** Distinct pages of this group that the other maps too, in bytes. */
  sharedBytes: number;
}

/** What a container runtime or systemd calls the cgroup, where its path has a known shape. */
export interface CgroupName {
  runtime?: 'docker' | 'containerd' | 'podman';
  /** The container id shortened to 12 hex digits, as htop and docker ps show it. */
  containerId?: string;
  /** The kubernetes pod uid, for kubepods paths. */
  podUid?: string;
  /** The systemd unit (`*.service`, `*.scope`) the cgroup is, or is inside. */
  unit?: string;
}

/** Pages charged to one cgroup and mapped by another (from /proc/kpagecgroup), in bytes. */
export interface GroupCharge {
  /** Resident pages the group maps that another cgroup is charged for. */
  mappedChargedElsewhereBytes: number;
  /** Pages the group's cgroup is charged for that only processes of other groups map. */
  chargedMappedByOthersBytes: number;
}

export interface Group {
  kind: GroupKind;
  /** cgroup: its path; program: the base name; user: the user name; tree: the root's pid. */
  key: string;
  /** What to show for it: the key, or for tree the root's comm. */
  label: string;
  /** Pids of the members, ascending. */
  pids: number[];
  /**
   * Σ of the members' counters; a counter unknown for a member (NaN: restricted) is summed
   * over the others, and `unknownProcesses` says how many it left out (the PSS's count).
   */
  counters: Counters;
  /** Members whose PSS is unknown (restricted, or not read in this sample). */
  unknownProcesses: number;
  /** Null when unknown: no map counts (not root) or a member's pages were not read. */
  exclusive: ExclusiveCounters | null;
  /** Resident bytes shared with other groups (RSS of distinct pages not held alone); null as exclusive. */
  sharedOutBytes: number | null;
  /** The groups sharing most with this one, most first; empty when exclusive is null. */
  sharesWith: GroupShare[];
  /** cgroup grouping: the names found in the path. */
  name?: CgroupName;
  /** cgroup grouping: the nearest listed group whose cgroup contains this one (the tree). */
  parentKey?: string;
  /** cgroup grouping on a hybrid host: the v2 path beside the v1 memory path of the key. */
  v2Path?: string;
  /** cgroup grouping, with /proc/kpagecgroup read: pages charged across groups; null unknown. */
  charge?: GroupCharge | null;
  /** cgroup grouping: the kernel's counters, when read in this sample. */
  cgroup?: CgroupCounters;
}
