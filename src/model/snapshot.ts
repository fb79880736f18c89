import {
  COUNTER_SLOTS,
  addCounters,
  computeCounters,
  countersAt,
  emptyCounters,
  pssBytes,
} from './counters.js';
import { COUNTERS, STATUS_COUNTER_KEYS } from './counter-table.js';
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
const UNKNOWN_SET = new Float64Array(COUNTER_SLOTS).fill(UNKNOWN);

function unknownCounters(rssBytes: number): Counters {
  const c = countersAt(UNKNOWN_SET, 0);
  c.rssBytes = rssBytes;
  return c;
}

/**
 * Counters from smaps fields (bytes), as each counter's table entry reads them: smaps does not
 * split RSS into file and shmem, so those stay unknown; PSS keeps the kernel's kB precision.
 */
export function countersFromSmaps(fields: Record<string, number>): Counters {
  const c = countersAt(UNKNOWN_SET, 0);
  for (const def of COUNTERS) if (def.fromSmaps) c[def.key] = def.fromSmaps(fields);
  return c;
}

/** Counters of a process whose pages were not read: status's sums, the rest unknown. */
export function statusCounters(s: StatusMemory): Counters {
  const c = countersAt(UNKNOWN_SET, 0);
  for (const key of STATUS_COUNTER_KEYS) c[key] = s[key];
  return c;
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
