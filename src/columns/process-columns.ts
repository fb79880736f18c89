import type { ChangeRates } from '../model/change-rates.js';
import type { ProcessSample } from '../model/types.js';
import { formatBytes } from '../format/size.js';
import { sanitize } from '../format/text.js';
import { counterColumn } from './counter-column.js';
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
      description:
        'copy-on-write breaks per second: shared pages this process now holds its own copy of (bytes/s; blank: none; -: not known)\n' +
        'without PFNs "≤": pages that became private, which also counts pages others stopped sharing',
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
      description:
        'pages that became shared per second (map count 1 → ≥ 2: fork, KSM, another process mapped them)',
      text: (r) => rateText(rates(r)?.becameSharedBytesPerSec),
    },
  ];
}

const isRestricted = (r: ProcessRow) => r.process.access === 'restricted';
const totals = (r: ProcessRow) => r.process.totals;

/** What a restricted process shows for USS: not a size, which this user may not know. */
const restrictedNote = (r: ProcessRow): string | undefined =>
  isRestricted(r) ? 'restricted' : undefined;

/** The process list's columns, in display order. */
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
  counterColumn('uss', { counters: totals, width: 10, priority: 0, note: restrictedNote }),
  counterColumn('pss', { counters: totals, width: 8, priority: 2 }),
  counterColumn('rss', { counters: totals, width: 8, priority: 3 }),
  counterColumn('shared', { counters: totals, width: 8, priority: 1 }),
  counterColumn('privateDirty', { counters: totals, width: 11, priority: 5 }),
  counterColumn('swap', { counters: totals, width: 8, priority: 8 }),
  // Dropped first: it matters only where KSM runs.
  counterColumn('ksm', { counters: totals, width: 8, priority: 9 }),
  {
    id: 'delta',
    title: 'ΔUSS',
    width: 9,
    align: 'right',
    priority: 7,
    sortKey: 'delta',
    pick: 'c',
    description: 'change of USS since the last sample ("new": not in it)',
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
