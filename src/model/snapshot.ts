import {
  COUNTER_SLOTS,
  addCounters,
  computeCounters,
  countersAt,
  emptyCounters,
  pssBytes,
} from './counters.js';
import { PSS_SHIFT } from './types.js';
import type {
  Counters,
  Mapping,
  MapsEntry,
  ProcessSample,
  RawProcess,
  RawSystem,
  Snapshot,
  StatusMemory,
  SystemTotals,
} from './types.js';

/** A counter the kernel did not tell us: rendered as unknown, never as zero. */
const UNKNOWN = Number.NaN;

function unknownCounters(rssBytes: number): Counters {
  return {
    rssBytes,
    pssFixed: UNKNOWN,
    ussBytes: UNKNOWN,
    sharedBytes: UNKNOWN,
    sharedCleanBytes: UNKNOWN,
    sharedDirtyBytes: UNKNOWN,
    privateCleanBytes: UNKNOWN,
    privateDirtyBytes: UNKNOWN,
    swapBytes: UNKNOWN,
    anonBytes: UNKNOWN,
    fileBytes: UNKNOWN,
    shmemBytes: UNKNOWN,
  };
}

/**
 * Counters from smaps fields (bytes). smaps does not split RSS into file and shmem, so those
 * stay unknown; PSS keeps the kernel's kB precision.
 */
export function countersFromSmaps(fields: Record<string, number>): Counters {
  const f = (name: string) => fields[name] ?? 0;
  return {
    rssBytes: f('Rss'),
    pssFixed: f('Pss') * 2 ** PSS_SHIFT,
    ussBytes: f('Private_Clean') + f('Private_Dirty'),
    sharedBytes: f('Shared_Clean') + f('Shared_Dirty'),
    sharedCleanBytes: f('Shared_Clean'),
    sharedDirtyBytes: f('Shared_Dirty'),
    privateCleanBytes: f('Private_Clean'),
    privateDirtyBytes: f('Private_Dirty'),
    swapBytes: f('Swap'),
    anonBytes: f('Anonymous'),
    fileBytes: UNKNOWN,
    shmemBytes: UNKNOWN,
  };
}

/** Counters of a process whose pages were not read: status's sums, the rest unknown. */
export function statusCounters(s: StatusMemory): Counters {
  return {
    ...unknownCounters(s.rssBytes),
    swapBytes: s.swapBytes,
    anonBytes: s.anonBytes,
    fileBytes: s.fileBytes,
    shmemBytes: s.shmemBytes,
  };
}

export interface BuildOptions {
  /** Keep per-mapping rows in the result. */
  mappings: boolean;
  /** Keep the per-page table in the result. */
  pages: boolean;
  /** Keep mappings and pages of this process whatever the above say. */
  focusPid?: number;
}

/** A maps entry with its counters, every Mapping of one shape (no spread: 200,000 a sample). */
function toMapping(e: MapsEntry, counters: Counters, pageBegin: number, pageEnd: number): Mapping {
  return {
    start: e.start,
    end: e.end,
    perms: e.perms,
    offset: e.offset,
    dev: e.dev,
    inode: e.inode,
    path: e.path,
    counters,
    pageBegin,
    pageEnd,
  };
}

