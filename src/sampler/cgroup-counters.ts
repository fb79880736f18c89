/**
 * One cgroup's memory counters, read from its directory: v2 memory.{current,max,stat,events,
 * swap.current,pressure}, v1 memory.{usage_in_bytes,limit_in_bytes,stat,oom_control,
 * memsw.usage_in_bytes,kmem.usage_in_bytes} (and the v2 cgroup's memory.pressure beside it).
 */
import { realpathSync, statSync } from 'node:fs';
import type { CgroupCounters, ProcessCgroup } from '../model/group-types.js';
import {
  parseBytesOrMax,
  parseFlatKeyed,
  parsePressure,
  type CgroupMount,
  type CgroupMounts,
} from './parse-cgroup.js';
import { ProcessReadFailure, readProcText, type ReadLimit } from './proc-files.js';

/** memory.stat holds ~60 lines (v1 twice that); every other file one or a few. */
const CGROUP_FILE_LIMIT: ReadLimit = { bytes: 64 * 1024 };

/** Why a cgroup's figures were dropped. */
export interface Dropped {
  dropped: string;
}

/** A file of a cgroup that vanished or failed while read: the cgroup's figures are dropped. */
class CgroupGone extends Error {}

/** The directory of a cgroup path in a mount; undefined when the mount does not show it. */
export function cgroupDir(
  mount: CgroupMount,
  path: string,
  confineTo: string | undefined,
): string | undefined {
  const root = mount.root === '/' ? '' : mount.root;
  if (path !== root && !path.startsWith(`${root}/`)) return undefined;
  const rel = path.slice(root.length);
  // The kernel prints no "." or ".." components; a tree that does is not read.
  if (rel.split('/').some((c) => c === '.' || c === '..')) return undefined;
  const dir = `${mount.mountPoint}${rel}`;
  if (confineTo === undefined) return dir;
  try {
    const real = realpathSync.native(dir);
    return real === confineTo || real.startsWith(`${confineTo}/`) ? real : undefined;
  } catch {
    return dir; // not there: its reads say so
  }
}

/** Reads one file of a cgroup; a required one that fails drops the cgroup. */
function readFile(dir: string, name: string, isRequired: boolean): string | undefined {
  try {
    return readProcText(`${dir}/${name}`, CGROUP_FILE_LIMIT);
  } catch (error) {
    if (!(error instanceof ProcessReadFailure)) throw error;
    // An optional file not there is a kernel without it (no swap accounting, no PSI); any
    // other failure is the cgroup being removed while read (ENODEV on an open file).
    if (!isRequired && error.failure === 'vanished') return undefined;
    const why =
      error.failure === 'vanished' ? `${name} is gone` : (error.detail ?? `${name} is unreadable`);
    throw new CgroupGone(why);
  }
}

function bytesOf(dir: string, name: string, isRequired: boolean): number | null | undefined {
  const text = readFile(dir, name, isRequired);
  if (text === undefined) return undefined;
  const value = parseBytesOrMax(text);
  if (value === undefined) throw new CgroupGone(`${name} holds no byte count`);
  return value;
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new CgroupGone('a required file is missing');
  return value;
}

/** Copies memory.stat fields into the counters, where present. */
function copyStat(
  into: CgroupCounters,
  stat: Map<string, number>,
  fields: readonly (readonly [keyof CgroupCounters, ...string[]])[],
): void {
  for (const [field, ...names] of fields) {
    const name = names.find((n) => stat.has(n));
    if (name !== undefined) (into as unknown as Record<string, number>)[field] = stat.get(name)!;
  }
}

function readV2(dir: string, path: string): CgroupCounters {
  const counters: CgroupCounters = {
    version: 2,
    path,
    usageBytes: required(bytesOf(dir, 'memory.current', true)) ?? 0,
    limitBytes: required(bytesOf(dir, 'memory.max', true)),
  };
  const stat = parseFlatKeyed(readFile(dir, 'memory.stat', true)!);
  copyStat(counters, stat, [
    ['anonBytes', 'anon'],
    ['fileBytes', 'file'],
    ['fileMappedBytes', 'file_mapped'],
    ['shmemBytes', 'shmem'],
    ['kernelBytes', 'kernel'],
    ['slabBytes', 'slab'],
    ['kernelStackBytes', 'kernel_stack'],
    ['pageTablesBytes', 'pagetables'],
  ]);
  const events = parseFlatKeyed(readFile(dir, 'memory.events', true)!);
  if (events.has('oom')) counters.oomEvents = events.get('oom')!;
  if (events.has('oom_kill')) counters.oomKills = events.get('oom_kill')!;
  const swap = bytesOf(dir, 'memory.swap.current', false);
  if (typeof swap === 'number') counters.swapBytes = swap;
  return counters;
}

