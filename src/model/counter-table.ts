import { PSS_SHIFT, type Counters, type StatusMemory } from './types.js';

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
  /**
   * Its Counters field from smaps fields in bytes (a read without PFNs); absent when smaps does
   * not give it (it is then unknown).
   */
  fromSmaps?: (fields: Readonly<Record<string, number>>) => number;
}

/** The sum of these smaps fields, a missing one 0 (they are all in every smaps block). */
const smapsSum =
  (...names: string[]) =>
  (fields: Readonly<Record<string, number>>): number =>
    names.reduce((sum, name) => sum + (fields[name] ?? 0), 0);

/**
 * Every counter, in the order JSON, CSV and the accumulators list them. Adding a counter is an
 * entry here, a field of Counters (types.ts; the check below fails until both agree) and its
 * accounting in accountPages() (counters.ts).
 */
const TABLE = [
  {
    key: 'rssBytes',
    name: 'rss',
    title: 'RSS',
    description: 'resident pages (zero page excluded)',
    unit: 'bytes',
    scan: 'status',
    isPrivileged: false,
    value: (c) => c.rssBytes,
    fromSmaps: smapsSum('Rss'),
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
    fromSmaps: (fields) => smapsSum('Pss')(fields) * PSS_ONE,
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
    fromSmaps: smapsSum('Private_Clean', 'Private_Dirty'),
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
    fromSmaps: smapsSum('Shared_Clean', 'Shared_Dirty'),
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
    fromSmaps: smapsSum('Shared_Clean'),
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
    fromSmaps: smapsSum('Shared_Dirty'),
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
    fromSmaps: smapsSum('Private_Clean'),
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
    fromSmaps: smapsSum('Private_Dirty'),
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
    fromSmaps: smapsSum('Swap'),
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
    fromSmaps: smapsSum('Anonymous'),
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
  {
    key: 'ksmBytes',
    name: 'ksm',
    title: 'KSM',
    description: 'resident pages merged by KSM (same-page merging)',
    unit: 'bytes',
    scan: 'pages',
    // smaps has a KSM: line from Linux 6.6 on (KSM-placed zero pages not counted, as in
    // kpageflags); on older kernels it is unknown without PFNs.
    isPrivileged: false,
    value: (c) => c.ksmBytes,
    fromSmaps: (fields) => fields['KSM'] ?? Number.NaN,
  },
] as const satisfies readonly CounterDef[];

export const COUNTERS: readonly CounterDef[] = TABLE;

/** The field of Counters of each counter in the table. */
export type CounterKey = (typeof TABLE)[number]['key'];
/** The name of each counter in the table (a JSON field, a CSV column). */
export type CounterName = (typeof TABLE)[number]['name'];
/** Every counter's name, in the table's order. */
export const COUNTER_NAMES: readonly CounterName[] = TABLE.map((def) => def.name);

/** The fields of Counters that /proc/PID/status gives (scan 'status'). */
type StatusDef = Extract<(typeof TABLE)[number], { scan: 'status' }>;
export type StatusCounterKey = StatusDef['key'];
export const STATUS_COUNTER_KEYS: readonly StatusCounterKey[] = TABLE.filter(
  (def): def is StatusDef => def.scan === 'status',
).map((def) => def.key);

/**
 * Fails the typecheck when Counters has a field the table does not list (every table key is a
 * field of Counters by CounterDef's type).
 */
const EVERY_FIELD_LISTED: Exclude<keyof Counters, CounterKey> extends never ? true : never = true;
/** Fails the typecheck when StatusMemory and the status counters differ. */
const STATUS_FIELDS_AGREE: [
  Exclude<keyof StatusMemory, StatusCounterKey>,
  Exclude<StatusCounterKey, keyof StatusMemory>,
] extends [never, never]
  ? true
  : never = true;
void EVERY_FIELD_LISTED;
void STATUS_FIELDS_AGREE;

/** The counters by name. */
export const COUNTER_BY_NAME: ReadonlyMap<string, CounterDef> = new Map(
  COUNTERS.map((def) => [def.name, def]),
);