/** Turns what was read of one process into its accounted sample. */
export function buildProcessSample(
  raw: RawProcess,
  pageSize: number,
  options: BuildOptions,
): ProcessSample {
  const base = { ...raw.info, access: raw.access };
  if (raw.statusMemory) {
    return { ...base, totals: statusCounters(raw.statusMemory), scannedAtMs: UNKNOWN };
  }
  if (raw.access === 'restricted') {
    return { ...base, totals: unknownCounters(raw.statmRssBytes ?? UNKNOWN) };
  }
  const maps = raw.maps ?? [];
  const ranges = raw.pageRanges;
  const focused = raw.info.pid === options.focusPid;
  const wantMappings = options.mappings || focused;
  let mappings: Mapping[] = [];
  let totals: Counters;
  if (raw.access === 'pages' && raw.mappingCounters) {
    const acc = raw.mappingCounters;
    const sums = new Float64Array(COUNTER_SLOTS);
    for (let at = 0; at < acc.length; at += COUNTER_SLOTS) {
      for (let k = 0; k < COUNTER_SLOTS; k++) sums[k]! += acc[at + k]!;
    }
    totals = countersAt(sums, 0);
    if (wantMappings) {
      mappings = maps.map((entry, m) => toMapping(entry, countersAt(acc, m * COUNTER_SLOTS), 0, 0));
    }
  } else if (raw.access === 'pages' && raw.pages && ranges) {
    const pages = raw.pages;
    const scratch = new Float64Array(COUNTER_SLOTS);
    mappings = maps.map((entry, m) => {
      const pageBegin = ranges[2 * m]!;
      const pageEnd = ranges[2 * m + 1]!;
      const counters = computeCounters(pages, pageBegin, pageEnd, pageSize, scratch);
      return toMapping(entry, counters, pageBegin, pageEnd);
    });
    totals = emptyCounters();
    for (const m of mappings) addCounters(totals, m.counters);
  } else {
    totals = countersFromSmaps(raw.smapsRollup ?? {});
    mappings = maps.map((entry, m) =>
      toMapping(
        entry,
        raw.smapsMappings?.[m] ? countersFromSmaps(raw.smapsMappings[m]) : unknownCounters(UNKNOWN),
        ranges?.[2 * m] ?? 0,
        ranges?.[2 * m + 1] ?? 0,
      ),
    );
  }
  const sample: ProcessSample = { ...base, totals };
  if (wantMappings) sample.mappings = mappings;
  if ((options.pages || focused) && raw.pages) sample.pages = raw.pages;
  return sample;
}

/** Adds the known (non-NaN) fields of a process into the system totals. */
function addKnown(into: Counters, from: Counters): void {
  for (const key of Object.keys(into) as (keyof Counters)[]) {
    const value = from[key];
    if (!Number.isNaN(value)) into[key] += value;
  }
}

/** System totals: meminfo, Σ RSS and Σ PSS over processes whose PSS is known, and what sharing saves. */
export function computeSystemTotals(
  processes: readonly ProcessSample[],
  meminfo: Record<string, number>,
): SystemTotals {
  const sum = emptyCounters();
  let restricted = 0;
  for (const p of processes) {
    if (p.access === 'restricted') restricted++;
    else addKnown(sum, p.totals);
  }
  return {
    memTotalBytes: meminfo['MemTotal'] ?? UNKNOWN,
    memAvailableBytes: meminfo['MemAvailable'] ?? UNKNOWN,
    rssBytes: sum.rssBytes,
    pssFixed: sum.pssFixed,
    sharingSavesBytes: sum.rssBytes - pssBytes(sum),
    restrictedProcesses: restricted,
    swapTotalBytes: meminfo['SwapTotal'] ?? 0,
    swapFreeBytes: meminfo['SwapFree'] ?? 0,
    anonHugePagesBytes: meminfo['AnonHugePages'] ?? 0,
  };
}

/** Builds a Snapshot from what the sampler read. Inputs are not mutated. */
export function buildSnapshot(
  system: RawSystem,
  raws: readonly RawProcess[],
  options: BuildOptions,
): Snapshot {
  const processes = raws.map((raw) => buildProcessSample(raw, system.pageSize, options));
  return {
    timeMs: system.timeMs,
    costMs: system.costMs,
    ...(system.cpuMs === undefined ? {} : { cpuMs: system.cpuMs }),
    kernel: system.kernel,
    hostname: system.hostname,
    pageSize: system.pageSize,
    privileged: system.privileged,
    notices: system.notices,
    processes,
    totals: computeSystemTotals(processes, system.meminfo),
  };
}
