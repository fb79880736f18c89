// Synthetic snapshots for UI tests and the TUI benchmark: plain data, no /proc.
import { emptyCounters } from '../../src/model/counters.js';
import {
  KPF_ANON,
  KPF_LRU,
  KPF_SWAPBACKED,
  PM_EXCLUSIVE,
  PM_PRESENT,
} from '../../src/model/page-bits.js';
import { PSS_SHIFT } from '../../src/model/types.js';
import type {
  Counters,
  Mapping,
  PageTable,
  ProcessSample,
  Snapshot,
} from '../../src/model/types.js';

export const PAGE = 4096;
const KiB = 1024;

/** Counters from sizes in KiB; PSS given in KiB too. */
export function counters(kib: {
  uss?: number;
  pss?: number;
  rss?: number;
  shared?: number;
  dirty?: number;
  swap?: number;
}): Counters {
  const c = emptyCounters();
  c.ussBytes = (kib.uss ?? 0) * KiB;
  c.sharedBytes = (kib.shared ?? 0) * KiB;
  c.rssBytes = (kib.rss ?? c.ussBytes / KiB + c.sharedBytes / KiB) * KiB;
  c.pssFixed = (kib.pss ?? kib.uss ?? 0) * KiB * 2 ** PSS_SHIFT;
  c.privateDirtyBytes = (kib.dirty ?? kib.uss ?? 0) * KiB;
  c.privateCleanBytes = c.ussBytes - c.privateDirtyBytes;
  c.sharedCleanBytes = c.sharedBytes;
  c.swapBytes = (kib.swap ?? 0) * KiB;
  c.anonBytes = c.ussBytes;
  return c;
}

/** Counters of a process only statm could be read of. */
export function restrictedCounters(rssKib: number): Counters {
  const c = counters({});
  for (const key of Object.keys(c) as (keyof Counters)[]) c[key] = Number.NaN;
  c.rssBytes = rssKib * KiB;
  return c;
}

export function proc(
  pid: number,
  totals: Counters,
  extra: Partial<ProcessSample> = {},
): ProcessSample {
  return {
    pid,
    ppid: 1,
    startTime: 1000 + pid,
    state: 'S',
    comm: `proc${pid}`,
    cmdline: `/usr/bin/proc${pid} --serve`,
    uid: 0,
    user: 'root',
    access: 'pages',
    totals,
    ...extra,
  };
}

export function snapshot(processes: ProcessSample[], extra: Partial<Snapshot> = {}): Snapshot {
  return {
    timeMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    costMs: 42,
    kernel: '6.18.0',
    hostname: 'box',
    pageSize: PAGE,
    privileged: true,
    notices: [],
    processes,
    totals: {
      memTotalBytes: 16 * 2 ** 30,
      memAvailableBytes: 8 * 2 ** 30,
      rssBytes: 3 * 2 ** 30,
      pssFixed: 2 * 2 ** 30 * 2 ** PSS_SHIFT,
      sharingSavesBytes: 2 ** 30,
      restrictedProcesses: 0,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
      anonHugePagesBytes: 0,
    },
    ...extra,
  };
}

/** One stored page: its index in the mapping and what /proc said of it. */
export interface PageSpec {
  index: number;
  bits?: number;
  flags?: number;
  count?: number;
  pfn?: number;
}

/** A written anonymous page mapped `count` times. */
export function anonPage(index: number, count: number): PageSpec {
  return {
    index,
    bits: PM_PRESENT | (count === 1 ? PM_EXCLUSIVE : 0),
    flags: KPF_ANON | KPF_SWAPBACKED | KPF_LRU,
    count,
    pfn: 0x1000 + index,
  };
}

/** A page table of one or more mappings' pages, in the order given. */
export function pageTable(specs: readonly PageSpec[]): PageTable {
  const n = specs.length;
  const t: PageTable = {
    count: n,
    pageIndex: new Uint32Array(n),
    pagemapBits: new Uint16Array(n),
    kpageFlags: new Uint32Array(n),
    mapCount: new Uint32Array(n),
    pfn: new Float64Array(n),
  };
  specs.forEach((s, i) => {
    t.pageIndex[i] = s.index;
    t.pagemapBits[i] = s.bits ?? PM_PRESENT;
    t.kpageFlags[i] = s.flags ?? 0;
    t.mapCount[i] = s.count ?? 1;
    t.pfn[i] = s.pfn ?? 0;
  });
  return t;
}

