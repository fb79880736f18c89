import { counterFor, type SortKey } from './sort.js';
import type { Counters } from './types.js';

/**
 * What a screen can be sorted by: the counters of sort.ts, plus Δ USS (change since the last
 * sample), copy-on-write breaks and pages that became shared per second, for mappings the
 * address and the size, for files the processes mapping them and the sharing ratio.
 */
export const VIEW_SORT_KEYS = [
  'uss',
  'pss',
  'rss',
  'shared',
  'dirty',
  'swap',
  'delta',
  'pid',
  'name',
  'address',
  'size',
  'cow',
  'became-shared',
  'procs',
  'ratio',
] as const;
export type ViewSortKey = (typeof VIEW_SORT_KEYS)[number];

/** The fields a row is compared by. */
export interface SortFields {
  counters: Counters;
  /** Δ USS since the last sample; NaN when unknown or new. */
  deltaBytes: number;
  /** pid for processes, start address for mappings: the tie-breaker and the 'pid'/'address' key. */
  id: number;
  name: string;
  sizeBytes: number;
  /** Values of the keys that are not counters (cow, became-shared, procs, ratio); NaN when unknown. */
  values?: Partial<Record<ViewSortKey, number>>;
}

const ASCENDING: ReadonlySet<ViewSortKey> = new Set(['pid', 'name', 'address']);

/** Whether a sort runs smallest first: pid, name and address do, unless reversed. */
export function isAscending(key: ViewSortKey, reverse: boolean): boolean {
  return ASCENDING.has(key) !== reverse;
}

function numberFor(key: ViewSortKey, f: SortFields): number {
  const value = f.values?.[key];
  if (value !== undefined) return value;
  switch (key) {
    case 'delta':
      return f.deltaBytes;
    case 'size':
      return f.sizeBytes;
    case 'pid':
    case 'address':
      return f.id;
    case 'cow':
    case 'became-shared':
    case 'procs':
    case 'ratio':
      return Number.NaN;
    default:
      return counterFor(key as SortKey, f.counters);
  }
}

/**
 * Sorts a copy of the rows: sizes and Δ largest first, pid, address and name ascending;
 * `reverse` flips that. Unknown values always go last; ties break by id.
 */
export function sortRowsBy<T>(
  rows: readonly T[],
  key: ViewSortKey,
  reverse: boolean,
  fields: (row: T) => SortFields,
): T[] {
  const sign = (ASCENDING.has(key) ? 1 : -1) * (reverse ? -1 : 1);
  const keyed = rows.map((row) => {
    const f = fields(row);
    return { row, id: f.id, name: f.name, value: key === 'name' ? 0 : numberFor(key, f) };
  });
  keyed.sort((a, b) => {
    if (key === 'name') return sign * a.name.localeCompare(b.name) || a.id - b.id;
    const na = Number.isNaN(a.value);
    const nb = Number.isNaN(b.value);
    if (na || nb) return na === nb ? a.id - b.id : na ? 1 : -1;
    return sign * (a.value - b.value) || a.id - b.id;
  });
  return keyed.map((k) => k.row);
}
