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

/** The value a sort key gives one row (NaN: unknown); 'name' has none (see rankNames). */
export function sortValue(key: ViewSortKey, f: SortFields): number {
  return key === 'name' ? Number.NaN : numberFor(key, f);
}

const collator = new Intl.Collator();

/** Each name's rank among the distinct names in `localeCompare` order: names sorted as numbers. */
export function rankNames(names: readonly string[]): Float64Array {
  const distinct = [...new Set(names)].sort(collator.compare);
  const rank = new Map(distinct.map((name, i) => [name, i]));
  return Float64Array.from(names, (name) => rank.get(name)!);
}

/**
 * The order of rows by their values, as sortRowsBy orders them: largest first unless
 * `ascending`, unknown (NaN) last; rows of equal value keep their given order, so rows given in
 * id order break ties by id. A bucket sort over the distinct values (found by a native sort of
 * the numbers): no comparison callback and no object per row.
 */
export function sortPositions(values: Float64Array, ascending: boolean): Uint32Array {
  const n = values.length;
  const distinct = distinctValues(values);
  const d = distinct.length;
  // Bucket of each row: its value's place in the order drawn; d is the bucket of the unknown.
  const bucket = new Uint32Array(n);
  const starts = new Uint32Array(d + 2);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let b = d;
    if (!Number.isNaN(v)) {
      let lo = 0;
      let hi = d - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (distinct[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      b = ascending ? lo : d - 1 - lo;
    }
    bucket[i] = b;
    starts[b + 1]! += 1;
  }
  for (let b = 1; b <= d + 1; b++) starts[b]! += starts[b - 1]!;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[starts[bucket[i]!]!++] = i;
  return order;
}

/** Few distinct values are collected without sorting every value. */
const FEW_VALUES = 32;

/** The distinct known values, ascending. */
function distinctValues(values: Float64Array): Float64Array {
  const few: number[] = [];
  let last = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === last || Number.isNaN(v)) continue;
    last = v;
    if (few.includes(v)) continue;
    if (few.length === FEW_VALUES) return sortedDistinct(values);
    few.push(v);
  }
  return Float64Array.from(few).sort();
}

function sortedDistinct(values: Float64Array): Float64Array {
  const sorted = Float64Array.from(values).sort(); // NaN sorts last
  let d = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (Number.isNaN(v)) break;
    if (d === 0 || v !== sorted[d - 1]) sorted[d++] = v;
  }
  return sorted.subarray(0, d);
}
