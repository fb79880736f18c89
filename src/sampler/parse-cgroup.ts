/** Parsers of the cgroup files memtop reads: pure text → data. */
import type { CgroupPressure, ProcessCgroup } from '../model/group-types.js';

/** A cgroup hierarchy mounted: where, and which part of the hierarchy the mount shows. */
export interface CgroupMount {
  /** Where it is mounted. */
  mountPoint: string;
  /** The hierarchy's path at the mount point ("/" unless a bind mount or a namespace). */
  root: string;
}

/** The hierarchies memtop reads: the v1 one holding the memory controller, and cgroup2. */
export interface CgroupMounts {
  v1Memory?: CgroupMount;
  v2?: CgroupMount;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * The cgroup mounts in /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] -
 * FSTYPE SOURCE SUPEROPTS". The first mount of each kind wins (later ones are bind mounts).
 */
export function parseCgroupMounts(text: string): CgroupMounts {
  const mounts: CgroupMounts = {};
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    const fsType = fields[dash + 1];
    const mount = {
      root: unescapeMountinfo(fields[3]!),
      mountPoint: unescapeMountinfo(fields[4]!),
    };
    if (fsType === 'cgroup2') mounts.v2 ??= mount;
    else if (fsType === 'cgroup' && fields[dash + 3]!.split(',').includes('memory')) {
      mounts.v1Memory ??= mount;
    }
  }
  return mounts;
}

/** /proc/PID/cgroup: "ID:CONTROLLERS:PATH" lines; `0::PATH` is cgroup2's. */
export function parseProcCgroup(text: string): ProcessCgroup {
  const out: ProcessCgroup = {};
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const id = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (!path.startsWith('/')) continue;
    if (id === '0' && controllers === '') out.v2 = path;
    else if (controllers.split(',').includes('memory')) out.v1Memory = path;
  }
  return out;
}

/** "key value" lines (memory.stat, memory.events, memory.oom_control) as numbers. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value, extra] = line.trim().split(/\s+/);
    if (key === undefined || value === undefined || extra !== undefined) continue;
    const n = Number(value);
    if (/^\d+$/.test(value) && Number.isSafeInteger(n)) out.set(key, n);
  }
  return out;
}

/**
 * Above this a v1 limit is no limit: "unlimited" is PAGE_COUNTER_MAX pages (LONG_MAX rounded
 * down to a page), 9223372036854771712 with 4 KiB pages; no machine has 2^62 bytes.
 */
const UNLIMITED_FROM = 2 ** 62;

/** A byte count file: one number, or "max" (v2: no limit) → null. Undefined when malformed. */
export function parseBytesOrMax(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === 'max') return null;
  if (!/^\d+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return n >= UNLIMITED_FROM ? null : n;
}

/** memory.pressure: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and a "full" line. */
export function parsePressure(text: string): CgroupPressure | undefined {
  const lines = new Map<string, Record<string, number>>();
  for (const line of text.split('\n')) {
    const [kind, ...pairs] = line.trim().split(/\s+/);
    if (kind !== 'some' && kind !== 'full') continue;
    const values: Record<string, number> = {};
    for (const pair of pairs) {
      const [k, v] = pair.split('=');
      const n = Number(v);
      if (k && v !== undefined && v !== '' && Number.isFinite(n)) values[k] = n;
    }
    lines.set(kind, values);
  }
  const some = lines.get('some');
  if (!some || [some.avg10, some.avg60, some.avg300, some.total].includes(undefined)) {
    return undefined;
  }
  const pressure: CgroupPressure = {
    someAvg10: some.avg10!,
    someAvg60: some.avg60!,
    someAvg300: some.avg300!,
    someTotalUs: some.total!,
  };
  const full = lines.get('full');
  if (full && ![full.avg10, full.avg60, full.avg300, full.total].includes(undefined)) {
    pressure.fullAvg10 = full.avg10!;
    pressure.fullAvg60 = full.avg60!;
    pressure.fullAvg300 = full.avg300!;
    pressure.fullTotalUs = full.total!;
  }
  return pressure;
}
