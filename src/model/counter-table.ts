import { PSS_SHIFT, type Counters } from './types.js';

/** PSS is kept in fixed point (PSS_SHIFT fractional bits). */
const PSS_ONE = 2 ** PSS_SHIFT;

/**
 * Which read a counter needs: `status`, /proc/PID/status alone (a sample within a CPU budget
 * knows it for every process); `pages`, a walk of the process's pages (or its smaps).
 */
export type CounterScan = 'status' | 'pages';

/** One counter: everything memtop says about it, in one place. */
export interface CounterDef {
  /** The field of Counters that holds it. */
  key: keyof Counters;
  /** Its name in JSON, CSV, the sort keys and metric names: camelCase, no unit. */
  name: string;
  /** Its column title on screen and in text tables. */
  title: string;
  /** What it means, in one line, for the help screen, --help and the metrics' # HELP. */
  description: string;
  /** Unit of value(): every counter is a size, printed in bytes. */
  unit: 'bytes';
  scan: CounterScan;
  /**
   * True when it needs PFNs, kpagecount and kpageflags (root); false when smaps gives it to
   * a plain user for their own processes.
   */
  isPrivileged: boolean;
  /** Its value in bytes (PSS rounded down from fixed point, as the kernel rounds it). */
  value: (c: Counters) => number;
}

/** Every counter, in the order JSON, CSV and the accumulators list them. */
export const COUNTERS: readonly CounterDef[] = [
  {
    key: 'rssBytes',
    name: 'rss',
    title: 'RSS',
    description: 'resident pages (zero page excluded)',
    unit: 'bytes',
    scan: 'status',
    isPrivileged: false,
    value: (c) => c.rssBytes,
  },
  {
    key: 'pssFixed',
    name: 'pss',
    title: 'PSS',
    description: 'Σ page size / map count',
    unit: 'bytes',
    scan: 'pages',
    isPrivileged: false,
    value: (c) => Math.floor(c.pssFixed / PSS_ONE),
  },
  {
    key: 'ussBytes',
    name: 'uss',
    title: 'USS',
    description: 'pages only this process maps (map count 1)',
    unit: 'bytes',
    scan: 'pages',
    isPrivileged: false,
    value: (c) => c.ussBytes,
  },
  {
    key: 'sharedBytes',
    name: 'shared',
    title: 'SHARED',
    description: 'resident pages with map count ≥ 2',
    unit: 'bytes',
    scan: 'pages',
    isPrivileged: false,
    value: (c) => c.sharedBytes,
  },
  {
    key: 'sharedCleanBytes',
    name: 'sharedClean',
    title: 'SHR-CLEAN',
    description: 'shared pages that are clean',
    unit: 'bytes',
    scan: 'pages',
    isPrivileged: false,
    value: (c) => c.sharedCleanBytes,
  },
  {
    key: 'sharedDirtyBytes',
    name: 'sharedDirty',
    title: 'SHR-DIRTY',
    description: 'shared pages that are dirty',
    unit: 'bytes',
    scan: 'pages',
    isPrivileged: false,
    value: (c) => c.sharedDirtyBytes,
  },
  {
    key: 'privateCleanBytes',
    name: 'privateClean',
    title: 'PRIV-CLEAN',
    description: 'private pages that are clean (the kernel can drop them)',
    unit: 'bytes',
    scan: 'pages',
    isPrivileged: false,
    value: (c) => c.privateCleanBytes,
  },
  {
    key: 'privateDirtyBytes',
    name: 'privateDirty',
    title: 'PRIV-DIRTY',
    description: 'private pages that are dirty (anonymous, or not yet written back)',
    unit: 'bytes',
    scan: 'pages',
    isPrivileged: false,
    value: (c) => c.privateDirtyBytes,
  },
  {
    key: 'swapBytes',
    name: 'swap',
    title: 'SWAP',
    description: 'pages in swap',
    unit: 'bytes',
    scan: 'status',
    isPrivileged: false,
    value: (c) => c.swapBytes,
  },
  {
    key: 'anonBytes',
    name: 'anon',
    title: 'ANON',
    description: 'resident anonymous pages',
    unit: 'bytes',
    scan: 'status',
    isPrivileged: false,
    value: (c) => c.anonBytes,
  },
  {
    key: 'fileBytes',
    name: 'file',
    title: 'FILE',
    description: 'resident pages of files',
    unit: 'bytes',
    scan: 'status',
    isPrivileged: false,
    value: (c) => c.fileBytes,
  },
  {
    key: 'shmemBytes',
    name: 'shmem',
    title: 'SHMEM',
    description: 'resident shared memory (tmpfs, shared anonymous, SysV)',
    unit: 'bytes',
    scan: 'status',
    isPrivileged: false,
    value: (c) => c.shmemBytes,
  },
];

/** The counters by name. */
export const COUNTER_BY_NAME: ReadonlyMap<string, CounterDef> = new Map(
  COUNTERS.map((def) => [def.name, def]),
);
