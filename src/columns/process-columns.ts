import type { ChangeRates } from '../model/change-rates.js';
import { pssBytes } from '../model/counters.js';
import type { ProcessSample } from '../model/types.js';
import { formatBytes } from '../format/size.js';
import { sanitize } from '../format/text.js';
import type { Column } from './table.js';

/** One line of the process list, ready to draw. */
export interface ProcessRow {
  /** pid:startTime — the selection follows this, not the row index. */
  key: string;
  process: ProcessSample;
  /** Δ USS since the last sample; undefined when the process is new or there is no last sample. */
  deltaBytes: number | undefined;
  /** Whether there was a last sample to compare with. */
  hasPrevious: boolean;
  /** Tree rails before the command ("│ ├─ "), empty in the flat view. */
  treePrefix: string;
  /** Page changes per second since the last sample; undefined when they are not known. */
  rates: ChangeRates | undefined;
  /** How old its per-page data is ("12s"; "-": never read), blank when read in this sample. */
  age: string;
}

/** A size in a fixed-width cell: "-" when unknown, never 0. */
export const sizeText = (bytes: number): string => formatBytes(bytes);

/** A change: blank when none, "new" for a process or mapping not in the last sample. */
export function deltaText(delta: number | undefined, hasPrevious: boolean): string {
  if (!hasPrevious) return '';
  if (delta === undefined) return 'new';
  if (delta === 0) return '';
  return formatBytes(delta, { signed: true });
}

/**
 * A rate in bytes/s: "-" when unknown, blank when nothing changed, "≤" before an upper bound
 * (pages that became private, counted where copy-on-write breaks cannot be told apart).
 */
export function rateText(bytesPerSec: number | undefined, isBound = false): string {
  if (bytesPerSec === undefined || Number.isNaN(bytesPerSec)) return '-';
  if (bytesPerSec === 0) return '';
  return (isBound ? '≤' : '') + formatBytes(bytesPerSec);
}

/**
 * The COW/s and SHR+/s columns of a table whose rows carry rates. A width of 8 holds every
 * rate; an upper bound ("≤") needs 9.
 */
export function rateColumns<R>(
  rates: (row: R) => ChangeRates | undefined,
  priorities: { cow: number; becameShared: number },
  width: number,
): Column<R>[] {
  return [
    {
      id: 'cow',
      title: 'COW/s',
      width,
      align: 'right',
      priority: priorities.cow,
      sortKey: 'cow',
      pick: 'o',
      text: (r) => {
        const x = rates(r);
        return rateText(x?.cowBytesPerSec, x?.cowIsBound);
      },
    },
    {
      id: 'became-shared',
      title: 'SHR+/s',
      width,
      align: 'right',
      priority: priorities.becameShared,
      sortKey: 'became-shared',
      pick: 'b',
      text: (r) => rateText(rates(r)?.becameSharedBytesPerSec),
    },
  ];
}

const isRestricted = (r: ProcessRow) => r.process.access === 'restricted';

/** The process list's columns, as the issue orders them. */
export const PROCESS_COLUMNS: readonly Column<ProcessRow>[] = [
  {
    id: 'pid',
    title: 'PID',
    width: 7,
    align: 'right',
    priority: 0,
    sortKey: 'pid',
    pick: 'i',
    text: (r) => String(r.process.pid),
  },
  {
    id: 'user',
    title: 'USER',
    width: 8,
    align: 'left',
    priority: 4,
    text: (r) => sanitize(r.process.user),
  },
  {
    id: 'uss',
    title: 'USS',
    width: 10,
    align: 'right',
    priority: 0,
    sortKey: 'uss',
    pick: 'u',
    text: (r) => (isRestricted(r) ? 'restricted' : sizeText(r.process.totals.ussBytes)),
  },
  {
    id: 'pss',
    title: 'PSS',
    width: 8,
    align: 'right',
    priority: 2,
    sortKey: 'pss',
    pick: 'p',
    text: (r) => sizeText(pssBytes(r.process.totals)),
  },
  {
    id: 'rss',
    title: 'RSS',
    width: 8,
    align: 'right',
    priority: 3,
    sortKey: 'rss',
    pick: 'r',
    text: (r) => sizeText(r.process.totals.rssBytes),
  },
  {
    id: 'shared',
    title: 'SHARED',
    width: 8,
    align: 'right',
    priority: 1,
    sortKey: 'shared',
    pick: 's',
    text: (r) => sizeText(r.process.totals.sharedBytes),
  },
  {
    id: 'dirty',
    title: 'PRIV-DIRTY',
    width: 11,
    align: 'right',
    priority: 5,
    sortKey: 'dirty',
    pick: 'd',
    text: (r) => sizeText(r.process.totals.privateDirtyBytes),
  },
  {
    id: 'swap',
    title: 'SWAP',
    width: 8,
    align: 'right',
    priority: 8,
    sortKey: 'swap',
    pick: 'w',
    text: (r) => sizeText(r.process.totals.swapBytes),
  },
  // Dropped first: it matters only where KSM runs.
  {
    id: 'ksm',
    title: 'KSM',
    width: 8,
    align: 'right',
    priority: 9,
    text: (r) => sizeText(r.process.totals.ksmBytes),
  },
  {
    id: 'delta',
    title: 'ΔUSS',
    width: 9,
    align: 'right',
    priority: 7,
    sortKey: 'delta',
    pick: 'c',
    text: (r) => (isRestricted(r) ? '-' : deltaText(r.deltaBytes, r.hasPrevious)),
  },
  ...rateColumns((r: ProcessRow) => r.rates, { cow: 5, becameShared: 6 }, 8),
  {
    // Within a CPU budget: the per-page columns of a row not read in this sample are this old.
    id: 'age',
    title: 'AGE',
    width: 4,
    align: 'right',
    priority: 2,
    text: (r) => r.age,
  },
  {
    id: 'command',
    title: 'COMMAND',
    width: 24,
    minWidth: 10,
    align: 'left',
    flex: true,
    priority: 0,
    sortKey: 'name',
    pick: 'n',
    text: (r) => r.treePrefix + sanitize(r.process.cmdline || `[${r.process.comm}]`),
  },
];

/** The process list without AGE (no budget: every row is read in every sample). */
export const COLUMNS_WITHOUT_AGE: readonly Column<ProcessRow>[] = PROCESS_COLUMNS.filter(
  (c) => c.id !== 'age',
);
