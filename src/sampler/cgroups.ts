/**
 * What grouping reads besides a sample: each process's cgroup and executable, and each
 * cgroup's memory counters as the kernel charges them. A cgroup removed while read (cgroups
 * come and go) loses its figures for the sample, with a notice; the sample stands.
 */
import { existsSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { CgroupCounters, ProcessFacts } from '../model/group-types.js';
import { cgroupKey } from '../model/groups.js';
import { cgroupInode, readCgroupCounters } from './cgroup-counters.js';
import { readPageCgroups } from './page-cgroups.js';
import { parseCgroupMounts, parseProcCgroup, type CgroupMounts } from './parse-cgroup.js';
import { ProcessReadFailure, SYSTEM_LIMIT, readProcText, type ReadLimit } from './proc-files.js';
import { checkProcessDir, openProcRoot, systemPath, type ProcRoot } from './proc-root.js';

/** /proc/PID/cgroup: a line per hierarchy (about 14), each path at most PATH_MAX. */
const PROC_CGROUP_LIMIT: ReadLimit = { bytes: 256 * 1024 };

/** What one reading of the groups' sources found. */
export interface GroupFacts {
  facts: Map<number, ProcessFacts>;
  /** By group key (cgroupKey): the cgroups read whole. */
  cgroups: Map<string, CgroupCounters>;
  /** By group key: the inode of each cgroup read (what /proc/kpagecgroup names). */
  cgroupInodes: Map<string, number>;
  notices: string[];
}

/**
 * The cgroup hierarchies to read. With `cgroupRoot` (fixture trees): DIR/memory is the v1
 * memory hierarchy where it exists; DIR/unified, else DIR itself where it holds
 * cgroup.controllers, is cgroup2. Otherwise the mounts in the live /proc/self/mountinfo; a
 * fixture proc tree without a cgroup root has none (it reads nothing outside itself).
 */
export function findCgroupMounts(root: ProcRoot, cgroupRoot: string | undefined): CgroupMounts {
  if (cgroupRoot !== undefined) {
    const dir = checkedDir(cgroupRoot.replace(/(.)\/+$/, '$1'));
    const mounts: CgroupMounts = {};
    if (existsSync(`${dir}/memory`)) mounts.v1Memory = { mountPoint: `${dir}/memory`, root: '/' };
    if (existsSync(`${dir}/unified`)) mounts.v2 = { mountPoint: `${dir}/unified`, root: '/' };
    else if (existsSync(`${dir}/cgroup.controllers`)) mounts.v2 = { mountPoint: dir, root: '/' };
    return mounts;
  }
  if (root.realPath !== undefined) return {};
  try {
    return parseCgroupMounts(readProcText(systemPath(root, 'self/mountinfo'), SYSTEM_LIMIT));
  } catch {
    return {};
  }
}

function checkedDir(path: string): string {
  try {
    if (statSync(path).isDirectory()) return realpathSync.native(path);
  } catch {
    // said below
  }
  throw new UsageError(`--cgroup-root expects a directory memtop can read; got "${path}"`);
}

/** Reads the cgroup and executable of processes, and the counters of their cgroups. */
export class GroupSource {
  private constructor(
    private readonly root: ProcRoot,
    readonly mounts: CgroupMounts,
    /** Fixture cgroup trees are confined: no path read may lead out of them. */
    private readonly confineTo: string | undefined,
  ) {}

  static open(procRoot: string, cgroupRoot?: string): GroupSource {
    const root = openProcRoot(procRoot);
    const mounts = findCgroupMounts(root, cgroupRoot);
    const confine = cgroupRoot === undefined ? undefined : checkedDir(cgroupRoot);
    return new GroupSource(root, mounts, confine);
  }

  /**
   * Each process's facts, read now (right after the sample: a process that moved meanwhile
   * is grouped where it is now), then, with `counters`, each cgroup's counters once.
   */
  read(pids: readonly number[], counters: boolean): GroupFacts {
    const facts = new Map<number, ProcessFacts>();
    for (const pid of pids) {
      const f = this.readProcess(pid);
      if (f) facts.set(pid, f);
    }
    const cgroups = new Map<string, CgroupCounters>();
    const cgroupInodes = new Map<string, number>();
    const notices: string[] = [];
    if (!counters) return { facts, cgroups, cgroupInodes, notices };
    const seen = new Set<string>();
    for (const f of facts.values()) {
      const key = cgroupKey(f);
      if (seen.has(key) || !f.cgroup) continue;
      seen.add(key);
      const inode = cgroupInode(this.mounts, f.cgroup, this.confineTo);
      if (inode !== undefined) cgroupInodes.set(key, inode);
      const read = readCgroupCounters(this.mounts, f.cgroup, this.confineTo);
      if (read === undefined) continue;
      if ('dropped' in read) notices.push(`cgroup ${key}: no figures this sample: ${read.dropped}`);
      else cgroups.set(key, read);
    }
    return { facts, cgroups, cgroupInodes, notices };
  }

  /** The memory cgroup each of these PFNs is charged to; undefined where it cannot be read. */
  readPageCgroups(pfns: readonly number[]): Map<number, number> | undefined {
    return readPageCgroups(this.root, pfns);
  }

  /** A process's exe and cgroup; undefined when it is gone. */
  private readProcess(pid: number): ProcessFacts | undefined {
    const dir = `${this.root.path}/${pid}`;
    const facts: ProcessFacts = {};
    try {
      checkProcessDir(this.root, dir);
      const cgroup = parseProcCgroup(readProcText(`${dir}/cgroup`, PROC_CGROUP_LIMIT));
      const { v1Memory, v2 } = this.mounts;
      if (cgroup.v1Memory !== undefined && v1Memory === undefined && v2 !== undefined) {
        // The memory controller is not mounted on v1 here: its line names no hierarchy we read.
        delete cgroup.v1Memory;
      }
      facts.cgroup = cgroup;
    } catch (error) {
      if (error instanceof ProcessReadFailure && error.failure === 'vanished') return undefined;
      if (!(error instanceof ProcessReadFailure)) throw error;
    }
    const exe = readExe(`${dir}/exe`);
    if (exe !== undefined) facts.exe = exe;
    return facts;
  }
}

/** The executable's base name from /proc/PID/exe; undefined where it cannot be read. */
function readExe(path: string): string | undefined {
  let target: string;
  try {
    target = readlinkSync(path);
  } catch {
    return undefined; // kernel threads, another user's process, gone
  }
  const base = target.replace(/ \(deleted\)$/, '').replace(/.*\//, '');
  return base === '' ? undefined : base;
}
