import { USER_SPACE_END } from '../model/address-space.js';
import type { ChangeRates } from '../model/change-rates.js';
import type { ShareTally } from '../model/sharers.js';
import type { Counters } from '../model/types.js';
import { formatAddress } from '../format/size.js';
import { sanitize } from '../format/text.js';
import { counterColumn, sizeText } from './counter-column.js';
import { deltaText, rateColumns } from './process-columns.js';
import type { Column } from './table.js';

/** One line of the mapping view: a mapping, or a file group (all mappings of one path). */
export interface MappingRow {
  /** m:<start> for a mapping, g:<path> for a group. */
  key: string;
  /** 'total': the totals line under the list. */
  kind: 'mapping' | 'group' | 'total';
  /** 1 for a mapping listed under its expanded group. */
  depth: number;
  start: number;
  end: number;
  perms: string;
  offset: number;
  path: string;
  counters: Counters;
  sizeBytes: number;
  deltaBytes: number | undefined;
  hasPrevious: boolean;
  /** Mappings in a group; 1 for a mapping. */
  mappingCount: number;
  expanded: boolean;
  /** Page changes per second since the last sample; undefined when not known. */
  rates: ChangeRates | undefined;
  /** The processes sharing the most of its pages, largest first; undefined when not known. */
  sharedWith: readonly ShareTally[] | undefined;
}

/** "bash 1080, bash 2102": whom a mapping shares the most with; "-" when not known. */
export function sharedWithText(tallies: readonly ShareTally[] | undefined): string {
  if (!tallies) return '-';
  return tallies.map((t) => `${sanitize(t.comm)} ${t.pid}`).join(', ');
}

/** The path column: [anon] for anonymous memory, and a group's fold mark and size. */
export function mappingLabel(r: MappingRow): string {
  if (r.kind === 'total') return `${r.mappingCount} mappings`;
  const path = r.path === '' ? '[anon]' : sanitize(r.path);
  if (r.kind === 'group') return `${r.expanded ? '▾' : '▸'} ${path} (${r.mappingCount} mappings)`;
  return r.depth > 0 ? `  ${path}` : path;
}

/**
 * Hex digits of the address column: enough for the highest user-space end address, at least 8.
 * The [vsyscall] page lies far above; its row shows only its start.
 */
export function addressWidth(rows: readonly { end: number }[]): number {
  let max = 0;
  for (const r of rows) if (r.end <= USER_SPACE_END) max = Math.max(max, r.end);
  return Math.max(8, formatAddress(max).length);
}

function addressText(r: MappingRow, digits: number): string {
  if (r.kind === 'total') return 'TOTAL';
  const end = formatAddress(r.end);
  if (end.length > digits) return formatAddress(r.start);
  return `${formatAddress(r.start).padStart(digits, '0')}-${end.padStart(digits, '0')}`;
}

const counters = (r: MappingRow) => r.counters;

/** The mapping view's columns (pmap -X order, the path last so that it can take the rest). */
export function mappingColumns(addressDigits: number): Column<MappingRow>[] {
  return [
    {
      id: 'address',
      title: 'ADDRESS',
      width: 2 * addressDigits + 1,
      align: 'left',
      priority: 0,
      sortKey: 'address',
      pick: 'a',
      text: (r) => addressText(r, addressDigits),
    },
    { id: 'perms', title: 'PERM', width: 4, align: 'left', priority: 3, text: (r) => r.perms },
    {
      id: 'offset',
      title: 'OFFSET',
      width: 8,
      align: 'right',
      priority: 10,
      text: (r) => (r.kind === 'mapping' ? r.offset.toString(16) : ''),
    },
    {
      id: 'size',
      title: 'SIZE',
      width: 8,
      align: 'right',
      priority: 6,
      sortKey: 'size',
      pick: 'z',
      text: (r) => sizeText(r.sizeBytes),
    },
    counterColumn('rss', { counters, width: 8, priority: 3 }),
    counterColumn('pss', { counters, width: 8, priority: 2 }),
    counterColumn('uss', { counters, width: 8, priority: 0 }),
    counterColumn('shared', { counters, width: 8, priority: 1 }),
    counterColumn('privateDirty', { counters, width: 11, priority: 5 }),
    counterColumn('swap', { counters, width: 8, priority: 8 }),
    // Dropped first: it matters only where KSM runs.
    counterColumn('ksm', { counters, width: 8, priority: 11 }),
    {
      id: 'delta',
      title: 'ΔUSS',
      width: 9,
      align: 'right',
      priority: 7,
      sortKey: 'delta',
      pick: 'c',
      text: (r) => deltaText(r.deltaBytes, r.hasPrevious),
    },
    ...rateColumns((r: MappingRow) => r.rates, { cow: 6, becameShared: 9 }, 9),
    {
      id: 'shared-with',
      title: 'SHARED WITH',
      width: 16,
      align: 'left',
      priority: 4,
      description: 'mappings: the processes sharing the most of its pages (root)',
      text: (r) => sharedWithText(r.sharedWith),
    },
    {
      id: 'path',
      title: 'MAPPING',
      width: 20,
      minWidth: 10,
      align: 'left',
      flex: true,
      priority: 0,
      sortKey: 'name',
      pick: 'n',
      keepEnd: true,
      text: mappingLabel,
    },
  ];
}