export function mapping(start: number, pages: number, extra: Partial<Mapping> = {}): Mapping {
  return {
    start,
    end: start + pages * PAGE,
    perms: 'rw-p',
    offset: 0,
    dev: '00:00',
    inode: 0,
    path: '',
    counters: counters({}),
    pageBegin: 0,
    pageEnd: 0,
    ...extra,
  };
}

/** A small deterministic random source, so that synthetic data is the same every run. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** n processes with varied sizes and long command lines, like a busy server. */
export function busySnapshot(n: number, seed = 1): Snapshot {
  const rnd = random(seed);
  const processes: ProcessSample[] = [];
  for (let i = 0; i < n; i++) {
    const pid = 100 + i * 7;
    const uss = Math.round(rnd() * 500_000);
    const shared = Math.round(rnd() * 200_000);
    const restricted = i % 50 === 49;
    processes.push(
      proc(
        pid,
        restricted
          ? restrictedCounters(uss + shared)
          : counters({ uss, shared, pss: uss + shared / 3 }),
        {
          ppid: i % 5 === 0 ? 1 : 100 + (i - (i % 5)) * 7,
          user: i % 3 === 0 ? 'postgres' : 'www-data',
          access: restricted ? 'restricted' : 'pages',
          cmdline: `/usr/lib/service-${i % 17}/bin/worker --id ${i} --config /etc/service/${i % 17}.conf --verbose`,
        },
      ),
    );
  }
  return snapshot(processes);
}

/** Where the synthetic fork family's private region starts; it is 4 pages long. */
export const FAMILY_ANON = 0x7f0000000000;
/** Where both map the same library. */
export const FAMILY_LIB = 0x7f1000000000;

/**
 * A parent (pid 10) and its child (pid 11) sharing a private region of 4 pages after fork
 * (map count 2) and a library of 2 pages. At `step` 1 the child has written pages 0 and 1:
 * it holds its own copies (new PFNs, map count 1) and the parent's stopped being shared.
 */
export function forkFamily(step: 0 | 1, extra: Partial<Snapshot> = {}): Snapshot {
  const written = (i: number) => step === 1 && i < 2;
  const region = (owner: 10 | 11) =>
    [0, 1, 2, 3].map((i): PageSpec => {
      if (!written(i)) return { ...anonPage(i, 2), pfn: 0x1000 + i };
      return { ...anonPage(i, 1), pfn: owner === 11 ? 0x2000 + i : 0x1000 + i };
    });
  const lib = [0, 1].map((i): PageSpec => ({ index: i, count: 2, pfn: 0x5000 + i }));
  const member = (pid: 10 | 11): ProcessSample => {
    const privateKib = step === 1 ? 8 : 0;
    const anon = mapping(FAMILY_ANON, 4, {
      pageBegin: 0,
      pageEnd: 4,
      counters: counters({ uss: privateKib, shared: 16 - privateKib }),
    });
    const libc = mapping(FAMILY_LIB, 2, {
      perms: 'r-xp',
      dev: '08:01',
      inode: 42,
      path: '/usr/lib/libc.so.6',
      pageBegin: 4,
      pageEnd: 6,
      counters: counters({ shared: 8, pss: 4 }),
    });
    return proc(pid, counters({ uss: privateKib, shared: 24 - privateKib }), {
      ppid: pid === 11 ? 10 : 1,
      comm: pid === 10 ? 'server' : 'worker',
      cmdline: pid === 10 ? 'server --master' : 'server --worker',
      mappings: [anon, libc],
      pages: pageTable([...region(pid), ...lib]),
    });
  };
  return snapshot([member(10), member(11)], {
    timeMs: Date.UTC(2026, 0, 2, 3, 4, 5) + step * 1000,
    ...extra,
  });
}