function readV1(dir: string, path: string): CgroupCounters {
  const usage = required(bytesOf(dir, 'memory.usage_in_bytes', true));
  const counters: CgroupCounters = {
    version: 1,
    path,
    usageBytes: usage ?? 0,
    limitBytes: required(bytesOf(dir, 'memory.limit_in_bytes', true)),
  };
  // The hierarchical total_* lines count what usage_in_bytes counts (the subtree).
  const stat = parseFlatKeyed(readFile(dir, 'memory.stat', true)!);
  copyStat(counters, stat, [
    ['anonBytes', 'total_rss', 'rss'],
    ['fileBytes', 'total_cache', 'cache'],
    ['fileMappedBytes', 'total_mapped_file', 'mapped_file'],
    ['shmemBytes', 'total_shmem', 'shmem'],
  ]);
  const oom = parseFlatKeyed(readFile(dir, 'memory.oom_control', true)!);
  if (oom.has('oom_kill')) counters.oomKills = oom.get('oom_kill')!;
  if (oom.has('under_oom')) counters.isUnderOom = oom.get('under_oom') !== 0;
  const memsw = bytesOf(dir, 'memory.memsw.usage_in_bytes', false);
  if (typeof memsw === 'number') {
    counters.memswBytes = memsw;
    counters.swapBytes = Math.max(0, memsw - counters.usageBytes);
  }
  const kmem = bytesOf(dir, 'memory.kmem.usage_in_bytes', false);
  if (typeof kmem === 'number') counters.kernelBytes = kmem;
  return counters;
}

/**
 * The counters of a process's cgroup: from the v1 memory hierarchy where the process has a
 * path there, else from cgroup2; undefined when no mount shows the cgroup.
 */
export function readCgroupCounters(
  mounts: CgroupMounts,
  cgroup: ProcessCgroup,
  confineTo: string | undefined,
): CgroupCounters | Dropped | undefined {
  const v1 = cgroup.v1Memory;
  const v2Dir =
    mounts.v2 && cgroup.v2 !== undefined ? cgroupDir(mounts.v2, cgroup.v2, confineTo) : undefined;
  try {
    let counters: CgroupCounters;
    if (v1 !== undefined) {
      const dir = mounts.v1Memory && cgroupDir(mounts.v1Memory, v1, confineTo);
      if (dir === undefined) return undefined;
      counters = readV1(dir, v1);
    } else {
      if (v2Dir === undefined) return undefined;
      counters = readV2(v2Dir, cgroup.v2!);
    }
    // PSI is cgroup2's, also where the memory controller is on v1.
    const pressure = v2Dir && readFile(v2Dir, 'memory.pressure', false);
    const parsed = pressure ? parsePressure(pressure) : undefined;
    if (parsed) counters.pressure = parsed;
    return counters;
  } catch (error) {
    if (error instanceof CgroupGone) return { dropped: error.message };
    throw error;
  }
}

/** The inode of the cgroup whose counters readCgroupCounters reads (what kpagecgroup names). */
export function cgroupInode(
  mounts: CgroupMounts,
  cgroup: ProcessCgroup,
  confineTo: string | undefined,
): number | undefined {
  const dir =
    cgroup.v1Memory !== undefined
      ? mounts.v1Memory && cgroupDir(mounts.v1Memory, cgroup.v1Memory, confineTo)
      : mounts.v2 && cgroup.v2 !== undefined && cgroupDir(mounts.v2, cgroup.v2, confineTo);
  if (!dir) return undefined;
  try {
    return statSync(dir).ino;
  } catch {
    return undefined; // removed meanwhile
  }
}
